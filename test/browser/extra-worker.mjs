// A dedicated module Worker for extras.mjs: `{ role, ... }` in, one
// `{ value }` or `{ error }` out.
import '/test/browser/strip.mjs';
import { Queue } from '/dist/index.js';

const T = { timeout: 20000 };

const roles = {
  /** Pipes one queue into the other through Web Streams. */
  async pipe({ from, to }) {
    await Queue.attach(from).asyncQ.readable().pipeTo(Queue.attach(to).asyncQ.writable({ shutdownOnClose: true }));
  },

  /** Lock contention: puts `n` items tagged with `id` and gets `n` items, with the face given; returns what it got. */
  async hammer({ h, id, n, face }) {
    const q = Queue.attach(h)[face];
    const got = [];
    for (let i = 0; i < n; i++) {
      await q.put(id * 1e6 + i, T);
      got.push(await q.get(T));
    }
    return got;
  },
};

onmessage = async ({ data }) => {
  try {
    postMessage({ value: await roles[data.role](data), waitAsync: typeof Atomics.waitAsync === 'function' });
  } catch (e) {
    postMessage({ error: `${e.name}: ${e.message}\n${e.stack}` });
  }
};
