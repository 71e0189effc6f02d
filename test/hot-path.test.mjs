// The async face per item: an item that is already there costs one lock
// hold, and no timer, abort listener or closure of its own (issue "Performance
// II", item 6). Counted, not timed: the lock's compareExchange calls on the
// LOCK word and the timers started.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue } from 'janus-queue';
import { LOCK } from './helpers/layout.mjs';

/** Runs `body`, counting compareExchange calls on the LOCK word and setTimeout calls. */
async function counting(body) {
  const { compareExchange } = Atomics;
  const setTimeoutBefore = globalThis.setTimeout;
  const counts = { lock: 0, timers: 0 };
  Atomics.compareExchange = function (ta, i, ...rest) {
    if (i === LOCK && ta.length > LOCK + 64) counts.lock++;
    return compareExchange.call(Atomics, ta, i, ...rest);
  };
  globalThis.setTimeout = (...args) => (counts.timers++, setTimeoutBefore(...args));
  try {
    await body();
  } finally {
    Atomics.compareExchange = compareExchange;
    globalThis.setTimeout = setTimeoutBefore;
  }
  return counts;
}

describe('the async face per item', () => {
  it('for await over items already there: one lock hold per item, no timers', async () => {
    const q = new Queue();
    const n = 500;
    for (let i = 0; i < n; i++) q.syncQ.put({ i });
    q.syncQ.shutdown();
    const got = [];
    const counts = await counting(async () => {
      for await (const x of q.asyncQ) got.push(x.i);
    });
    assert.deepEqual(got, [...Array(n).keys()]);
    assert.equal(counts.lock, n + 1, 'one lock hold per item, and one that finds the queue shut down and drained');
    assert.equal(counts.timers, 0);
  });

  it('await get() in a loop over items already there: one lock hold per item, no timers, even with a timeout and a signal', async () => {
    const q = new Queue();
    const n = 300;
    for (let i = 0; i < n; i++) q.syncQ.put(i);
    const signal = new AbortController().signal;
    const counts = await counting(async () => {
      for (let i = 0; i < n; i++) assert.equal(await q.asyncQ.get({ timeout: 1000, signal }), i);
    });
    assert.equal(counts.lock, n);
    assert.equal(counts.timers, 0);
  });

  it('for await still waits for items that come later, and ends at shutdown', async () => {
    const q = new Queue();
    const seen = [];
    const loop = (async () => {
      for await (const x of q.asyncQ) seen.push(x);
    })();
    for (let i = 0; i < 5; i++) await q.asyncQ.put(i);
    q.asyncQ.shutdown();
    await loop;
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  });

  it('break out of for await: return() ends the iterator, nothing more is taken', async () => {
    const q = new Queue();
    for (let i = 0; i < 5; i++) q.syncQ.put(i);
    const it = q.asyncQ[Symbol.asyncIterator]();
    assert.deepEqual(await it.next(), { value: 0, done: false });
    assert.deepEqual(await it.return(), { value: undefined, done: true });
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    assert.equal(q.syncQ.qsize(), 4);
  });
});
