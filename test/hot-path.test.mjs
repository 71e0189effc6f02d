// The async face per item: an item that is already there costs one lock
// hold, and no timer, abort listener or closure of its own (issue "Performance
// II", item 6). Counted, not timed: the lock's compareExchange calls on the
// LOCK word and the timers started.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
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

describe('several gets waiting in one thread', () => {
  it('are served in one lock hold when the items come together, one item each, in order', async () => {
    const q = new Queue();
    const k = 50;
    const gets = Array.from({ length: k }, () => q.asyncQ.get());
    const counts = await counting(async () => {
      q.syncQ.putMany([...Array(k).keys()]);
      assert.deepEqual(await Promise.all(gets), [...Array(k).keys()]);
    });
    // The putMany, then the pump's one section: it ends its wait and takes the k items.
    assert.equal(counts.lock, 2);
    assert.equal(q.syncQ.qsize(), 0);
  });

  it('get, in LIFO and priority queues too, the items single gets would take, in that order; then QueueShutDown once drained', async () => {
    const items = { Queue: [...Array(10).keys()], LifoQueue: [...Array(10).keys()], PriorityQueue: [3, 1, 2, 1, 0, 3, 2, 0, 1, 5].map((p, i) => [p, i]) };
    for (const K of [Queue, LifoQueue, PriorityQueue]) {
      const waiting = new K();
      const gets = Array.from({ length: 12 }, () => waiting.asyncQ.get());
      waiting.syncQ.putMany(items[K.name]);
      const single = new K();
      single.syncQ.putMany(items[K.name]);
      const expected = items[K.name].map(() => single.syncQ.get());
      waiting.syncQ.shutdown();
      const settled = await Promise.allSettled(gets);
      assert.deepEqual(settled.slice(0, 10).map((r) => r.value), expected, K.name);
      assert.deepEqual(settled.slice(10).map((r) => r.reason?.name), ['QueueShutDown', 'QueueShutDown'], K.name);
    }
  });

  it('take only as many items as there are, and stop at a getMany, a getView or an aborted call', async () => {
    const q = new Queue();
    const aborted = new AbortController();
    const calls = [q.asyncQ.get(), q.asyncQ.get({ signal: aborted.signal }), q.asyncQ.get(), q.asyncQ.getMany(3), q.asyncQ.get(), q.asyncQ.get()];
    aborted.abort(new Error('gone'));
    await assert.rejects(calls[1], { message: 'gone' });
    q.syncQ.putMany([0, 1, 2, 3, 4]);
    assert.deepEqual(await Promise.all([calls[0], calls[2], calls[3]]), [0, 1, [2, 3, 4]]);
    q.syncQ.put(5);
    assert.equal(await calls[4], 5);
    q.syncQ.put(6);
    assert.equal(await calls[5], 6);

    const bytes = new Queue({ codec: 'bytes' });
    const viewed = [bytes.asyncQ.get(), bytes.asyncQ.getView((v) => v[0]), bytes.asyncQ.get()];
    bytes.syncQ.putMany([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
    const [a, b, c] = await Promise.all(viewed);
    assert.deepEqual([a[0], b, c[0]], [1, 2, 3]);
  });

  it('an item that cannot be decoded rejects its own get only', async () => {
    const codec = {
      encode: (v) => new TextEncoder().encode(v),
      decode: (b) => {
        const s = new TextDecoder().decode(b);
        if (s === 'bad') throw new Error('cannot decode bad');
        return s;
      },
    };
    const q = new Queue({ codec });
    const gets = [q.asyncQ.get(), q.asyncQ.get(), q.asyncQ.get()];
    q.syncQ.putMany(['a', 'bad', 'c']);
    const settled = await Promise.allSettled(gets);
    assert.deepEqual(
      settled.map((r) => r.value ?? r.reason.message),
      ['a', 'cannot decode bad', 'c'],
    );
  });

  it("a decode that aborts a get already served cannot make its item go to the getMany after it", async () => {
    const later = new AbortController();
    const codec = {
      encode: (v) => new TextEncoder().encode(v),
      decode: (b) => {
        const s = new TextDecoder().decode(b);
        if (s === 'x') later.abort(new Error('aborted while decoding'));
        return s;
      },
    };
    const q = new Queue({ codec });
    const calls = [q.asyncQ.get(), q.asyncQ.get({ signal: later.signal }), q.asyncQ.getMany(2)];
    q.syncQ.putMany(['x', 'y', 'z', 'w']);
    // Both gets had their items taken in one section before x was decoded.
    assert.deepEqual(await Promise.all(calls), ['x', 'y', ['z', 'w']]);
  });
});

describe('allocation per item', () => {
  it("a syncQ put + get of the small object allocates the decoded value and nothing else (heap growth per item, measured in a process of its own)", () => {
    const index = new URL('../dist/index.js', import.meta.url).href;
    const internal = new URL('../dist/internal.js', import.meta.url).href;
    // Heap growth over blocks of 1000 calls in which no GC ran, per call.
    const script = `
      import v8 from 'node:v8';
      const { Queue } = await import(${JSON.stringify(index)});
      const { makeCodec } = await import(${JSON.stringify(internal)});
      const item = { id: 1, name: 'item-1', payload: 'x'.repeat(64) };
      let sink;
      function perCall(fn) {
        for (let i = 0; i < 20000; i++) sink = fn();
        let heap = 0, blocks = 0;
        for (let done = 0; done < 200000; done += 1000) {
          const a = v8.getHeapStatistics().used_heap_size;
          for (let i = 0; i < 1000; i++) sink = fn();
          const d = v8.getHeapStatistics().used_heap_size - a;
          if (d >= 0) { heap += d; blocks++; }
        }
        return heap / (blocks * 1000);
      }
      const q = new Queue();
      const c = makeCodec('structured');
      const bytes = c.encode(item, 1 << 20).slice();
      const queue = perCall(() => { q.syncQ.putNowait(item); return q.syncQ.getNowait(); });
      const value = perCall(() => c.decode(bytes));
      console.log(JSON.stringify({ queue, value }));`;
    const { queue, value } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    assert.ok(value > 100 && value < 300, `the decoded value: ${value} B`);
    assert.ok(queue < value + 16, `put + get: ${queue.toFixed(1)} B per item, the decoded value alone ${value.toFixed(1)} B`);
  });
});
