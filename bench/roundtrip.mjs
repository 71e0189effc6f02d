// Synchronous round trips main -> worker -> main, in one run: janus-queue
// (two queues, syncQ on both sides), synckit's createSyncFn (what users pick
// today to call a worker synchronously), and a bare Atomics.wait/notify
// ping-pong (the floor). Prints calls/s, p50 and p99 latency.
// Run: npm run build && node bench/roundtrip.mjs [--quick]
import { Worker } from 'node:worker_threads';
import { createSyncFn } from 'synckit';
import { Queue } from 'janus-queue';

const quick = process.argv.includes('--quick');
const N = quick ? 2000 : 20000;
const payload = { id: 1, name: 'call', args: [1, 2, 3] };

function stats(label, samples) {
  samples.sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { label, perSec: samples.length / (total / 1e3), p50: q(0.5) * 1000, p99: q(0.99) * 1000 };
}

function timeCalls(call) {
  for (let i = 0; i < 200; i++) call(); // warm
  const samples = new Array(N);
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    call();
    samples[i] = performance.now() - t0;
  }
  return samples;
}

async function janus() {
  const requests = new Queue({ maxsize: 1 });
  const replies = new Queue({ maxsize: 1 });
  const w = new Worker(
    `const { workerData } = require('node:worker_threads');
     const { Queue } = require(${JSON.stringify(new URL('../dist/index.cjs', import.meta.url).pathname)});
     const requests = Queue.attach(workerData.requests), replies = Queue.attach(workerData.replies);
     for (const x of requests.syncQ) replies.syncQ.put(x);`,
    { eval: true, workerData: { requests: requests.handle, replies: replies.handle } },
  );
  const samples = timeCalls(() => {
    requests.syncQ.put(payload);
    return replies.syncQ.get();
  });
  requests.shutdown();
  await new Promise((r) => w.once('exit', r));
  return stats('janus-queue syncQ <-> syncQ', samples);
}

function synckit() {
  const call = createSyncFn(new URL('./synckit-worker.mjs', import.meta.url).pathname);
  return stats('synckit createSyncFn', timeCalls(() => call(payload)));
}

async function atomics() {
  const sab = new Int32Array(new SharedArrayBuffer(8));
  const w = new Worker(
    `const { workerData: s } = require('node:worker_threads');
     for (;;) { Atomics.wait(s, 0, 0); if (Atomics.load(s, 0) === 2) break; Atomics.store(s, 0, 0); Atomics.store(s, 1, 1); Atomics.notify(s, 1); }`,
    { eval: true, workerData: sab },
  );
  const samples = timeCalls(() => {
    Atomics.store(sab, 1, 0);
    Atomics.store(sab, 0, 1);
    Atomics.notify(sab, 0);
    Atomics.wait(sab, 1, 0);
  });
  Atomics.store(sab, 0, 2);
  Atomics.notify(sab, 0);
  await new Promise((r) => w.once('exit', r));
  return stats('bare Atomics ping-pong (floor)', samples);
}

const rows = [await janus(), synckit(), await atomics()];
console.log(`synchronous round trips main -> worker -> main, ${N} calls each`);
for (const r of rows) console.log(`  ${r.label.padEnd(32)} ${(r.perSec / 1e3).toFixed(1).padStart(7)} k calls/s   p50 ${r.p50.toFixed(1).padStart(6)} µs   p99 ${r.p99.toFixed(1).padStart(7)} µs`);
console.log(`  ratio janus-queue / synckit calls/s: ${(rows[0].perSec / rows[1].perSec).toFixed(2)}x`);
process.exit(0); // synckit keeps its worker
