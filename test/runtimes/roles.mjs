// The worker side of the portable suite: one module for both kinds of
// worker. A worker_threads Worker gets `{ role, data }` as workerData; a web
// Worker gets it as its first message. The role's return value (or error)
// is posted back once.
import * as wt from 'node:worker_threads';
import { LifoQueue, PriorityQueue, Queue, QueueShutDown } from 'janus-queue';
import { connectSyncFn } from 'janus-queue/sync-fn';
import { CODECS } from '../helpers/codecs.mjs';
import { describeValue } from '../browser/describe-value.mjs';

const T = { timeout: 20000 }; // generous bound: a lost wake-up fails, never hangs
const CLASSES = { Queue, LifoQueue, PriorityQueue };
const attach = (h, codec) => CLASSES[h.kind].attach(h, codec === undefined ? undefined : { codec: CODECS[codec] ?? codec });
const outcome = async (f) => {
  try {
    await f();
    return 'returned';
  } catch (e) {
    return e.name;
  }
};

const roles = {
  /** Puts 0..n-1 with the given face, then shuts the queue down if asked. */
  async produce({ h, n, face, shutdown }) {
    const q = attach(h);
    for (let i = 0; i < n; i++) await q[face].put(i, T);
    if (shutdown) q[face].shutdown();
  },

  /** Gets until the queue is shut down and drained, with taskDone for each; returns what it got. */
  async consume({ h, face }) {
    const q = attach(h);
    const got = [];
    for (;;) {
      try {
        got.push(await q[face].get(T));
      } catch (e) {
        if (e instanceof QueueShutDown) return got;
        throw e;
      }
      q[face].taskDone();
    }
  },

  /** Takes everything from queues the main thread filled, in the order each kind gives. */
  drain({ handles }) {
    return handles.map((h) => {
      const q = attach(h);
      return Array.from({ length: q.syncQ.qsize() }, () => q.syncQ.get(T));
    });
  },

  /** Blocks in syncQ.get on an empty queue and in syncQ.put on a full one; the main thread's shutdown wakes both. */
  async blocked({ empty, full }) {
    return [await outcome(() => attach(empty).syncQ.get()), await outcome(() => attach(full).syncQ.put('late'))];
  },

  /** Timeouts and abort here, on an empty queue and a full one: nothing changes. */
  async timeouts({ empty, full }) {
    const e = attach(empty);
    const f = attach(full);
    const ac = new AbortController();
    const aborted = outcome(() => e.asyncQ.get({ signal: ac.signal }));
    ac.abort();
    return [
      await outcome(() => e.syncQ.get({ timeout: 10 })),
      await outcome(() => f.syncQ.put('x', { timeout: 10 })),
      await outcome(() => e.asyncQ.get({ timeout: 10 })),
      await outcome(() => f.asyncQ.put('x', { timeout: 10 })),
      await aborted,
      [e.syncQ.qsize(), f.syncQ.qsize()],
    ];
  },

  /** Echoes one value through the codec named: what arrived (as text), and the value sent back. */
  echo({ h, back, codec }) {
    const v = attach(h, codec).syncQ.get(T);
    attach(back, codec).syncQ.put(v, T);
    return typeof v === 'object' && v !== null ? describeValue(v) : v;
  },

  /** Pipes one queue into another through Web Streams: readable() to writable(), closed at the end. */
  async pipe({ from, to }) {
    await attach(from).asyncQ.readable().pipeTo(attach(to).asyncQ.writable({ shutdownOnClose: true }));
  },

  /** Calls the main thread's served function synchronously. */
  call({ handle }) {
    const f = connectSyncFn(handle, { timeout: 20000 });
    const sum = f(2, 3);
    let thrown;
    try {
      f('throw');
    } catch (e) {
      thrown = `${e.name}: ${e.message}`;
    }
    f.close();
    return [sum, thrown];
  },

  /**
   * Lock contention: puts `n` items tagged with `id` and gets `n` items, in
   * batches, on a small queue shared with other threads, with the face
   * given. Returns what it got, for the main thread to check that every
   * item came out exactly once.
   */
  async hammer({ h, id, n, face }) {
    const q = attach(h);
    const got = [];
    for (let i = 0; i < n; i += 4) {
      const batch = [i, i + 1, i + 2, i + 3].filter((k) => k < n).map((k) => id * 1e6 + k);
      if (i % 8 === 0) await q[face].putMany(batch, T);
      else for (const x of batch) await q[face].put(x, T);
      for (let k = 0; k < batch.length; ) {
        const taken = i % 8 === 0 ? await q[face].getMany(batch.length - k, T) : [await q[face].get(T)];
        got.push(...taken);
        k += taken.length;
      }
    }
    return got;
  },

  /** Waits on a queue until it is terminated (watch() checks). */
  wait({ h }) {
    return attach(h).syncQ.get();
  },
};

async function serve({ role, data }, reply) {
  try {
    reply({ value: await roles[role](data) });
  } catch (e) {
    reply({ error: `${e?.name}: ${e?.message}\n${e?.stack}` });
  }
}

if (wt.parentPort !== null && wt.workerData?.role !== undefined) serve(wt.workerData, (m) => wt.parentPort.postMessage(m));
else globalThis.onmessage = ({ data }) => serve(data, (m) => globalThis.postMessage(m));
