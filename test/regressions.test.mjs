// Bugs found by review, each pinned by the smallest case that showed it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { PriorityQueue, Queue } from 'janus-queue';
import { within } from './helpers/bounded.mjs';
import { GETTERS, PUTTERS, freeSlots, untilWaiters, waiterCount } from './helpers/waiters.mjs';
import { LIST_HEAD, SLOT_COUNT, UNFINISHED } from './helpers/layout.mjs';

describe('regressions', () => {
  it('a priority get from the middle of a wrapped ring wakes the putter whose item now fits after compaction', async () => {
    const q = new PriorityQueue({ maxBytes: 232, codec: 'bytes' }); // records: align8(24 + len)
    const item = (p, len) => [p, new Uint8Array(len)];
    q.syncQ.putNowait(item(0, 40));
    q.syncQ.putNowait(item(5, 40));
    q.syncQ.putNowait(item(1, 40));
    q.syncQ.putNowait(item(5, 32));
    q.syncQ.getNowait(); // the head goes
    q.syncQ.putNowait(item(5, 40)); // wraps: the ring is full
    const put = q.asyncQ.put(item(9, 48));
    await untilWaiters(q.handle, PUTTERS, 1);
    assert.equal(q.syncQ.getNowait()[0], 1); // a hole in the middle: room once compacted
    await within(put, 'the waiting put');
    assert.equal(q.syncQ.qsize(), 4);
  });

  it('a Uint8Array whose own length property lies cannot overrun the arena or leave the lock held', () => {
    const q = new Queue({ codec: 'bytes', maxBytes: 64 });
    const liar = new Uint8Array(1000);
    Object.defineProperty(liar, 'length', { value: 8 });
    assert.throws(() => q.syncQ.putNowait(liar), RangeError);
    q.syncQ.putNowait(new Uint8Array([1, 2])); // the lock is free
    assert.deepEqual([...q.syncQ.getNowait()], [1, 2]);
  });

  it('a worker that exits with an asyncQ.get pending leaves no waiter listed and no slot taken', async () => {
    const q = new Queue();
    const seen = new Int32Array(new SharedArrayBuffer(4)); // set by the worker once its pump is listed
    const w = new Worker(
      `const { workerData } = require('node:worker_threads');
       const { Queue } = require('janus-queue');
       const q = Queue.attach(workerData.handle);
       q.asyncQ.get();
       // exit once our pump is listed (the getters' LIST_HEAD word)
       const w = new Int32Array(workerData.handle.buffer);
       const check = () => {
         if (Atomics.load(w, workerData.getters) < 0) return setTimeout(check, 1);
         Atomics.store(workerData.seen, 0, 1);
         process.exit(0);
       };
       check();`,
      { eval: true, workerData: { handle: q.handle, seen, getters: LIST_HEAD + GETTERS } },
    );
    await within(new Promise((r) => w.once('exit', r)), 'worker exit');
    assert.equal(Atomics.load(seen, 0), 1, 'the worker was listed as a getter before it exited');
    assert.equal(waiterCount(q.handle, GETTERS), 0);
    assert.equal(freeSlots(q.handle), SLOT_COUNT);
    q.syncQ.put('x');
    assert.equal(q.syncQ.qsize(), 1);
  });

  it('errors named like Object.prototype members round-trip as plain Errors', () => {
    const q = new Queue();
    for (const name of ['constructor', 'toString', '__proto__', 'valueOf']) {
      const e = new Error('m');
      e.name = name;
      q.syncQ.put(e);
      const out = q.syncQ.get();
      assert.ok(out instanceof Error);
      assert.equal(out.message, 'm');
    }
  });

  it('a large BigInt round-trips (linear-time encoding)', () => {
    const q = new Queue({ maxBytes: 1 << 22 });
    const big = -(3n ** 200000n);
    q.syncQ.put(big);
    assert.equal(q.syncQ.get(), big);
  });

  it('a sparse array that can never fit is refused after about maxBytes of work', () => {
    const q = new Queue({ maxBytes: 1024 });
    const a = [];
    a[2 ** 32 - 2] = 1;
    assert.throws(() => q.syncQ.putNowait(a), RangeError);
    assert.equal(q.syncQ.qsize(), 0);
  });

  it("an asyncQ get is decoded before its signal's listener is removed: a get made from removeEventListener takes the next item, none is lost or given twice", async () => {
    for (const L of [100, 20000]) {
      // Two large items of one length first: the instance readies an array for the next (docs/semantics.md, "Large gets").
      const q = new Queue({ codec: 'bytes' });
      for (let k = 0; k < 2; k++) {
        q.syncQ.put(new Uint8Array(L));
        q.syncQ.get();
      }
      let inner;
      const remove = EventTarget.prototype.removeEventListener;
      EventTarget.prototype.removeEventListener = function (...a) {
        if (inner === undefined) inner = q.syncQ.getNowait(); // a shim that also drains
        return remove.apply(this, a);
      };
      let outer;
      try {
        const pending = q.asyncQ.get({ signal: new AbortController().signal }); // waits: the queue is empty
        q.syncQ.put(new Uint8Array(30000).fill(1)); // not the readied array's length
        q.syncQ.put(new Uint8Array(L).fill(2));
        outer = await pending;
      } finally {
        EventTarget.prototype.removeEventListener = remove;
      }
      assert.deepEqual([outer.length, outer[0], inner.length, inner[0]], [30000, 1, L, 2], `L = ${L}`);
      assert.notEqual(outer.buffer, inner.buffer);
      assert.equal(q.syncQ.qsize(), 0);
    }
  });

  it("a signal whose removeEventListener throws still lets its get settle with its item; the other pending gets are served", async () => {
    const q = new Queue();
    const ac = new AbortController();
    ac.signal.removeEventListener = () => {
      throw new Error('shim threw');
    };
    const a = q.asyncQ.get({ signal: ac.signal }); // waits: the queue is empty
    const b = q.asyncQ.get();
    q.syncQ.put('first');
    q.syncQ.put('second');
    assert.deepEqual(await Promise.all([a, b]), ['first', 'second']);
    assert.equal(q.syncQ.qsize(), 0);
  });

  it('unfinishedTasks saturates instead of wrapping', () => {
    const q = new Queue();
    new Int32Array(q.handle.buffer)[UNFINISHED] = 0x7fffffff;
    q.syncQ.put(1);
    assert.equal(q.syncQ.unfinishedTasks, 0x7fffffff);
  });
});

describe('an exception anywhere inside a call (a stack overflow at every depth)', () => {
  // In a child process each, so the code is cold, as in the first calls of a
  // program: the fixture reports a lock left held, a section left
  // uncommitted, or a failed call that changed the queue.
  for (const op of ['put', 'get', 'putMany', 'getMany']) {
    for (const kind of ['Queue', 'PriorityQueue']) {
      it(`${kind} ${op}: the call works or changes nothing, and the lock is never left held`, () => {
        const out = execFileSync(process.execPath, [new URL('./fixtures/stack-overflow.mjs', import.meta.url).pathname, op, kind], { encoding: 'utf8' }).trim();
        assert.match(out, /^ok \d+$/, out);
        assert.ok(Number(out.split(' ')[1]) > 1000, 'the probe made its calls');
      });
    }
  }
});
