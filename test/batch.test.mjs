// putMany and getMany: the batch calls of both faces, for every kind, in one
// thread and across real worker threads. A batch goes in whole or not at all;
// a getMany takes at least one item and at most `max` of those already there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue, QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { isPending, within } from './helpers/bounded.mjs';
import { KINDS } from './helpers/kinds.mjs';
import { GETTERS, PUTTERS, untilWaiters } from './helpers/waiters.mjs';

/** Both faces behind one promise-returning shape. */
const FACES = {
  sync: (q) => ({
    putMany: async (items, o) => q.syncQ.putMany(items, o),
    getMany: async (max, o) => q.syncQ.getMany(max, o),
    view: q.syncQ,
  }),
  async: (q) => ({
    putMany: (items, o) => q.asyncQ.putMany(items, o),
    getMany: (max, o) => q.asyncQ.getMany(max, o),
    view: q.asyncQ,
  }),
};

const state = (v) => ({ qsize: v.qsize(), unfinished: v.unfinishedTasks, closed: v.closed });
const range = (n) => [...Array(n).keys()];
const agentFor = agentPool();
const BOUND = 20000; // ms: generous bound on a sync wait on the main thread

for (const K of KINDS) {
  for (const [faceName, face] of Object.entries(FACES)) {
    describe(`${K.name}: putMany / getMany through ${faceName}Q`, () => {
      it('puts every item of any iterable, counts each as a task, and gets them in the order of its kind', async () => {
        const q = new K.Class();
        const f = face(q);
        await f.putMany(range(12).map(K.item));
        await f.putMany(new Set([K.item(12), K.item(13)]));
        assert.deepEqual(state(f.view), { qsize: 14, unfinished: 14, closed: false });
        const first = await f.getMany(5);
        const rest = await f.getMany(100);
        assert.equal(first.length, 5);
        assert.equal(rest.length, 9, 'getMany takes what is there, up to max');
        assert.deepEqual([...first, ...rest].map(K.id), K.order(14));
        assert.deepEqual(state(f.view), { qsize: 0, unfinished: 14, closed: false });
      });

      it('gives the same items as single gets would: getMany(1) matches get()', async () => {
        const a = new K.Class();
        const b = new K.Class();
        for (const i of range(9)) {
          a.syncQ.put(K.item(i));
          b.syncQ.put(K.item(i));
        }
        for (const _ of range(9)) assert.deepEqual((await face(a).getMany(1)).map(K.id), [K.id(b.syncQ.get())]);
      });

      it('putMany of nothing does nothing', async () => {
        const q = new K.Class({ maxsize: 1 });
        const f = face(q);
        f.view.putNowait(K.item(0));
        await f.putMany([]);
        assert.deepEqual(state(f.view), { qsize: 1, unfinished: 1, closed: false });
      });

      it('puts none of a batch that does not fit now (block: false / timeout 0 / a timeout), by count or by bytes', async () => {
        const q = new K.Class({ maxsize: 5 });
        const f = face(q);
        await f.putMany(range(3).map(K.item));
        const nowait = faceName === 'sync' ? { block: false } : { timeout: 0 };
        for (const o of [nowait, { timeout: 0 }, { timeout: 5 }])
          await assert.rejects(f.putMany(range(3).map(K.item), o), QueueFull);
        assert.deepEqual(state(f.view), { qsize: 3, unfinished: 3, closed: false });
        await f.putMany(range(2).map(K.item), nowait);
        assert.equal(f.view.qsize(), 5);

        // By bytes: a 4 KiB arena with a 3 KiB item in it has no room for two 1 KiB items.
        const small = new Queue({ codec: 'bytes', maxBytes: 4096 });
        const sf = face(small);
        await sf.putMany([new Uint8Array(3072)]);
        await assert.rejects(sf.putMany([new Uint8Array(1024), new Uint8Array(1024)], nowait), QueueFull);
        assert.deepEqual(state(sf.view), { qsize: 1, unfinished: 1, closed: false });
        await sf.getMany(1);
        await sf.putMany([new Uint8Array(1024), new Uint8Array(1024)], nowait);
        assert.deepEqual((await sf.getMany(5)).map((b) => b.length), [1024, 1024]);
      });

      it('refuses with RangeError, changing nothing, a batch that could never fit', async () => {
        const q = new K.Class({ maxsize: 3 });
        const f = face(q);
        f.view.putNowait(K.item(0));
        await assert.rejects(f.putMany(range(4).map(K.item)), (e) => e instanceof RangeError && /maxsize 3/.test(e.message));
        const bytes = new Queue({ codec: 'bytes', maxBytes: 4096 });
        await assert.rejects(face(bytes).putMany([new Uint8Array(3000), new Uint8Array(3000)]), (e) => e instanceof RangeError && /bytes of arena/.test(e.message));
        assert.deepEqual(state(f.view), { qsize: 1, unfinished: 1, closed: false });
        assert.equal(bytes.syncQ.qsize(), 0);
      });

      it('refuses bad input with TypeError or RangeError and changes nothing', async () => {
        const q = new K.Class();
        const f = face(q);
        await assert.rejects(f.putMany(42), TypeError);
        await assert.rejects(f.putMany(null), TypeError);
        // One unencodable item: none of the batch goes in.
        const bad = K.name === 'PriorityQueue' ? [K.item(0), [1, () => 1], K.item(2)] : [K.item(0), () => 1, K.item(2)];
        await assert.rejects(f.putMany(bad), TypeError);
        assert.deepEqual(state(f.view), { qsize: 0, unfinished: 0, closed: false });
        f.view.putNowait(K.item(0));
        for (const max of [0, -1, 1.5, NaN, Infinity]) await assert.rejects(f.getMany(max), RangeError);
        for (const max of ['3', undefined, null]) await assert.rejects(f.getMany(max), TypeError);
        await assert.rejects(f.getMany(1, { timeout: -1 }), RangeError);
        assert.deepEqual(state(f.view), { qsize: 1, unfinished: 1, closed: false });
      });

      it('getMany throws QueueEmpty from an empty queue when it may not wait, or its timeout passes', async () => {
        const q = new K.Class();
        const f = face(q);
        const nowait = faceName === 'sync' ? { block: false } : { timeout: 0 };
        await assert.rejects(f.getMany(3, nowait), QueueEmpty);
        await assert.rejects(f.getMany(3, { timeout: 5 }), QueueEmpty);
      });

      it('after shutdown: putMany throws QueueShutDown (even of nothing), getMany drains then throws', async () => {
        const q = new K.Class();
        const f = face(q);
        await f.putMany(range(5).map(K.item));
        f.view.shutdown();
        await assert.rejects(f.putMany([K.item(9)]), QueueShutDown);
        await assert.rejects(f.putMany([]), QueueShutDown);
        assert.equal((await f.getMany(3)).length, 3);
        assert.equal((await f.getMany(3)).length, 2);
        await assert.rejects(f.getMany(3), QueueShutDown);
        assert.equal(f.view.unfinishedTasks, 5);
      });

      it('shutdown(true) drops a batch like single items: unfinishedTasks goes down by each', async () => {
        const q = new K.Class();
        const f = face(q);
        await f.putMany(range(4).map(K.item));
        await f.getMany(1);
        f.view.shutdown(true);
        assert.deepEqual(state(f.view), { qsize: 0, unfinished: 1, closed: true });
        await assert.rejects(f.getMany(2), QueueShutDown);
      });

      it('wraps around its arena many times with batches of varied sizes, losing and reordering nothing', async () => {
        const q = new K.Class({ maxBytes: 2048 });
        const f = face(q);
        let next = 0;
        const got = [];
        for (let round = 0; round < 200; round++) {
          const n = 1 + (round % 7);
          await f.putMany(range(n).map(() => K.item(next++)));
          got.push(...(await f.getMany(1 + (round % 5))));
          if (f.view.qsize() > 12) got.push(...(await f.getMany(100)));
        }
        got.push(...(await f.getMany(1000)));
        assert.equal(got.length, next);
        assert.deepEqual(got.map(K.id).sort((x, y) => x - y), range(next));
        if (K.name === 'Queue') assert.deepEqual(got.map(K.id), range(next));
      });
    });
  }

  describe(`${K.name}: batches across threads`, () => {
    it('a worker syncQ.putMany waits until there is room for the whole batch, then puts it contiguously', async () => {
      const q = new K.Class({ maxsize: 4 });
      const a = await agentFor(q);
      q.asyncQ.putNowait(K.item(100));
      q.asyncQ.putNowait(K.item(101));
      q.asyncQ.putNowait(K.item(102));
      const putting = a.call('sync', 'putMany', [K.item(0), K.item(1), K.item(2)]);
      await untilWaiters(q.handle, PUTTERS, 1);
      const taken = [K.id(q.asyncQ.getNowait())]; // room for 2: not enough, the batch must not go in
      assert.equal(await isPending(putting), true);
      assert.equal(q.asyncQ.qsize(), 2);
      taken.push(K.id(q.asyncQ.getNowait())); // room for 3
      await within(putting, 'worker putMany');
      assert.equal(q.asyncQ.qsize(), 4);
      const all = q.syncQ.getMany(10).map(K.id);
      const left = [100, 101, 102].filter((id) => !taken.includes(id));
      assert.deepEqual([...all].sort((x, y) => x - y), [0, 1, 2, ...left]);
      if (K.name === 'Queue') assert.deepEqual(all, [...left, 0, 1, 2]);
    });

    it('a main asyncQ.getMany blocked on an empty queue takes the whole batch a worker puts', async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      const getting = q.asyncQ.getMany(10);
      await untilWaiters(q.handle, GETTERS, 1);
      await a.call('sync', 'putMany', range(5).map(K.item));
      // The getter is signalled inside the critical section that put all five.
      assert.deepEqual((await within(getting, 'asyncQ.getMany')).map(K.id), K.order(5));
    });

    it('a worker syncQ.getMany blocked on an empty queue is released by the main thread asyncQ.putMany', async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      const getting = a.call('sync', 'getMany', 3, { timeout: BOUND });
      await untilWaiters(q.handle, GETTERS, 1);
      await q.asyncQ.putMany(range(5).map(K.item));
      assert.deepEqual((await within(getting, 'worker getMany')).map(K.id), K.order(5).slice(0, 3));
      assert.equal(q.asyncQ.qsize(), 2);
    });
  });
}

