// Worker -> main throughput of several builds, alternated in one process
// (a slow spell of the shared machine falls on all of them alike), beside
// postMessage: a worker puts `size`-byte Uint8Arrays (syncQ.put, or putView
// with `view`) from a pool of 128 distinct arrays, the main thread gets them
// (await asyncQ.get, or getView reading the first and last byte). Prints the
// median and every alternation's items/s per build.
//   node bench/alternate.mjs 65536 copy /old/dist/index.js dist/index.js
//   ROUNDS=16 MB=1048576 node bench/alternate.mjs 65536 view a/index.js b/index.js
// ROUNDS: alternations (the first is a warm-up, not counted; default 8);
// MB: the queue's maxBytes (default 8 MiB for 64 KiB items, else 2 MiB).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const [, , size = '65536', mode = 'copy', ...paths] = process.argv;
const SIZE = Number(size);
const N = SIZE >= 65536 ? 4000 : 50000;
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const MAX_BYTES = Number(process.env.MB ?? (SIZE >= 65536 ? 8 << 20 : 2 << 20));
const urls = paths.map((p) => pathToFileURL(resolve(p)).href);
const builds = await Promise.all(urls.map((u) => import(u)));

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { url, handle, N, SIZE, mode } = workerData;
  const pool = Array.from({ length: 128 }, (_, i) => new Uint8Array(SIZE).fill(i));
  let send;
  if (!url) send = () => { for (let i = 0; i < N; i++) parentPort.postMessage(pool[i % 128]); };
  else {
    const q = (await import(url)).Queue.attach(handle);
    send = mode === 'view'
      ? () => { for (let i = 0; i < N; i++) { const x = pool[i % 128]; q.syncQ.putView(SIZE, (v) => v.set(x)); } }
      : () => { for (let i = 0; i < N; i++) q.syncQ.put(pool[i % 128]); };
  }
  parentPort.once('message', send);
  parentPort.postMessage('ready');
})();`;

const touch = (v) => v[0] + v[v.length - 1];

/** Items/s of one pass: build `b`, or postMessage for -1. */
async function pass(b) {
  const q = b < 0 ? undefined : new builds[b].Queue({ maxsize: 1024, maxBytes: MAX_BYTES, codec: 'bytes' });
  const w = new Worker(WORKER, { eval: true, workerData: { url: b < 0 ? '' : urls[b], handle: q?.handle, N, SIZE, mode } });
  await new Promise((r) => w.once('message', r));
  const t0 = performance.now();
  w.postMessage('go');
  if (!q) await new Promise((r) => { let n = 0; w.on('message', () => ++n === N && r()); });
  else if (mode === 'view') for (let i = 0; i < N; i++) await q.asyncQ.getView(touch);
  else for (let i = 0; i < N; i++) await q.asyncQ.get();
  const rate = N / ((performance.now() - t0) / 1000);
  await w.terminate();
  return rate;
}

const names = ['postMessage', ...paths];
const rates = names.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  const order = [-1, ...builds.keys()];
  for (const b of r % 2 ? order.reverse() : order) {
    const rate = await pass(b);
    if (r > 0) rates[b + 1].push(rate);
  }
}
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`worker -> main, ${SIZE} bytes, ${mode}, ${N} items, maxBytes ${MAX_BYTES}, ${ROUNDS - 1} alternations`);
for (const [i, name] of names.entries()) console.log(`  ${name.padEnd(32)} median ${(median(rates[i]) / 1000).toFixed(1)} k/s   ${rates[i].map((x) => (x / 1000).toFixed(0)).join(' ')}`);
