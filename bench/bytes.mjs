// 1 KiB Uint8Arrays worker -> main: janus-queue (bytes codec, syncQ.put -> asyncQ.get)
// against postMessage (copy), 3 alternating runs of 100,000.
// Run: npm run build && node bench/bytes.mjs
import { Worker } from 'node:worker_threads';
import { Queue } from 'janus-queue';
const CJS = new URL('../dist/index.cjs', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const N = quick ? 10000 : 100000;
async function viaQueue() {
  const q = new Queue({ maxsize: 1024, maxBytes: 4 << 20, codec: 'bytes' });
  const w = new Worker(`const { workerData } = require('node:worker_threads'); const { Queue } = require(${JSON.stringify(CJS)});
    const q = Queue.attach(workerData); const b = new Uint8Array(1024); for (let i = 0; i < ${N}; i++) q.syncQ.put(b);`, { eval: true, workerData: q.handle });
  const ex = new Promise(r => w.once('exit', r)); const t0 = performance.now();
  for (let i = 0; i < N; i++) await q.asyncQ.get();
  const ms = performance.now() - t0; await ex; return N / ms * 1000;
}
async function viaPost() {
  const w = new Worker(`const { parentPort } = require('node:worker_threads'); const b = new Uint8Array(1024); for (let i = 0; i < ${N}; i++) parentPort.postMessage(b);`, { eval: true });
  const ex = new Promise(r => w.once('exit', r)); const t0 = performance.now(); let n = 0;
  await new Promise(res => w.on('message', () => ++n === N && res()));
  const ms = performance.now() - t0; await ex; return N / ms * 1000;
}
for (let i = 0; i < (quick ? 1 : 3); i++) { const a = await viaQueue(), b = await viaPost(); console.log(`1 KiB bytes: queue ${(a/1e6).toFixed(3)} M/s, postMessage ${(b/1e6).toFixed(3)} M/s, ratio ${(a/b).toFixed(2)}x`); }
