// Zero-copy bytes: getView lends an item's bytes in place, putView lets the
// caller write them in place; both on both faces, with the waits, errors and
// rollbacks of get and put, across real threads, and a thread killed inside
// the lent function leaves the queue consistent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { within } from './helpers/bounded.mjs';
import { FREE_SLOT, SLOT_COUNT, STATE_WORDS, backupWord } from './helpers/layout.mjs';
import { GETTERS, PUTTERS, freeSlots, untilWaiters } from './helpers/waiters.mjs';

/**
 * A copy of the queue's buffer, the journal's saved values zeroed: a section
 * leaves its saves behind (only J_LEN's mask says which count), so they are
 * not part of the state.
 */
const bytesOf = (q) => {
  const w = new Int32Array(q.handle.buffer.slice(0));
  for (let k = 0; k < STATE_WORDS; k++) w[backupWord(k)] = 0;
  return new Uint8Array(w.buffer);
};

describe('getView / putView', () => {
  it('round-trip on both faces, in FIFO and LIFO order, with views of the shared buffer', async () => {
    for (const C of [Queue, LifoQueue]) {
      const q = new C({ codec: 'bytes', maxsize: 8 });
      q.syncQ.putView(3, (v) => {
        assert.equal(v.buffer, q.handle.buffer);
        v.set([1, 2, 3]);
      });
      await q.asyncQ.putView(2, (v) => v.set([4, 5]));
      q.syncQ.put(new Uint8Array([6]));
      const got = [q.syncQ.getView((v) => (assert.equal(v.buffer, q.handle.buffer), [...v])), await q.asyncQ.getView((v) => [...v]), q.syncQ.get()];
      const want = [[1, 2, 3], [4, 5], [6]];
      assert.deepEqual(got.map((x) => [...x]), C === Queue ? want : want.reverse());
      assert.equal(q.syncQ.unfinishedTasks, 3);
    }
  });

  it('a function that throws changes nothing: the item stays (getView), nothing is put (putView)', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 4 });
    q.syncQ.put(new Uint8Array([1, 2]));
    const before = bytesOf(q);
    assert.throws(() => q.syncQ.getView(() => { throw new Error('get'); }), /get/);
    assert.throws(() => q.syncQ.putView(3, (v) => { v.fill(7); throw new Error('put'); }), /put/);
    await assert.rejects(q.asyncQ.getView(() => { throw new Error('aget'); }), /aget/);
    await assert.rejects(q.asyncQ.putView(3, () => { throw new Error('aput'); }), /aput/);
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.unfinishedTasks, 1);
    // The arena bytes past the item may hold the thrown fill's bytes; the state words may not differ.
    assert.deepEqual(bytesOf(q).subarray(0, 256), before.subarray(0, 256));
    assert.deepEqual([...q.syncQ.get()], [1, 2]);
  });

  it('a function that throws after its call waited fails that call alone: the calls behind it are served, and no waiter slot stays listed', async () => {
    for (const C of [Queue, LifoQueue]) {
      // asyncQ.putView waiting in the pump, a put behind it.
      let q = new C({ codec: 'bytes', maxsize: 1 });
      q.syncQ.put(new Uint8Array([0]));
      const a = q.asyncQ.putView(8, () => {
        throw new Error('fill');
      });
      const b = q.asyncQ.put(new Uint8Array([2]));
      await untilWaiters(q.handle, PUTTERS, 1);
      q.syncQ.get();
      await assert.rejects(a, /fill/);
      await within(b, `${C.name}: the put behind the failed putView`);
      assert.deepEqual([...q.syncQ.getNowait()], [2]);
      assert.equal(freeSlots(q.handle), SLOT_COUNT, C.name);

      // asyncQ.getView waiting in the pump, a get behind it.
      q = new C({ codec: 'bytes', maxsize: 4 });
      const c = q.asyncQ.getView(() => {
        throw new Error('view');
      });
      const d = q.asyncQ.get();
      await untilWaiters(q.handle, GETTERS, 1);
      q.syncQ.put(new Uint8Array([3]));
      await assert.rejects(c, /view/);
      // The item stays for the get behind (getView took nothing).
      assert.deepEqual([...(await within(d, `${C.name}: the get behind the failed getView`))], [3]);
      assert.equal(freeSlots(q.handle), SLOT_COUNT, C.name);

      // syncQ.getView in a worker, woken after a wait; its function throws.
      q = new C({ codec: 'bytes', maxsize: 4 });
      const src = `
        const { workerData, parentPort } = require('node:worker_threads');
        const { ${C.name} } = require(${JSON.stringify(new URL('../dist/index.cjs', import.meta.url).pathname)});
        const q = ${C.name}.attach(workerData);
        try { q.syncQ.getView(() => { throw new Error('sync view'); }); } catch (e) { parentPort.postMessage(e.message); }`;
      const w = new Worker(src, { eval: true, workerData: q.handle });
      const said = new Promise((resolve) => w.once('message', resolve));
      await untilWaiters(q.handle, GETTERS, 1);
      q.syncQ.put(new Uint8Array([4]));
      assert.equal(await within(said, 'the worker'), 'sync view');
      assert.equal(q.syncQ.qsize(), 1, 'getView took nothing');
      await w.terminate();
      assert.equal(freeSlots(q.handle), SLOT_COUNT, `${C.name}: the sync waiter's slot is free`);
    }
  });

  it('a function that aborts its own waiting call: that call rejects with the abort, and the call behind it is served as its own', async () => {
    for (const thenThrow of [true, false]) {
      const q = new Queue({ codec: 'bytes', maxsize: 4 });
      const ac = new AbortController();
      const a = q.asyncQ.getView(
        () => {
          ac.abort(new Error('aborted'));
          if (thenThrow) throw new Error('fn');
          return 'value of a';
        },
        { signal: ac.signal },
      );
      const b = q.asyncQ.get();
      await untilWaiters(q.handle, GETTERS, 1);
      q.syncQ.put(new Uint8Array([9]));
      await assert.rejects(a, /aborted/);
      if (thenThrow) assert.deepEqual([...(await within(b, 'the get behind'))], [9], "getView took nothing: the item is the next call's");
      else {
        // a's function took the item (what it did stands); b waits for the next one, not a's value.
        q.syncQ.put(new Uint8Array([10]));
        assert.deepEqual([...(await within(b, 'the get behind'))], [10]);
      }
      assert.equal(freeSlots(q.handle), SLOT_COUNT);
    }
  });

  it('a syncQ getView that tries once and throws, after a get that left its wait for want of the lock: that wait still ends', async () => {
    const q = new LifoQueue({ codec: 'bytes' });
    const flag = new Int32Array(new SharedArrayBuffer(8)); // [0]: the worker is inside its fill; [1]: go on
    const src = `
      const { workerData } = require('node:worker_threads');
      const { LifoQueue } = require(${JSON.stringify(new URL('../dist/index.cjs', import.meta.url).pathname)});
      const { flag, handle } = workerData;
      const q = LifoQueue.attach(handle);
      const w = new Int32Array(handle.buffer);
      // A barrier: the main thread has taken a waiter slot (the free stack no longer starts at slot 0).
      while (Atomics.load(w, ${FREE_SLOT}) === 0) Atomics.wait(flag, 1, 0, 1);
      q.syncQ.putView(1, (v) => { v[0] = 7; Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); while (Atomics.load(flag, 1) === 0) Atomics.wait(flag, 1, 0, 50); });
      Atomics.store(flag, 0, 2);
      Atomics.notify(flag, 0);`;
    const w = new Worker(src, { eval: true, workerData: { handle: q.handle, flag } });
    const exited = new Promise((resolve) => w.once('exit', resolve));
    // Waits as a getter; its deadline passes while the worker holds the lock in its fill, so it leaves its wait to be ended later.
    assert.throws(() => q.syncQ.get({ timeout: 2000 }), (e) => e.name === 'QueueEmpty' && /lock/.test(e.message), 'the get gave up for want of the lock');
    assert.equal(Atomics.load(flag, 0), 1, 'the worker was inside its fill');
    Atomics.store(flag, 1, 1);
    Atomics.notify(flag, 1);
    // Without turning the event loop (where the left wait's retry would end it first): the put is done, then the getView.
    for (const end = Date.now() + 20000; Atomics.load(flag, 0) !== 2 && Date.now() < end; ) Atomics.wait(flag, 0, 1, 50);
    assert.equal(Atomics.load(flag, 0), 2, 'the worker put its item');
    assert.throws(() => q.syncQ.getView(() => { throw new Error('mine'); }, { timeout: 0 }), /mine/);
    await within(exited, 'the worker');
    assert.equal(q.syncQ.qsize(), 1);
    await new Promise((r) => setImmediate(r));
    await within((async () => { while (freeSlots(q.handle) !== SLOT_COUNT) await new Promise((r) => setTimeout(r, 5)); })(), 'every slot free again');
  });

  it('the lent function may not call the same queue (TypeError, nothing changes), but may call another', () => {
    const q = new Queue({ codec: 'bytes', maxsize: 4 });
    const other = new Queue({ codec: 'bytes' });
    q.syncQ.put(new Uint8Array([1]));
    assert.throws(() => q.syncQ.getView(() => q.syncQ.getNowait()), (e) => e instanceof TypeError && /same queue/.test(e.message));
    assert.throws(() => q.syncQ.putView(1, () => Queue.attach(q.handle).syncQ.putNowait(new Uint8Array(1))), /same queue/);
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.getView((v) => (other.syncQ.put(v.slice()), v[0])), 1);
    assert.deepEqual([...other.syncQ.get()], [1]);
  });

  it('waits, times out and shuts down like get and put', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 1 });
    assert.throws(() => q.syncQ.getView((v) => v, { timeout: 5 }), QueueEmpty);
    await assert.rejects(q.asyncQ.getView((v) => v, { timeout: 0 }), QueueEmpty);
    const later = q.asyncQ.getView((v) => v[0] + 1);
    q.syncQ.put(new Uint8Array([41]));
    assert.equal(await later, 42);
    q.syncQ.put(new Uint8Array([1]));
    assert.throws(() => q.syncQ.putView(1, (v) => v.fill(1), { block: false }), QueueFull);
    await assert.rejects(q.asyncQ.putView(1, (v) => v.fill(1), { timeout: 5 }), QueueFull);
    q.syncQ.shutdown(true);
    assert.throws(() => q.syncQ.getView((v) => v), QueueShutDown);
    assert.throws(() => q.syncQ.putView(1, () => {}), QueueShutDown);
  });

  it('refuses other codecs, PriorityQueues, byte lengths that can never fit, and non-functions', async () => {
    assert.throws(() => new Queue().syncQ.getView(() => 1), (e) => e instanceof TypeError && /codec: 'bytes'/.test(e.message));
    await assert.rejects(new Queue({ codec: 'json' }).asyncQ.putView(1, () => {}), TypeError);
    assert.throws(() => new PriorityQueue({ codec: 'bytes' }).syncQ.putView(1, () => {}), /PriorityQueue/);
    const q = new Queue({ codec: 'bytes', maxBytes: 64 });
    assert.throws(() => q.syncQ.putView(65, () => {}), RangeError);
    assert.throws(() => q.syncQ.putView(-1, () => {}), RangeError);
    assert.throws(() => q.syncQ.getView('f'), TypeError);
    assert.equal(q.syncQ.qsize(), 0);
  });

  it('across threads: a worker writes in place with putView, the main thread reads in place with getView', async () => {
    const q = new Queue({ codec: 'bytes', maxsize: 16, maxBytes: 1 << 16 });
    const n = 2000;
    const src = `
      const { workerData } = require('node:worker_threads');
      const { Queue } = require(${JSON.stringify(new URL('../dist/index.cjs', import.meta.url).pathname)});
      const q = Queue.attach(workerData);
      for (let i = 0; i < ${n}; i++) q.syncQ.putView(1 + (i % 1000), (v) => { v.fill(i & 255); v[0] = i >> 8; });
      q.syncQ.shutdown();`;
    const w = new Worker(src, { eval: true, workerData: q.handle });
    let i = 0;
    for (;;) {
      let ok;
      try {
        ok = await within(q.asyncQ.getView((v) => v.length === 1 + (i % 1000) && v[0] === i >> 8 && v.every((b, k) => k === 0 || b === (i & 255))), 'getView');
      } catch (e) {
        if (e instanceof QueueShutDown) break;
        throw e;
      }
      assert.ok(ok, `item ${i}`);
      i++;
    }
    assert.equal(i, n);
    await w.terminate();
  });

  it('a thread killed inside the function it lent the bytes to: recovered, nothing half put or taken', async () => {
    for (const op of ['putView', 'getView']) {
      const q = new Queue({ codec: 'bytes', maxsize: 4 });
      if (op === 'getView') q.syncQ.put(new Uint8Array([9]));
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const src = `
        const { workerData } = require('node:worker_threads');
        const { Queue } = require(${JSON.stringify(new URL('../dist/index.cjs', import.meta.url).pathname)});
        const q = Queue.attach(workerData.handle);
        const inside = () => { Atomics.store(workerData.flag, 0, 1); Atomics.notify(workerData.flag, 0); for (;;); };
        if (workerData.op === 'putView') q.syncQ.putView(8, (v) => { v.fill(1); inside(); });
        else q.syncQ.getView(inside);`;
      const w = new Worker(src, { eval: true, workerData: { handle: q.handle, flag, op } });
      const watched = q.watch(w);
      // Ready handshake: the worker is inside the function, holding the lock.
      await within(Atomics.waitAsync(flag, 0, 0).value, 'the worker inside the lent function');
      await w.terminate();
      await within(watched, 'recovery');
      assert.equal(q.syncQ.qsize(), op === 'getView' ? 1 : 0, op);
      q.syncQ.put(new Uint8Array([1, 2]));
      if (op === 'getView') assert.deepEqual([...q.syncQ.get()], [9]);
      assert.deepEqual([...q.syncQ.get()], [1, 2]);
    }
  });
});
