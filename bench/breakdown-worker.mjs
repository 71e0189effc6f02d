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
const { payload } = await import('./lib/payloads.mjs');
const { make } = payload(d.kind, d.role === 'transfer');
const small = d.kind === 'small';

const run = {
  queue() {
    const q = Queue.attach(d.handle);
    for (let i = 0; i < d.n; i++) q.syncQ.put(make(i));
  },
  view() {
    const q = Queue.attach(d.handle);
    for (let i = 0; i < d.n; i++) {
      const x = make(i);
      q.syncQ.putView(x.length, (v) => v.set(x));
    }
  },
  post() {
    for (let i = 0; i < d.n; i++) parentPort.postMessage(make(i));
  },
  transfer() {
    for (let i = 0; i < d.n; i++) {
      const x = make(i);
      parentPort.postMessage(x, [x.buffer]);
    }
  },
  ring() {
    const ring = new Ring(d.ring);
    const codec = codecs.structured;
    for (let i = 0; i < d.n; i++) ring.put(small ? codec.encode(make(i), 1 << 20) : make(i));
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
