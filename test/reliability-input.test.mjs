// Issue 14, the findings about values a caller passes (1: the species copy,
// 5, 6) and watch() of the caller's own thread (12): each fails on the build
// before the fix.
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { PriorityQueue, Queue } from 'janus-queue';
import { within } from './helpers/bounded.mjs';
import { PUTTERS, untilWaiters } from './helpers/waiters.mjs';

describe('values a caller passes lose nothing (issue 14)', () => {
  it('1: a waiting asyncQ.put of a Uint8Array whose species makes a longer array copies exactly its own bytes, without calling the species', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 1, maxBytes: 64 });
    q.syncQ.putNowait(new Uint8Array([1, 1, 1])); // full by count: the next put waits with a private copy
    let speciesCalls = 0;
    class Long extends Uint8Array {
      static get [Symbol.species]() {
        speciesCalls++;
        return function (n) {
          return new Uint8Array(n + 40).fill(0xee);
        };
      }
    }
    const put = q.asyncQ.put(new Long([7, 8, 9]));
    await untilWaiters(q.handle, PUTTERS, 1);
    const other = q.asyncQ.put(new Uint8Array([4, 5]));
    assert.deepEqual([...q.syncQ.getNowait()], [1, 1, 1]);
    await within(put, 'the waiting put');
    assert.deepEqual([...(await within(q.asyncQ.get(), 'get 1'))], [7, 8, 9]);
    await within(other, 'the second put');
    assert.deepEqual([...(await within(q.asyncQ.get(), 'get 2'))], [4, 5]);
    assert.equal(speciesCalls, 0);
  });

  it('5: one item that fails to decode inside getMany drops only itself; the good ones of the batch are returned in order', () => {
    const codec = { encode: (s) => new TextEncoder().encode(s), decode: (b) => { const s = new TextDecoder().decode(b); if (s === 'bad') throw new Error('cannot decode bad'); return s; } };
    for (const Q of [Queue, PriorityQueue]) {
      const q = new Q({ codec });
      const item = (v, i) => (Q === PriorityQueue ? [i, v] : v);
      const value = (x) => (Q === PriorityQueue ? x[1] : x);
      ['a', 'bad', 'b', 'c'].forEach((v, i) => q.syncQ.putNowait(item(v, i)));
      assert.deepEqual(q.syncQ.getMany(10).map(value), ['a', 'b', 'c']);
      q.syncQ.putNowait(item('bad', 0));
      assert.throws(() => q.syncQ.getMany(10), /cannot decode bad/); // none decodes: its error
      assert.equal(q.syncQ.qsize(), 0);
    }
  });

  it('5: asyncQ.getMany keeps the good items of a batch with an undecodable one too', async () => {
    const codec = { encode: (s) => new TextEncoder().encode(s), decode: (b) => { const s = new TextDecoder().decode(b); if (s === 'bad') throw new Error('cannot decode bad'); return s; } };
    const q = new Queue({ codec });
    const batch = q.asyncQ.getMany(10); // waits, then takes the batch in its pump
    q.syncQ.putMany(['bad', 'x', 'y']);
    assert.deepEqual(await within(batch, 'getMany'), ['x', 'y']);
  });

  for (const face of ['syncQ', 'asyncQ']) {
    it(`6: ${face}.putMany of an endless iterable on a maxsize 10 queue throws RangeError at its 11th item, encoding no more`, async () => {
      const q = new Queue({ maxsize: 10 });
      let pulled = 0;
      let closed = false;
      function* endless() {
        try {
          for (;;) yield pulled++;
        } finally {
          closed = true;
        }
      }
      if (face === 'syncQ') assert.throws(() => q.syncQ.putMany(endless()), RangeError);
      else await assert.rejects(q.asyncQ.putMany(endless()), RangeError);
      assert.equal(pulled, 11);
      assert.equal(closed, true);
      assert.equal(q.syncQ.qsize(), 0);
    });

    it(`6: ${face}.putMany of an endless iterable of large items throws RangeError once they pass the arena`, async () => {
      const q = new Queue({ codec: 'bytes', maxBytes: 1000 });
      let pulled = 0;
      function* endless() {
        for (;;) {
          pulled++;
          yield new Uint8Array(900);
        }
      }
      if (face === 'syncQ') assert.throws(() => q.syncQ.putMany(endless()), /bytes of arena/);
      else await assert.rejects(q.asyncQ.putMany(endless()), /bytes of arena/);
      assert.equal(pulled, 2); // the second one no longer fits beside the first
      assert.equal(q.syncQ.qsize(), 0);
    });
  }

  it('watch() of something without once(\'exit\') (a web Worker) is a TypeError that says so, not a raw "once is not a function"', () => {
    const q = new Queue();
    for (const w of [{ threadId: 3 }, { threadId: 3, once: 1 }])
      assert.throws(() => q.watch(w), (e) => e instanceof TypeError && /^janus-queue: watch\(\) needs a node:worker_threads Worker/.test(e.message));
    for (const w of [null, undefined, {}]) assert.throws(() => q.watch(w), (e) => e instanceof TypeError && /^janus-queue: /.test(e.message));
  });

  it('12: watch() refuses an object carrying the calling thread\'s own id, and leaves the waiters alone', async () => {
    const q = new Queue();
    const pending = q.asyncQ.get();
    await new Promise((r) => setImmediate(r));
    const self = { threadId, once() {} };
    assert.throws(() => q.watch(self), /calling thread's own/);
    q.syncQ.putNowait('still served');
    assert.equal(await within(pending, 'the pending get'), 'still served');
  });
});