describe('batches from concurrent producers', () => {
  it('never interleave: each batch arrives contiguous and in order (Queue)', async () => {
    const q = new Queue({ maxsize: 16 });
    const producers = await Promise.all([agentFor(q), agentFor(q)]);
    const BATCHES = 60;
    const SIZE = 8;
    const puts = producers.map((a, p) =>
      Promise.all(range(BATCHES).map((b) => a.call('sync', 'putMany', range(SIZE).map((i) => ({ p, b, i }))))),
    );
    const got = [];
    while (got.length < 2 * BATCHES * SIZE) got.push(...(await within(q.asyncQ.getMany(5), 'asyncQ.getMany')));
    await Promise.all(puts);
    for (let k = 0; k < got.length; k += SIZE) {
      const batch = got.slice(k, k + SIZE);
      assert.ok(batch.every((x) => x.p === batch[0].p && x.b === batch[0].b), `batch at ${k} is not contiguous`);
      assert.deepEqual(batch.map((x) => x.i), range(SIZE));
    }
    for (const p of [0, 1]) assert.deepEqual(got.filter((x) => x.p === p && x.i === 0).map((x) => x.b), range(BATCHES));
  });
});

describe('asyncQ batches that wait', () => {
  it('a pending putMany goes in once gets free room for all of it, ahead of a later put of the same instance', async () => {
    const q = new Queue({ maxsize: 3 });
    q.asyncQ.putNowait('a');
    q.asyncQ.putNowait('b');
    const batch = q.asyncQ.putMany(['x', 'y']);
    const later = q.asyncQ.put('z');
    assert.equal(await isPending(batch), true);
    assert.equal(await q.asyncQ.get(), 'a'); // room for 2: the batch goes in, 'z' waits behind it
    await within(batch, 'putMany');
    assert.equal(await isPending(later), true);
    assert.deepEqual(await q.asyncQ.getMany(3), ['b', 'x', 'y']);
    await within(later, 'put');
    assert.deepEqual(await q.asyncQ.getMany(3), ['z']);
  });

  it('an aborted or timed-out putMany / getMany leaves the queue as it was', async () => {
    const q = new Queue({ maxsize: 2 });
    q.asyncQ.putNowait(1);
    q.asyncQ.putNowait(2);
    const ac = new AbortController();
    const put = q.asyncQ.putMany([3, 4], { signal: ac.signal });
    const timed = q.asyncQ.putMany([5], { timeout: 5 });
    ac.abort(new Error('stop'));
    await assert.rejects(put, /stop/);
    await assert.rejects(timed, QueueFull);
    assert.deepEqual(state(q.asyncQ), { qsize: 2, unfinished: 2, closed: false });
    assert.deepEqual(await q.asyncQ.getMany(5), [1, 2]);
    const ac2 = new AbortController();
    const get = q.asyncQ.getMany(5, { signal: ac2.signal });
    ac2.abort(new Error('stop get'));
    await assert.rejects(get, /stop get/);
    q.asyncQ.putNowait(6);
    assert.deepEqual(await q.asyncQ.getMany(5, { timeout: 0 }), [6]);
  });
});

