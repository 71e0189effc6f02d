// Large puts in a FIFO queue (16 KiB or more, and every putView): the
// record is reserved under the lock, its bytes are copied (or the caller's
// fill runs) after the release, and a second section publishes it
// (docs/design.md, "Large puts: reserve, copy, publish"). Across real
// threads: getters are not held up by the copy, order and bytes hold, and a
// putter stopped at each step leaves the queue whole once recovered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Queue, QueueFull, QueueShutDown } from 'janus-queue';
import { blockUntil, isPending, within } from './helpers/bounded.mjs';
import { untilWaiters, untilWaitersSync } from './helpers/waiters.mjs';
import { COUNT, FILLED, GETTERS, LIST_HEAD, LOCK, PUTTERS, RESERVED, RESERVE_MIN, RES_AT, R_FLAGS, SLOTS_END, SLOT_BASE, SLOT_WORDS, WAITING, recordWord } from './helpers/layout.mjs';
import { rng } from './stress/rng.mjs';

const CJS = JSON.stringify(new URL('../dist/index.cjs', import.meta.url).pathname);

/**
 * A worker that attaches the queue and runs `body` (source, with `q`,
 * `workerData`, `inside()`: signals flag[0] = 1, then waits until the test
 * stores flag[1] = 1, or for ever with `{ hang: true }`).
 */
