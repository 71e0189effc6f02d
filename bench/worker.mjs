// The worker side of every cross-thread scenario. workerData.role picks what
// it does; it says "ready" once set up, starts on "go", and posts
// { done: true, ... } when finished. Janus roles use syncQ (they may block).
import { parentPort, workerData } from 'node:worker_threads';
import { Queue } from 'janus-queue';
import { sends } from './lib/payloads.mjs';
import { Ring } from './lib/ring.mjs';
import { LockedRing } from './lib/locked-ring.mjs';
import { loadCodecs } from './lib/codecs.mjs';

const d = workerData;

/** Sends this run's items (lib/payloads.mjs) one by one, or in batches. */
function produce(send, sendBatch) {
  const each = d.batch ? sendBatch : send;
  for (const x of sends(d)) each(x);
}

const roles = {
  // janus-queue producer / consumer through syncQ.
  'janus-put'() {
    const q = Queue.attach(d.handle);
    // view: each item written in place with putView (the bytes copied from the source array).
    if (d.view) return () => produce((x) => q.syncQ.putView(x.length, (v) => v.set(x)));
    return () => produce((x) => q.syncQ.put(x), (b) => q.syncQ.putMany(b));
  },
  'janus-get'() {
    const q = Queue.attach(d.handle);
    return () => {
      if (!d.batch) for (let i = 0; i < d.n; i++) q.syncQ.get();
      else for (let got = 0; got < d.n; ) got += q.syncQ.getMany(d.batch).length;
    };
  },
  // MPMC: producers put their share, consumers take until shut down and drained.
  'janus-mpmc-put'() {
    const q = Queue.attach(d.handle);
    return () => produce((x) => q.syncQ.put(x));
  },
  'janus-mpmc-get'() {
    const q = Queue.attach(d.handle);
    // Until shut down and drained, or, in a warm-up pass, until a null.
    return () => {
      let got = 0;
      for (const x of q.syncQ) {
        if (x === null) break;
        got++;
      }
      return { got };
    };
  },
  // The floors (bench/lib/ring.mjs, locked-ring.mjs): the same items through
  // a bare ring, encoded by the default codec (small objects) as the queue
  // encodes them; a batch publishes once, on its last item.
  async 'ring-put'() {
    const ring = new Ring(d.ring);
    const codec = d.kind === 'small' ? (await loadCodecs({ build: false })).structured : undefined;
    const put = (x, publish) => {
      if (codec) ring.put(codec.encode(x, 1 << 20), publish);
      else if (d.view) ring.putFill(x.length, (v) => v.set(x), publish);
      else ring.put(x, publish);
    };
    return () => produce((x) => put(x, true), (b) => b.forEach((x, i) => put(x, i === b.length - 1)));
  },
  async 'floor-mpmc-put'() {
    const ring = new LockedRing(d.ring);
    const codec = (await loadCodecs({ build: false })).structured;
    return () => produce((x) => ring.put(codec.encode(x, 1 << 20)));
  },
  async 'floor-mpmc-get'() {
    const ring = new LockedRing(d.ring);
    const codec = (await loadCodecs({ build: false })).structured;
    const scratch = new Uint8Array(256);
    return () => {
      let got = 0;
      // Until closed and drained, or, in a warm-up pass, until an empty record.
      for (let n; (n = ring.take(scratch)) > 0; got++) codec.decode(scratch.subarray(0, n));
      return { got };
    };
  },
  // postMessage producer / consumer, on parentPort or on d.port (worker <-> worker).
  'post-put'() {
    const port = d.port ?? parentPort;
    const send = d.transfer ? (x) => port.postMessage(x, [x.buffer]) : (x) => port.postMessage(x);
    const sendBatch = d.transfer ? (b) => port.postMessage(b, b.map((x) => x.buffer)) : (b) => port.postMessage(b);
    return () => produce(send, sendBatch);
  },
  'post-get'() {
    const port = d.port ?? parentPort;
    return () =>
      new Promise((resolve) => {
        let got = 0;
        const onItem = (m) => {
          got += d.batch ? m.length : 1;
          if (got !== d.n) return;
          port.off('message', onItem);
          resolve();
        };
        port.on('message', onItem);
      });
  },
  // Round-trip echo servers.
  'janus-echo'() {
    const req = Queue.attach(d.req);
    const rep = Queue.attach(d.rep);
    return () => {
      for (const x of req.syncQ) rep.syncQ.put(x);
    };
  },
  'post-echo'() {
    return () =>
      new Promise((resolve) => {
        parentPort.on('message', (m) => (m === 'stop' ? resolve() : parentPort.postMessage(m)));
      });
  },
  'atomics-echo'() {
    const s = new Int32Array(d.sab);
    return () => {
      // Word 0: 1 = a request, 2 = stop; word 1: 1 = the reply.
      for (;;) {
        Atomics.wait(s, 0, 0);
        if (Atomics.load(s, 0) === 2) return;
        Atomics.store(s, 0, 0);
        Atomics.store(s, 1, 1);
        Atomics.notify(s, 1);
      }
    };
  },
  // Sync worker calling an async main thread: times each round trip itself.
  'janus-caller'() {
    const req = Queue.attach(d.req);
    const rep = Queue.attach(d.rep);
    const arg = { id: 1, name: 'call', args: [1, 2, 3] };
    return () => {
      for (let i = 0; i < d.warm; i++) {
        req.syncQ.put(arg);
        rep.syncQ.get();
      }
      const samples = new Float64Array(d.n);
      for (let i = 0; i < d.n; i++) {
        const t0 = performance.now();
        req.syncQ.put(arg);
        rep.syncQ.get();
        samples[i] = performance.now() - t0;
      }
      req.syncQ.shutdown();
      return { samples };
    };
  },
};

const run = await roles[d.role]();
// Each "go" runs one pass; { go: true, n } first sets the pass's item count
// (a warm-up pass, then the timed one, through the same workers). The
// listener is attached only between passes, so that a pass's own messages
// (a postMessage consumer's items) meet no listener but the role's.
function onGo(m) {
  if (m !== 'go' && m?.go !== true) return void parentPort.once('message', onGo);
  if (m.n !== undefined) d.n = m.n;
  void pass();
}
async function pass() {
  const t0 = performance.now();
  const extra = await run();
  const ms = performance.now() - t0;
  parentPort.once('message', onGo);
  parentPort.postMessage({ done: true, ms, ...extra });
}
parentPort.once('message', onGo);
parentPort.postMessage('ready');
