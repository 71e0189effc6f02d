// Soak: 10 M items through 4 threads (two producer workers, a consumer
// worker and the main thread consuming on asyncQ), single and batched calls
// on both faces, then a shutdown. Prints the main thread's heap (after a full
// GC) and the process RSS after the warm-up and at intervals, each worker's
// heap at its end, and checks that every item was got exactly once
// (a shared tally). Not part of npm test.
// Run: npm run soak   (node --expose-gc test/soak/run.mjs [--items N])
import { Worker } from 'node:worker_threads';
import { Queue } from 'janus-queue';

if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc (npm run soak does)');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ITEMS = arg('items', 10_000_000);
const PRODUCERS = 2;
const PER = ITEMS / PRODUCERS;
const BATCH = 64;
const q = new Queue({ maxsize: 1024 });
const tally = new Uint8Array(new SharedArrayBuffer(ITEMS)); // got count per item
const progress = new Int32Array(new SharedArrayBuffer(4)); // items got, by every consumer
// Touch every page of the tally now, so that the RSS figures do not count it filling up.
for (let i = 0; i < ITEMS; i += 4096) tally[i] = 0;

const WORKER = `
const { workerData: { role, handle, tally, progress, p, per, batch }, parentPort } = require('node:worker_threads');
const { Queue, QueueShutDown } = require(${JSON.stringify(new URL('../../dist/index.cjs', import.meta.url).pathname)});
const q = Queue.attach(handle);
const seen = new Uint8Array(tally);
const done = new Int32Array(progress);
const mib = () => { globalThis.gc(); return +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1); };
let heapWarm;
if (role === 'producer') {
  let n = 0;
  const items = [];
  while (n < per) {
    if (n === 1e5) heapWarm = mib();
    if (n % 5 === 0 || per - n < batch) q.syncQ.put({ p, n: n++ });
    else {
      items.length = 0;
      for (let i = 0; i < batch; i++) items.push({ p, n: n++ });
      q.syncQ.putMany(items);
    }
  }
} else {
  let got = 0;
  for (;;) {
    let xs;
    try { xs = got % 3 === 0 ? [q.syncQ.get()] : q.syncQ.getMany(batch); } catch (e) { if (e instanceof QueueShutDown) break; throw e; }
    for (const x of xs) Atomics.add(seen, x.p * per + x.n, 1);
    Atomics.add(done, 0, xs.length);
    got += xs.length;
    if (heapWarm === undefined && got >= 1e5) heapWarm = mib();
  }
}
parentPort.postMessage({ role, heapWarmMiB: heapWarm, heapEndMiB: mib() });`;

const mib = (b) => +(b / 2 ** 20).toFixed(1);
const sample = (label, got, t0) => {
  globalThis.gc();
  const m = process.memoryUsage();
  const row = { label, items: got, seconds: +((performance.now() - t0) / 1000).toFixed(1), heapMiB: mib(m.heapUsed), rssMiB: mib(m.rss) };
  console.log(JSON.stringify(row));
  return row;
};

const t0 = performance.now();
const spawn = (data) => {
  const w = new Worker(WORKER, { eval: true, workerData: { handle: q.handle, tally: tally.buffer, progress: progress.buffer, per: PER, batch: BATCH, ...data } });
  return new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
};
const producers = [...Array(PRODUCERS).keys()].map((p) => spawn({ role: 'producer', p }));
const consumer = spawn({ role: 'consumer' });
console.log(`soak: ${ITEMS} items, 4 threads (2 producer workers, 1 consumer worker, the main thread on asyncQ), maxsize 1024, batches of ${BATCH}`);

const rows = [];
let got = 0;
let next = Math.min(1e6, ITEMS / 10);
const step = next;
const mainLoop = (async () => {
  for (;;) {
    let xs;
    try {
      xs = got % 2 === 0 ? await q.asyncQ.getMany(BATCH) : [await q.asyncQ.get()];
    } catch (e) {
      if (e.name === 'QueueShutDown') return;
      throw e;
    }
    for (const x of xs) Atomics.add(tally, x.p * PER + x.n, 1);
    got += xs.length;
    const total = Atomics.add(progress, 0, xs.length) + xs.length;
    if (total >= next) {
      rows.push(sample(rows.length === 0 ? 'after warm-up' : 'interval', total, t0));
      next += step;
    }
  }
})();
const prodRes = await Promise.all(producers);
q.shutdown();
const consRes = await consumer;
await mainLoop;
const end = sample('end', ITEMS, t0);
let once = 0;
let bad = 0;
for (let i = 0; i < ITEMS; i++) tally[i] === 1 ? once++ : bad++;
const warm = rows[0] ?? end;
console.log(JSON.stringify({
  items: ITEMS,
  threads: 4,
  seconds: end.seconds,
  gotExactlyOnce: once,
  lostOrTwice: bad,
  mainHeapMiB: { afterWarmUp: warm.heapMiB, end: end.heapMiB },
  rssMiB: { afterWarmUp: warm.rssMiB, end: end.rssMiB },
  workers: [...prodRes, consRes],
}));
if (bad !== 0) process.exit(1);
