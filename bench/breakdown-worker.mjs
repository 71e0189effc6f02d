// The producer side of bench/breakdown.mjs: counts its futex calls (Atomics
// wrapped before the queue is loaded), says "ready", and on "go" puts its
// items with syncQ.put, or writes them encoded into the bare ring.
import { parentPort, workerData } from 'node:worker_threads';
import { countAtomics } from './lib/futex-count.mjs';

const d = workerData;
const counts = countAtomics(d.lockIndex);
const { Queue } = await import(d.dist);
const { loadCodecs } = await import('./lib/codecs.mjs');
const codecs = d.role === 'ring' ? await loadCodecs({ build: false, from: d.codecDir }) : undefined;
const { Ring } = await import('./lib/ring.mjs');
const { smallObject } = await import('./lib/payloads.mjs');

const run = {
  queue() {
    const q = Queue.attach(d.handle);
    for (let i = 0; i < d.n; i++) q.syncQ.put(smallObject(i));
  },
  post() {
    for (let i = 0; i < d.n; i++) parentPort.postMessage(smallObject(i));
  },
  ring() {
    const ring = new Ring(d.ring);
    const codec = codecs.structured;
    for (let i = 0; i < d.n; i++) ring.put(codec.encode(smallObject(i), 1 << 20));
  },
}[d.role];

parentPort.once('message', () => {
  counts.reset();
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  parentPort.postMessage({ done: true, cpu: c.user + c.system, counts: counts.snapshot() });
  counts.restore();
});
parentPort.postMessage('ready');