function worker(q, body, extra = {}) {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const src = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { Queue } = require(${CJS});
    const q = Queue.attach(workerData.handle);
    const flag = workerData.flag;
    const inside = () => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      while (workerData.hang || Atomics.load(flag, 1) === 0) Atomics.wait(flag, 1, 0, 50);
    };
    (async () => { ${body} })().then((r) => parentPort.postMessage({ ok: true, r }), (e) => parentPort.postMessage({ ok: false, name: e.name, message: e.message }));`;
  const w = new Worker(src, { eval: true, workerData: { handle: q.handle, flag, ...extra } });
  const done = new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  done.catch(() => {});
  return {
    w,
    done,
    /** Ready handshake: resolves once the worker is inside its fill. */
    inside: () => within(Atomics.waitAsync(flag, 0, 0).value, 'the worker inside its fill'),
    go: () => {
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
    },
  };
}

/** The flags word of the reserved record, or undefined if there is none. */
function reservedFlags(q) {
  const w = new Int32Array(q.handle.buffer);
  const at = Atomics.load(w, RES_AT);
  return at === 0 ? undefined : Atomics.load(w, recordWord(at - 1, R_FLAGS));
}


describe('large puts copy outside the lock (FIFO)', () => {
  it(`while a worker fills a reserved record, the main thread gets the items before it; qsize() leaves it out; a put that may not wait is refused as full; then it comes next`, async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8, maxBytes: 1 << 20 });
    q.syncQ.put(new Uint8Array([1]));
    const p = worker(q, `q.syncQ.putView(${RESERVE_MIN}, (v) => { v.fill(7); inside(); });`);
    await p.inside();
    assert.equal(reservedFlags(q), RESERVED);
    // The lock is free while the fill runs: a get with no patience succeeds.
    assert.deepEqual([...q.syncQ.getNowait()], [1]);
    assert.equal(q.syncQ.qsize(), 0, 'the reserved item is not in the queue yet');
    assert.throws(() => q.syncQ.putNowait(new Uint8Array([2])), QueueFull);
    const waiting = q.asyncQ.put(new Uint8Array([3]));
    const getting = q.asyncQ.get();
    assert.ok(await isPending(waiting), 'a put waits behind the reservation');
    assert.ok(await isPending(getting), 'a get waits for the published item');
    p.go();
    assert.equal((await within(p.done, 'the worker')).ok, true);
    const got = await within(getting, 'the get');
    assert.equal(got.length, RESERVE_MIN);
    assert.ok(got.every((x) => x === 7));
    await within(waiting, 'the put behind it');
    assert.deepEqual([...q.syncQ.getNowait()], [3]);
    assert.equal(reservedFlags(q), undefined);
    assert.equal(q.syncQ.unfinishedTasks, 3);
  });

  it('small and large items from a sync-face and an async-face producer thread reach one consumer once each, in each producer\'s order, bytes intact (seeded)', async () => {
    const seed = Number(process.env.RESERVE_SEED ?? Date.now() % 100000);
    console.log(`reserve test seed ${seed} (RESERVE_SEED=${seed} to replay)`);
    const random = rng(seed);
    const N = 300;
    // At least 3 bytes each: the first 3 say whose item it is.
    const sizes = [0, 1].map(() => Array.from({ length: N }, () => [7, 1000, RESERVE_MIN - 1, RESERVE_MIN, 40000][random.int(5)]));
    // Room for a few large items only: records wrap, and puts wait for room and behind reservations.
    const q = new Queue({ codec: 'bytes', maxsize: 16, maxBytes: 100000 });
    // Item i of producer t: bytes 0-2 say t and i, byte j >= 3 is (seed * 31 + j) & 255 for seed = t * 100000 + i.
    const body = (face) => `
      const make = (n, seed) => {
        const a = Uint8Array.from({ length: n }, (_, j) => (seed * 31 + j) & 255);
        a[0] = seed % 100000 & 255;
        a[1] = (seed % 100000) >> 8;
        a[2] = seed >= 100000 ? 1 : 0;
        return a;
      };
      for (let i = 0; i < workerData.sizes.length; i++) {
        const n = workerData.sizes[i];
        const x = make(n, workerData.tag * 100000 + i);
        if (i % 3 === 2) ${face === 'sync' ? 'q.syncQ.putView(n, (v) => v.set(x))' : 'await q.asyncQ.putView(n, (v) => v.set(x))'};
        else ${face === 'sync' ? 'q.syncQ.put(x)' : 'await q.asyncQ.put(x)'};
      }`;
    const ps = [worker(q, body('sync'), { sizes: sizes[0], tag: 0 }), worker(q, body('async'), { sizes: sizes[1], tag: 1 })];
    const next = [0, 0];
    try {
      for (let k = 0; k < 2 * N; k++) {
      const x = await within(q.asyncQ.get(), `item ${k} (seed ${seed})`);
      // Which producer and item: said by its first bytes; the rest must be that item's, whole.
      const t = x[2];
      const i = x[0] | (x[1] << 8);
      assert.ok((t === 0 || t === 1) && x.length >= 3, `item ${k} of ${x.length} bytes names no producer (seed ${seed})`);
      assert.equal(i, next[t], `item ${k}: producer ${t}'s item ${i} where its item ${next[t]} was next (seed ${seed})`);
      assert.equal(x.length, sizes[t][i], `item ${k}: producer ${t}'s item ${i} has ${x.length} bytes, not ${sizes[t][i]} (seed ${seed})`);
      for (let j = 3; j < x.length; j++) if (x[j] !== (((t * 100000 + i) * 31 + j) & 255)) assert.fail(`item ${k}: producer ${t}'s item ${i} differs at byte ${j} (seed ${seed})`);
      next[t]++;
    }
    } catch (e) {
      // A failed run leaves no producer blocked on a full queue (the file's process would wait for it).
      for (const p of ps) await p.w.terminate();
      throw e;
    }
    for (const p of ps) assert.equal((await within(p.done, 'a producer')).ok, true);
    assert.equal(q.syncQ.qsize(), 0);
    assert.equal(reservedFlags(q), undefined);
  });

  it('a putter stopped while copying: recover() rolls the reservation back, and a put that waited behind it goes in', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8 });
    q.syncQ.put(new Uint8Array([1]));
    q.syncQ.put(new Uint8Array(RESERVE_MIN + 8).fill(5)); // reserved, copied and published by this thread
    const v = worker(q, `q.syncQ.putView(${RESERVE_MIN}, (v) => { v.fill(6); inside(); });`, { hang: true });
    await v.inside();
    const waiting = q.asyncQ.put(new Uint8Array([2]));
    assert.ok(await isPending(waiting));
    const watched = q.watch(v.w);
    await v.w.terminate();
    await within(watched, 'recovery');
    await within(waiting, 'the put that waited behind the reservation');
    assert.equal(reservedFlags(q), undefined);
    const got = [];
    while (q.syncQ.qsize() > 0) got.push(q.syncQ.getNowait());
    assert.deepEqual(got.map((x) => x.length), [1, RESERVE_MIN + 8, 1]);
    assert.ok(got[1].every((b) => b === 5));
  });

  it('a putter stopped after filling, before it published: recovery publishes the item', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8 });
    const w = new Int32Array(q.handle.buffer);
    const v = worker(q, `q.syncQ.putView(${RESERVE_MIN}, (v) => { v.fill(9); inside(); });`);
    await v.inside();
    // The lock held (by a token no thread has) when the fill returns: the
    // putter marks the record FILLED, then cannot publish it.
    assert.equal(Atomics.compareExchange(w, LOCK, 0, 0x7ffff << 1), 0);
    v.go();
    const deadline = Date.now() + 20000;
    while (reservedFlags(q) !== FILLED) {
      assert.ok(Date.now() < deadline, 'the putter to mark its record filled');
      await new Promise((r) => setImmediate(r));
    }
    const watched = q.watch(v.w);
    await v.w.terminate();
    Atomics.store(w, LOCK, 0);
    await within(watched, 'recovery');
    assert.equal(reservedFlags(q), undefined);
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.unfinishedTasks, 1);
    const got = q.syncQ.getNowait();
    assert.equal(got.length, RESERVE_MIN);
    assert.ok(got.every((b) => b === 9));
  });

  it('a filled reservation whose putter could not publish it is published by the next section of any thread', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8 });
    const w = new Int32Array(q.handle.buffer);
    const v = worker(q, `q.syncQ.putView(${RESERVE_MIN}, (v) => { v.fill(4); inside(); }); for (;;) Atomics.wait(flag, 1, 1);`);
    await v.inside();
    assert.equal(Atomics.compareExchange(w, LOCK, 0, 0x7ffff << 1), 0);
    v.go();
    while (reservedFlags(q) !== FILLED) await new Promise((r) => setImmediate(r));
    // The putter's thread now blocks for ever (its retry from the event loop never runs).
    Atomics.store(w, LOCK, 0);
    const got = q.syncQ.get({ timeout: 5 });
    assert.ok(got.length === RESERVE_MIN && got.every((b) => b === 4));
    await v.w.terminate();
  });

  it('a fill that throws, or shutdown(true) while it runs: nothing is put, and the space is free again', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 2, maxBytes: 2 * RESERVE_MIN });
    assert.throws(() => q.syncQ.putView(RESERVE_MIN, () => { throw new Error('no'); }), /no/);
    assert.equal(reservedFlags(q), undefined);
    q.syncQ.put(new Uint8Array(2 * RESERVE_MIN)); // the whole arena: only if the space came back
    q.syncQ.get();
    q.syncQ.taskDone();
    const v = worker(q, `q.syncQ.putView(${RESERVE_MIN}, (v) => inside()); return q.syncQ.qsize();`);
    await v.inside();
    q.syncQ.shutdown(true);
    assert.equal(reservedFlags(q), undefined);
    v.go();
    assert.deepEqual(await within(v.done, 'the putter'), { ok: true, r: 0 }, 'its put returns: it came before the shutdown, which discarded it');
    assert.throws(() => q.syncQ.getNowait(), QueueShutDown);
    assert.equal(q.syncQ.unfinishedTasks, 0);
  });

  it('shutdown() (not immediate) while a fill runs: a get waits for the item instead of raising ShutDown, and join() waits for its task', async () => {
    const q = new Queue({ codec: 'bytes' });
    const v = worker(q, `q.syncQ.putView(${RESERVE_MIN}, (v) => { v.fill(3); inside(); });`);
    await v.inside();
    q.syncQ.shutdown();
    assert.equal(q.syncQ.unfinishedTasks, 1, 'counted since its reservation');
    const getting = q.asyncQ.get();
    const joining = q.asyncQ.join();
    assert.throws(() => q.syncQ.getNowait(), (e) => e.name === 'QueueEmpty', 'not drained yet: the item is still to come');
    assert.ok(await isPending(getting));
    assert.ok(await isPending(joining));
    v.go();
    assert.equal((await within(v.done, 'the putter')).ok, true);
    assert.equal((await within(getting, 'the get')).length, RESERVE_MIN);
    assert.ok(await isPending(joining));
    q.syncQ.taskDone();
    await within(joining, 'join');
    assert.throws(() => q.syncQ.getNowait(), QueueShutDown);
  });

  it('a thread that watches a putter stopped while copying, and then only blocks in syncQ calls, recovers it by itself', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 4 });
    const v = worker(q, `q.syncQ.putView(${RESERVE_MIN}, (v) => inside());`, { hang: true });
    q.watch(v.w);
    await v.inside();
    await v.w.terminate();
    // From here this thread never turns its event loop (watch()'s 'exit' handler cannot run).
    const t0 = performance.now();
    q.syncQ.put(new Uint8Array([1]), { timeout: 10000 });
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `the put waited ${ms} ms`);
    assert.equal(reservedFlags(q), undefined);
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.unfinishedTasks, 1, "the dead put's task was given back");
  });

  it('the copy runs no code of the caller (a patched set is not called), and a putView fill, run at the same point, may not call the queue: TypeError, nothing put', () => {
    const q = new Queue({ codec: 'bytes', maxsize: 4 });
    const proto = Object.getPrototypeOf(Uint8Array.prototype);
    const set = proto.set;
    let calls = 0;
    proto.set = function (...args) {
      calls++;
      return set.apply(this, args);
    };
    try {
      q.syncQ.put(new Uint8Array(RESERVE_MIN));
    } finally {
      proto.set = set;
    }
    assert.equal(calls, 0, 'the copy used the set() captured at load');
    let inner;
    q.syncQ.putView(RESERVE_MIN, () => {
      try {
        q.syncQ.putNowait(new Uint8Array([1]));
        inner = 'put';
      } catch (e) {
        inner = e;
      }
    });
    assert.ok(inner instanceof TypeError && /same queue/.test(inner.message), String(inner));
    assert.equal(q.syncQ.qsize(), 2, 'the outer puts, not the inner one');
    assert.equal(reservedFlags(q), undefined);
  });

  it('a large put that runs out of stack either returns with its item in the queue or throws with nothing put', () => {
    for (let round = 0; round < 10; round++) {
      const q = new Queue({ codec: 'bytes', maxBytes: 1 << 20 });
      const big = new Uint8Array(RESERVE_MIN + 100).fill(3);
      let returned = 0;
      let threw = 0;
      const deep = () => {
        try {
          deep();
        } catch {
          // the stack's end
        }
        try {
          q.syncQ.putNowait(big);
          returned++;
        } catch {
          threw++;
        }
      };
      deep();
      let items = 0;
      while (q.syncQ.qsize() > 0 || reservedFlags(q) !== undefined) {
        q.syncQ.getNowait();
        items++;
      }
      assert.equal(items, returned, `round ${round}: ${returned} puts returned, ${threw} threw, ${items} items`);
      q.syncQ.putNowait(big);
      assert.equal(q.syncQ.qsize(), 1);
    }
  });
});

