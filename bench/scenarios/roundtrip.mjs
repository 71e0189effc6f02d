// Round-trip latency between the main thread and a worker: janus-queue
// (sync <-> sync, and a sync worker calling an async main thread) against
// postMessage ping-pong, synckit's createSyncFn and a bare Atomics.wait /
// notify ping-pong (the physical floor). p50 and p99 of every call.
import { Queue } from 'janus-queue';
import { createSyncFn } from 'synckit';
import { interleave, printGroup, printRatios, quantile, quick, ratio, record, size, startWorker } from '../lib/harness.mjs';

const N = size(10000);
const WARM = quick ? 50 : 500;
const REPS = quick ? 1 : 3;
const arg = { id: 1, name: 'call', args: [1, 2, 3] };

/** Times `call` (sync or async) N times after WARM untimed calls; returns the samples in µs. */
async function timeCalls(call) {
  for (let i = 0; i < WARM; i++) await call();
  const samples = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await call();
    samples[i] = (performance.now() - t0) * 1000;
  }
  return samples;
}

/** Same, for a synchronous call: no await between the clock reads. */
function timeSyncCalls(call) {
  for (let i = 0; i < WARM; i++) call();
  const samples = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    call();
    samples[i] = (performance.now() - t0) * 1000;
  }
  return samples;
}

const pair = () => ({ req: new Queue({ maxsize: 1 }), rep: new Queue({ maxsize: 1 }) });

const variants = {
  /** Main syncQ.put + syncQ.get against a worker echoing with syncQ. */
  async syncSync() {
    const { req, rep } = pair();
    const w = await startWorker('janus-echo', { req: req.handle, rep: rep.handle });
    w.go();
    const s = timeSyncCalls(() => {
      req.syncQ.put(arg);
      return rep.syncQ.get();
    });
    req.shutdown();
    await w.done;
    await w.terminate();
    return s;
  },
  /** A worker's syncQ.put + syncQ.get (timed there) against the main thread echoing with asyncQ. */
  async syncAsync() {
    const { req, rep } = pair();
    const w = await startWorker('janus-caller', { req: req.handle, rep: rep.handle, n: N, warm: WARM });
    w.go();
    for await (const x of req.asyncQ) await rep.asyncQ.put(x);
    const { samples } = await w.done;
    await w.terminate();
    return samples.map((ms) => ms * 1000);
  },
  /** Main postMessage + await the echo. */
  async post() {
    const w = await startWorker('post-echo');
    w.go();
    let wake;
    w.on('message', (m) => m?.done || wake());
    const s = await timeCalls(() => new Promise((resolve) => { wake = resolve; w.postMessage(arg); }));
    await w.terminate();
    return s;
  },
  /** Main Atomics.notify + Atomics.wait against a worker doing the same: no data, the floor. */
  async atomics() {
    const sab = new SharedArrayBuffer(8);
    const s32 = new Int32Array(sab);
    const w = await startWorker('atomics-echo', { sab });
    w.go();
    const s = timeSyncCalls(() => {
      Atomics.store(s32, 1, 0);
      Atomics.store(s32, 0, 1); // the request: the worker waits on word 0
      Atomics.notify(s32, 0);
      Atomics.wait(s32, 1, 0); // until the worker's reply
    });
    Atomics.store(s32, 0, 2);
    Atomics.notify(s32, 0);
    await w.done;
    await w.terminate();
    return s;
  },
  /** synckit's createSyncFn: what users pick today to call a worker synchronously. */
  async synckit() {
    const call = createSyncFn(new URL('../lib/synckit-worker.mjs', import.meta.url).pathname);
    return timeSyncCalls(() => call(arg));
  },
};

const LABELS = {
  syncSync: 'janus-queue syncQ <-> syncQ (two queues)',
  syncAsync: 'janus-queue sync worker <-> asyncQ main',
  post: 'postMessage ping-pong',
  atomics: 'bare Atomics.wait/notify (floor)',
  synckit: 'synckit createSyncFn',
};

export async function roundtrip() {
  const wrapped = Object.fromEntries(Object.entries(variants).map(([k, f]) => [k, async () => {
    const s = [...(await f())].sort((a, b) => a - b);
    return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
  }]));
  const runs = await interleave(wrapped, REPS);
  const ids = [];
  for (const [k, rs] of Object.entries(runs)) {
    for (const p of ['p50', 'p99']) {
      record(`rt/${k}/${p}`, { group: 'round trip', label: `${LABELS[k]}, ${p}`, unit: 'µs', better: 'lower', samples: rs.map((r) => r[p]) });
      ids.push(`rt/${k}/${p}`);
    }
  }
  printGroup(`round trip main <-> worker, ${N} calls (p50 and p99; median of ${REPS} runs)`, ids);
  printRatios([
    ratio('rt/syncSync:atomics', 'sync<->sync p50 / bare Atomics p50', 'rt/syncSync/p50', 'rt/atomics/p50', ['<=', 1.3]),
    ratio('rt/syncAsync:post', 'sync<->async p50 / postMessage p50', 'rt/syncAsync/p50', 'rt/post/p50'),
    ratio('rt/syncSync:synckit', 'sync<->sync p50 / synckit p50', 'rt/syncSync/p50', 'rt/synckit/p50'),
  ]);
}
