// What producers and consumers do, shared by worker threads and the main thread.
import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';

const item = (className, id, n, pad) => {
  const body = { p: id, n, pad: 'x'.repeat(pad) };
  return className === 'PriorityQueue' ? [n % 5, body] : body;
};
const body = (x) => (Array.isArray(x) ? x[1] : x);

/** Puts items until the deadline; returns how many were put (their n are 0..count-1). */
export async function produce(q, r, id, deadline, className, maxPad = 200) {
  let n = 0;
  while (Date.now() < deadline) {
    const x = item(className, id, n, r() < 0.05 ? maxPad : r.int(40));
    const op = r.int(6);
    try {
      if (op === 0) q.syncQ.put(x, { timeout: r.pick([0, 1, 5]) });
      else if (op === 1) q.syncQ.putNowait(x);
      else if (op === 2) await q.asyncQ.put(x, { timeout: r.pick([0, 1, 5]) });
      else if (op === 3) {
        const ac = new AbortController();
        const p = q.asyncQ.put(x, { signal: ac.signal });
        if (r() < 0.5) ac.abort();
        await p;
      } else if (op === 4) q.asyncQ.putNowait(x);
      else q.syncQ.put(x, { timeout: 20 });
      n++;
    } catch (e) {
      if (e instanceof QueueShutDown) break;
      if (!(e instanceof QueueFull) && e?.name !== 'AbortError') throw e;
    }
  }
  return { role: 'producer', id, count: n };
}

/** Gets until the queue is shut down and drained; returns [p, n] pairs in the order got. */
export async function consume(q, r, id) {
  const got = [];
  const take = (x) => {
    const b = body(x);
    got.push([b.p, b.n]);
    q.syncQ.taskDone();
  };
  for (;;) {
    const op = r.int(5);
    try {
      if (op === 0) take(q.syncQ.get({ timeout: r.pick([0, 1, 5, 50]) }));
      else if (op === 1) take(q.syncQ.getNowait());
      else if (op === 2) take(await q.asyncQ.get({ timeout: r.pick([0, 1, 5, 50]) }));
      else if (op === 3) {
        const ac = new AbortController();
        const p = q.asyncQ.get({ signal: ac.signal });
        if (r() < 0.3) ac.abort();
        take(await p);
      } else take(q.syncQ.get({ timeout: 50 }));
    } catch (e) {
      if (e instanceof QueueShutDown) break;
      if (!(e instanceof QueueEmpty) && e?.name !== 'AbortError') throw e;
    }
  }
  return { role: 'consumer', id, got };
}