describe('batch bytes', () => {
  // Items are laid out from 4-byte boundaries in a batch and in a getMany's
  // buffer, and copied as words up to 128 bytes: every length around those
  // boundaries, in every codec, must come back exactly.
  const seed = 20261204;
  const rand = (() => {
    let x = seed;
    return () => ((x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  })();
  const lengths = [...range(140), 200, 255, 256, 1000, 4097];
  const custom = { encode: (s) => new TextEncoder().encode(s), decode: (b) => new TextDecoder().decode(b) };
  const values = {
    structured: (n) => ({ n, s: 'é'.repeat(n % 7) + 'x'.repeat(n) }),
    json: (n) => ({ n, s: 'x'.repeat(n) }),
    string: (n) => 'ab'.repeat(n).slice(0, n),
    bytes: (n) => Uint8Array.from(range(n), (i) => (i * 7 + n) & 0xff),
    custom: (n) => 'c'.repeat(n),
  };
  for (const [name, make] of Object.entries(values)) {
    it(`${name}: items of every length from 0 to 139 bytes and a few longer, through putMany and getMany of both faces, come back exactly (seed ${seed})`, async () => {
      const q = new Queue({ codec: name === 'custom' ? custom : name, maxBytes: 1 << 16 });
      const order = [...lengths].sort(() => rand() - 0.5);
      const want = order.map(make);
      const got = [];
      for (let i = 0; i < want.length; ) {
        const k = 1 + Math.floor(rand() * 9);
        const batch = want.slice(i, i + k);
        if (rand() < 0.5) q.syncQ.putMany(batch);
        else await q.asyncQ.putMany(batch);
        i += batch.length;
        while (q.syncQ.qsize() > (rand() < 0.5 ? 0 : 3)) got.push(...(rand() < 0.5 ? q.syncQ.getMany(1 + Math.floor(rand() * 5)) : await q.asyncQ.getMany(1 + Math.floor(rand() * 5))));
      }
      while (q.syncQ.qsize() > 0) got.push(...q.syncQ.getMany(100));
      assert.deepEqual(got, want);
    });
  }
});

describe('batches and the caller\'s code', () => {
  it('a putMany made by the generator of another putMany (same instance) leaves both batches whole', () => {
    const q = new Queue();
    function* items() {
      yield 'AAAAAAAA';
      q.syncQ.putMany(['zz']);
      yield 'BBBB';
    }
    q.syncQ.putMany(items());
    assert.deepEqual(q.syncQ.getMany(10), ['zz', 'AAAAAAAA', 'BBBB']);
  });

  it('an array that says it holds 12.6 million items: the batch is refused by the arena check, not by a wrapped buffer size', () => {
    const q = new Queue();
    const items = [];
    items.length = 2 ** 23 + 2 ** 22;
    items[0] = 'x'.repeat(300);
    assert.throws(() => q.syncQ.putMany(items), { name: 'RangeError', message: /arena/ });
    assert.equal(q.syncQ.qsize(), 0);
  });

  it('a getMany decodes with the built-ins as they were at load: a patched Map.prototype.set, Set.prototype.add or subarray that gets from the queue runs no code and cannot overwrite the items being decoded', () => {
    const q = new Queue();
    const items = [new Map([['k', 1]]), 'second', new Set([3]), new ArrayBuffer(8), { fifth: 5 }, 'sixth', 'seventh'];
    q.syncQ.putMany(items);
    const saved = [Map.prototype, 'set', Set.prototype, 'add', Uint8Array.prototype, 'subarray'];
    const originals = [Map.prototype.set, Set.prototype.add, Uint8Array.prototype.subarray];
    let patchedCalls = 0;
    const stealing = (original) =>
      function (...args) {
        patchedCalls++;
        if (q.syncQ.qsize() > 0) q.syncQ.getNowait();
        return original.apply(this, args);
      };
    for (let i = 0; i < 3; i++) saved[2 * i][saved[2 * i + 1]] = stealing(originals[i]);
    let got;
    try {
      got = q.syncQ.getMany(5);
    } finally {
      for (let i = 0; i < 3; i++) saved[2 * i][saved[2 * i + 1]] = originals[i];
    }
    assert.equal(patchedCalls, 0);
    assert.deepEqual(got, structuredClone(items.slice(0, 5)));
    assert.equal(q.syncQ.qsize(), 2);
  });
});

describe('code of the caller that runs while items are decoded', () => {
  const withPatch = (target, name, replacement, body) => {
    const original = target[name];
    target[name] = replacement(original);
    try {
      return body();
    } finally {
      target[name] = original;
    }
  };

  it('a get made by a patched Array.prototype.push: refused inside the critical section, and outside it cannot overwrite the items a getMany still decodes in place', () => {
    const q = new Queue();
    const items = [{ a: 'first item' }, 'second item, long enough', [3, 'three'], new Map([[4, 'four']]), 'fifth', 'sixth', 'seventh'];
    q.syncQ.putMany(items);
    const stolen = [];
    const refused = [];
    const got = withPatch(
      Array.prototype,
      'push',
      (push) =>
        function (...args) {
          if (this !== stolen && this !== refused && q.syncQ.qsize() > 0 && stolen.length < 2) {
            try {
              push.call(stolen, q.syncQ.getNowait());
            } catch (e) {
              push.call(refused, e);
            }
          }
          return push.apply(this, args);
        },
      () => q.syncQ.getMany(5),
    );
    assert.deepEqual(got, structuredClone(items.slice(0, 5)));
    assert.deepEqual(stolen, items.slice(5, 7));
    assert.ok(refused.length > 0, 'the section itself pushes (its taken items): a get from there is refused');
    for (const e of refused) assert.match(e.message, /inside its own critical section/);
  });

  it('an Error item decodes without running Error.prepareStackTrace, and with a get or set on Object.prototype', () => {
    const q = new Queue();
    const e = new RangeError('boom', { cause: { code: 7 } });
    q.syncQ.putMany([e, e]);
    let prepared = 0;
    const before = Error.prepareStackTrace;
    Error.prepareStackTrace = (err, frames) => (prepared++, `${err}\n${frames.length} frames`);
    Object.prototype.get = undefined;
    let got;
    try {
      got = q.syncQ.getMany(2);
    } finally {
      Error.prepareStackTrace = before;
      delete Object.prototype.get;
    }
    assert.equal(prepared, 0);
    for (const x of got) {
      assert.ok(x instanceof RangeError);
      assert.equal(x.message, 'boom');
      assert.equal(x.stack, e.stack);
      assert.deepEqual(x.cause, { code: 7 });
    }
  });
});
