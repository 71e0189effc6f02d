// Throughput: a worker sends N small objects to the main thread, through
// janus-queue (worker syncQ.put -> main asyncQ.get) and through postMessage,
// interleaved in one run, several repetitions; prints medians and the ratio.
// Run: npm run bench            (npm run bench -- --quick for a smoke run)
// Then the codec costs (bench/codecs.mjs), 1 KiB byte arrays (bench/bytes.mjs)
// and synchronous round trips against synckit (bench/roundtrip.mjs).
import { Worker } from 'node:worker_threads';
import { Queue } from 'janus-queue';

const quick = process.argv.includes('--quick');
const N = quick ? 20000 : 200000;
const REPS = quick ? 1 : 5;
const item = (i) => ({ id: i, name: `item-${i}`, payload: 'x'.repeat(64) });

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { Queue } = require(${JSON.stringify(new URL('../dist/index.cjs', import.meta.url).pathname)});
const item = ${item.toString()};
const { mode, n, handle } = workerData;
if (mode === 'queue') {
  const q = Queue.attach(handle);
  for (let i = 0; i < n; i++) q.syncQ.put(item(i));
} else {
  for (let i = 0; i < n; i++) parentPort.postMessage(item(i));
}`;

async function viaQueue() {
  const q = new Queue({ maxsize: 1024, maxBytes: 1 << 20 });
  const w = new Worker(WORKER, { eval: true, workerData: { mode: 'queue', n: N, handle: q.handle } });
  const exited = new Promise((r) => w.once('exit', r));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await q.asyncQ.get();
  const ms = performance.now() - t0;
  await exited;
  return N / (ms / 1000);
}

async function viaPostMessage() {
  const w = new Worker(WORKER, { eval: true, workerData: { mode: 'post', n: N } });
  const exited = new Promise((r) => w.once('exit', r));
  const t0 = performance.now();
  let got = 0;
  await new Promise((resolve) => w.on('message', () => ++got === N && resolve()));
  const ms = performance.now() - t0;
  await exited;
  return N / (ms / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const q = [];
const p = [];
for (let r = 0; r < REPS; r++) {
  q.push(await viaQueue());
  p.push(await viaPostMessage());
}
const fmt = (x) => `${(x / 1e6).toFixed(3)} M items/s`;
console.log(`small objects, worker -> main, ${N} items x ${REPS} reps (median)`);
console.log(`  janus-queue syncQ.put -> asyncQ.get : ${fmt(median(q))}`);
console.log(`  postMessage                         : ${fmt(median(p))}`);
console.log(`  ratio janus-queue / postMessage     : ${(median(q) / median(p)).toFixed(2)}x`);

await import('./codecs.mjs');
await import('./bytes.mjs');
await import('./roundtrip.mjs');
