// What producers, consumers, joiners and the shutter do, shared by worker
// threads and the main thread. `q` is the queue as the role should use it
// (on the main thread, blocking calls have short timeouts: see run.mjs).
import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';

/**
 * The item a producer puts: its id and sequence number, and a random size
 * that is sometimes near or exactly maxBytes (and, rarely, one byte over,
 * which must be a RangeError).
 */
export function makeItem(cfg, r, p, n) {
  const { className, codec, maxBytes } = cfg;
  let body;
  let over = false;
  if (codec === 'bytes') {
    const roll = r();
    const len = roll < 0.03 ? maxBytes : roll < 0.06 ? maxBytes - 1 - r.int(8) : roll < 0.07 ? ((over = true), maxBytes + 1) : 8 + r.int(40);
    body = new Uint8Array(len);
    const v = new DataView(body.buffer);
    v.setInt32(0, p);
    v.setInt32(4, n);
  } else {
    // structured: { p, n, pad } encodes to pad + 45 bytes or fewer (n >= 2^31 takes 4 more)
    const roll = r();
    const pad = roll < 0.05 ? Math.max(0, maxBytes - 50 - r.int(10)) : roll < 0.06 ? ((over = true), maxBytes) : r.int(Math.min(40, maxBytes - 50));
    body = { p, n, pad: 'x'.repeat(pad) };
  }
  return { item: className === 'PriorityQueue' ? [n % 5, body] : body, over };
}

function smallItem({ className, codec }, p, n) {
  let body;
  if (codec === 'bytes') {
    body = new Uint8Array(8);
    const v = new DataView(body.buffer);
    v.setInt32(0, p);
    v.setInt32(4, n);
  } else body = { p, n, pad: '' };
  return className === 'PriorityQueue' ? [n % 5, body] : body;
}

/** [p, n] of an item got. */
export function idOf(x) {
  const b = Array.isArray(x) ? x[1] : x;
  if (b instanceof Uint8Array) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return [v.getInt32(0), v.getInt32(4)];
  }
  return [b.p, b.n];
}

const isAbort = (e) => e?.name === 'AbortError';

/** Puts items until the deadline or a shutdown; returns how many were put (their n are 0..count-1). */
export async function produce(q, r, id, deadline, cfg) {
  let n = 0;
  let refused = 0;
  while (Date.now() < deadline) {
    const { item, over } = makeItem(cfg, r, id, n);
    const op = r.int(8);
    try {
      if (op === 0) q.syncQ.put(item, { timeout: r.pick([0, 1, 5]) });
      else if (op === 1) q.syncQ.putNowait(item);
      else if (op === 2) await q.asyncQ.put(item, { timeout: r.pick([0, 1, 5]) });
      else if (op === 3) {
        const ac = new AbortController();
        const p = q.asyncQ.put(item, { signal: ac.signal });
        if (r() < 0.5) ac.abort();
        await p;
      } else if (op === 4) q.asyncQ.putNowait(item);
      else if (op === 5 && cfg.maxsize !== 1) {
        // a batch of two small items: n and n + 1, contiguous
        const batch = [smallItem(cfg, id, n), smallItem(cfg, id, n + 1)];
        if (r() < 0.5) q.syncQ.putMany(batch, { timeout: r.pick([0, 5]) });
        else await q.asyncQ.putMany(batch, { timeout: r.pick([0, 5]) });
        n += 2;
        continue;
      } else q.syncQ.put(item, { timeout: 20 });
      if (over) throw new Error(`an item over maxBytes went in (producer ${id}, n ${n})`);
      n++;
    } catch (e) {
      if (e instanceof QueueShutDown) break;
      if (over && e instanceof RangeError) {
        refused++;
        continue;
      }
      if (!(e instanceof QueueFull) && !isAbort(e)) throw e;
    }
  }
  return { role: 'producer', id, count: n, refused };
}

/** Gets until the queue is shut down and drained; returns [p, n] pairs in the order got, each marked done. */
export async function consume(q, r, id) {
  const got = [];
  const take = (x) => {
    got.push(idOf(x));
    (r() < 0.5 ? q.syncQ : q.asyncQ).taskDone();
  };
  for (;;) {
    const op = r.int(7);
    try {
      if (op === 0) take(q.syncQ.get({ timeout: r.pick([0, 1, 5, 50]) }));
      else if (op === 1) take(q.syncQ.getNowait());
      else if (op === 2) take(await q.asyncQ.get({ timeout: r.pick([0, 1, 5, 50]) }));
      else if (op === 3) {
        const ac = new AbortController();
        const p = q.asyncQ.get({ signal: ac.signal });
        if (r() < 0.3) ac.abort();
        take(await p);
      } else if (op === 4) {
        const xs = r() < 0.5 ? q.syncQ.getMany(3, { timeout: r.pick([0, 5]) }) : await q.asyncQ.getMany(3, { timeout: r.pick([0, 5]) });
        xs.forEach(take);
      } else if (op === 5) take(q.syncQ.get({ timeout: 50 }));
      else {
        // Several gets waiting at once in this thread (its pump serves a run
        // of them in one lock hold), some with a timeout, some aborted.
        const ac = new AbortController();
        const ps = Array.from({ length: 2 + r.int(7) }, () => q.asyncQ.get(r() < 0.5 ? { timeout: r.pick([1, 5, 50]) } : { signal: ac.signal }));
        if (r() < 0.3) ac.abort();
        let stop;
        for (const s of await Promise.allSettled(ps)) {
          if (s.status === 'fulfilled') take(s.value);
          else if (s.reason instanceof QueueShutDown) stop = s.reason;
          else if (!(s.reason instanceof QueueEmpty) && !isAbort(s.reason)) throw s.reason;
        }
        if (stop) throw stop;
      }
    } catch (e) {
      if (e instanceof QueueShutDown) break;
      if (!(e instanceof QueueEmpty) && !isAbort(e)) throw e;
    }
  }
  return { role: 'consumer', id, got };
}

/** Joins with short timeouts while the queue is open; then one join that must return true. */
export async function join(q, r, id) {
  let tries = 0;
  while (!q.closed) {
    tries++;
    if (r() < 0.5) q.syncQ.join({ timeout: r.pick([0, 1, 5]) });
    else await q.asyncQ.join({ timeout: r.pick([0, 1, 5]) });
  }
  // Every item got is marked done and an immediate shutdown discounts what it drops: join must return.
  const joined = q.syncQ.join({ timeout: 60000 });
  return { role: 'joiner', id, tries, joined };
}

/** Shuts the queue down at a random moment of the run. */
export function shutter(q, r, id, { at, immediate }) {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  // Not synchronisation: a random moment, which is the point of the role.
  Atomics.wait(nap, 0, 0, Math.max(0, at - Date.now()));
  q.shutdown(immediate);
  return { role: 'shutter', id, immediate };
}