describe('a large put nobody waits for is counted by the next section (docs/design.md, "Publish when somebody waits")', () => {
  it('putView with no waiter leaves COUNT to the next section; qsize() counts it first, and a get of another thread finds it', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8 });
    const w = new Int32Array(q.handle.buffer);
    q.syncQ.putView(RESERVE_MIN, (v) => v.fill(5));
    assert.equal(Atomics.load(w, COUNT), 0, 'not counted by a section of its own');
    assert.equal(reservedFlags(q), FILLED);
    assert.equal(q.syncQ.qsize(), 1, 'a snapshot counts it');
    assert.equal(Atomics.load(w, COUNT), 1);
    assert.equal(reservedFlags(q), undefined);
    q.syncQ.putView(RESERVE_MIN, (v) => v.fill(6));
    assert.equal(reservedFlags(q), FILLED);
    const r = worker(q, `return [q.syncQ.get({ timeout: 5000 })[0], q.syncQ.get({ timeout: 5000 })[0]];`);
    assert.deepEqual((await within(r.done, 'the worker')).r, [5, 6]);
    assert.equal(q.syncQ.empty(), true);
  });

  it('a getter listed before the fill ends is woken by the putter itself', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8 });
    const r = worker(q, `return q.syncQ.get({ timeout: 60000 })[0];`);
    await untilWaiters(q.handle, GETTERS, 1); // ready handshake: the worker's get is listed
    q.syncQ.putView(RESERVE_MIN, (v) => v.fill(8));
    try {
      assert.deepEqual(await within(r.done, 'the listed getter', 5000), { ok: true, r: 8 });
    } finally {
      q.shutdown(true);
      await r.w.terminate();
    }
  });

  it('a put listed behind a large put (nobody waits for an item) is let in by the large putter itself', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8 });
    const r = worker(q, `inside(); q.syncQ.put(new Uint8Array([1]), { timeout: 60000 });`);
    await r.inside();
    try {
      q.syncQ.putView(RESERVE_MIN, (v) => {
        v.fill(7);
        // Ready handshake: the worker's put waits behind this reservation.
        r.go();
        untilWaitersSync(q.handle, PUTTERS, 1);
      });
      const done = await within(r.done, 'the put behind the large one', 5000);
      assert.equal(done.ok, true);
      assert.equal(q.syncQ.qsize(), 2);
      assert.equal(q.syncQ.get()[0], 7);
      assert.equal(q.syncQ.get()[0], 1);
    } finally {
      q.shutdown(true);
      await r.w.terminate();
    }
  });

  it('a snapshot taken while this thread holds the lock through a second instance of the buffer leaves the lock held', async () => {
    const q1 = new Queue({ codec: 'bytes', maxsize: 8 });
    const q2 = Queue.attach(structuredClone(q1.handle)); // another SharedArrayBuffer object, the same memory
    assert.notEqual(q2.handle.buffer, q1.handle.buffer);
    const w = new Int32Array(q1.handle.buffer);
    q1.syncQ.put(new Uint8Array([1]));
    // A worker's large put reserves, then waits in its fill until the main thread holds the lock.
    const p = worker(q1, `q.syncQ.putView(${RESERVE_MIN}, (v) => { v.fill(2); inside(); });`);
    await p.inside();
    let seen;
    try {
      q1.syncQ.getView((v) => {
        const held = Atomics.load(w, LOCK);
        p.go();
        // Ready handshake: the worker's fill is over (FILLED, and nobody is listed: not published).
        blockUntil(() => reservedFlags(q1) === FILLED, 'the worker\'s item filled');
        const count = Atomics.load(w, COUNT);
        seen = { held, count, n: q2.syncQ.qsize(), after: Atomics.load(w, LOCK), flags: reservedFlags(q1) };
        return v[0];
      });
      assert.notEqual(seen.held, 0);
      assert.equal(seen.after, seen.held, 'the lock is still held by the getView');
      assert.equal(seen.n, seen.count, 'the snapshot read COUNT as it was');
      assert.equal(seen.flags, FILLED, 'and left the filled item to the next section');
      assert.equal((await within(p.done, 'the worker')).ok, true);
      assert.equal(q1.syncQ.qsize(), 1);
    } finally {
      q1.shutdown(true);
      await p.w.terminate();
    }
  });

  it('a getter that lists itself after the putter looked publishes the filled item itself', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 8 });
    const w = new Int32Array(q.handle.buffer);
    const looked = new Int32Array(new SharedArrayBuffer(4));
    // The putter fills; after FILLED it reads the getters' and then the
    // putters' list heads (both empty: the main thread's getter is not
    // linked yet), says so in looked[0], and stays alive without another
    // section of the queue.
    const p = worker(
      q,
      `const load = Atomics.load;
       let filled = false;
       Atomics.load = (ta, i) => {
         const v = load(ta, i);
         if (filled && ta.buffer === q.handle.buffer && i === ${LIST_HEAD + PUTTERS}) {
           filled = false;
           Atomics.store(workerData.looked, 0, 1);
           Atomics.notify(workerData.looked, 0);
         }
         return v;
       };
       q.syncQ.putView(${RESERVE_MIN}, (v) => { v.fill(9); inside(); filled = true; });
       Atomics.load = load;
       Atomics.wait(flag, 1, 1, 30000);`,
      { looked },
    );
    await p.inside();
    // The main thread's get registers while the putter is inside its fill.
    // When it stores its slot's WAITING (before the slot is linked) it lets
    // the fill end and waits until the putter has looked at the lists.
    const store = Atomics.store;
    let paused = false;
    Atomics.store = (ta, i, v) => {
      const r = store(ta, i, v);
      if (!paused && ta.buffer === q.handle.buffer && i >= SLOT_BASE && i < SLOTS_END && (i - SLOT_BASE) % SLOT_WORDS === 0 && v === WAITING) {
        paused = true;
        p.go();
        Atomics.wait(looked, 0, 0, 10000);
      }
      return r;
    };
    let getting;
    try {
      getting = q.asyncQ.get();
    } finally {
      Atomics.store = store;
    }
    try {
      assert.equal(paused, true, 'the get registered while the fill ran');
      assert.equal(Atomics.load(looked, 0), 1, 'the putter looked at the lists');
      const got = await within(getting, 'the get', 5000);
      assert.ok(got.length === RESERVE_MIN && got.every((b) => b === 9));
    } finally {
      // On failure, the pending get must not keep the process alive.
      q.shutdown(true);
      await p.w.terminate();
    }
  });
});
