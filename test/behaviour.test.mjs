// The behaviour suite, written once and run against every kind of queue and
// both faces, in one thread. (cross-thread.test.mjs runs the same behaviours
// across real worker threads.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { KINDS } from './helpers/kinds.mjs';

/** Both faces behind one promise-returning shape, so each test is written once. */
export const FACES = {
  sync: (q) => ({
    put: async (item, o) => q.syncQ.put(item, o),
    get: async (o) => q.syncQ.get(o),
    putNowait: (item) => q.syncQ.putNowait(item),
    getNowait: () => q.syncQ.getNowait(),
    join: async (o) => q.syncQ.join(o),
    view: q.syncQ,
    drain: () => [...q.syncQ],
  }),
  async: (q) => ({
    put: (item, o) => q.asyncQ.put(item, o),
    get: (o) => q.asyncQ.get(o),
    putNowait: (item) => q.asyncQ.putNowait(item),
    getNowait: () => q.asyncQ.getNowait(),
    join: (o) => q.asyncQ.join(o),
    view: q.asyncQ,
    drain: async () => {
      const out = [];
      for await (const x of q.asyncQ) out.push(x);
      return out;
    },
  }),
};

const counters = (v) => ({ qsize: v.qsize(), empty: v.empty(), full: v.full(), unfinished: v.unfinishedTasks, closed: v.closed });

for (const K of KINDS) {
  for (const [faceName, face] of Object.entries(FACES)) {
    describe(`${K.name} through ${faceName}Q`, () => {
      it('gives items back in the order of its kind', async () => {
        const q = new K.Class();
        const f = face(q);
        for (let i = 0; i < 12; i++) await f.put(K.item(i));
        const out = [];
        for (let i = 0; i < 12; i++) out.push(K.id(await f.get()));
        assert.deepEqual(out, K.order(12));
      });

      it('keeps qsize, empty, full and unfinishedTasks right after each step', async () => {
        const q = new K.Class({ maxsize: 2 });
        const f = face(q);
        assert.equal(f.view.maxsize, 2);
        assert.deepEqual(counters(f.view), { qsize: 0, empty: true, full: false, unfinished: 0, closed: false });
        await f.put(K.item(0));
        assert.deepEqual(counters(f.view), { qsize: 1, empty: false, full: false, unfinished: 1, closed: false });
        f.putNowait(K.item(1));
        assert.deepEqual(counters(f.view), { qsize: 2, empty: false, full: true, unfinished: 2, closed: false });
        await f.get();
        assert.deepEqual(counters(f.view), { qsize: 1, empty: false, full: false, unfinished: 2, closed: false });
        f.view.taskDone();
        assert.deepEqual(counters(f.view), { qsize: 1, empty: false, full: false, unfinished: 1, closed: false });
        f.getNowait();
        f.view.taskDone();
        assert.deepEqual(counters(f.view), { qsize: 0, empty: true, full: false, unfinished: 0, closed: false });
      });

      for (const maxsize of [0, -1, undefined]) {
        it(`is unbounded by count with maxsize ${maxsize}`, async () => {
          const q = new K.Class(maxsize === undefined ? {} : { maxsize });
          const f = face(q);
          for (let i = 0; i < 2000; i++) f.putNowait(K.item(i));
          assert.equal(f.view.qsize(), 2000);
          assert.equal(f.view.full(), false);
          assert.equal(f.view.maxsize, maxsize ?? 0, 'maxsize reads back as given, as in Python');
        });
      }

      it('throws QueueFull from a full queue with putNowait, block: false and timeout 0, and changes nothing', async () => {
        const q = new K.Class({ maxsize: 1 });
        const f = face(q);
        await f.put(K.item(0));
        assert.throws(() => f.putNowait(K.item(1)), QueueFull);
        await assert.rejects(f.put(K.item(1), { timeout: 0 }), QueueFull);
        if (faceName === 'sync') assert.throws(() => q.syncQ.put(K.item(1), { block: false }), QueueFull);
        assert.equal(f.view.qsize(), 1);
        assert.equal(f.view.unfinishedTasks, 1);
        assert.equal(K.id(await f.get()), 0);
      });

      it('throws QueueEmpty from an empty queue with getNowait, block: false and timeout 0', async () => {
        const q = new K.Class();
        const f = face(q);
        assert.throws(() => f.getNowait(), QueueEmpty);
        await assert.rejects(f.get({ timeout: 0 }), QueueEmpty);
        if (faceName === 'sync') assert.throws(() => q.syncQ.get({ block: false }), QueueEmpty);
      });

      it('gives up with QueueEmpty / QueueFull when a timeout > 0 passes', async () => {
        const q = new K.Class({ maxsize: 1 });
        const f = face(q);
        await assert.rejects(f.get({ timeout: 15 }), QueueEmpty);
        await f.put(K.item(0));
        await assert.rejects(f.put(K.item(1), { timeout: 15 }), QueueFull);
        assert.equal(f.view.qsize(), 1);
        assert.equal(f.view.unfinishedTasks, 1);
      });

      it('refuses a negative or NaN timeout with RangeError, but a put to a queue unbounded by count ignores it', async () => {
        const q = new K.Class({ maxsize: 1 });
        const f = face(q);
        for (const timeout of [-1, NaN, -Infinity]) {
          await assert.rejects(f.get({ timeout }), RangeError);
          await assert.rejects(f.put(K.item(0), { timeout }), RangeError);
          await assert.rejects(f.join({ timeout }), RangeError);
        }
        assert.equal(f.view.qsize(), 0);
        const u = new K.Class();
        await face(u).put(K.item(0), { timeout: -1 });
        assert.equal(u.syncQ.qsize(), 1);
      });

      it('accepts Infinity as no time limit', async () => {
        const q = new K.Class();
        const f = face(q);
        await f.put(K.item(0), { timeout: Infinity });
        assert.equal(K.id(await f.get({ timeout: Infinity })), 0);
        assert.equal(await f.join({ timeout: 0 }), false);
        f.view.taskDone();
        assert.equal(await f.join({ timeout: Infinity }), true);
      });

      it('throws RangeError from taskDone called more times than items were put, changing nothing', async () => {
        const q = new K.Class();
        const f = face(q);
        assert.throws(() => f.view.taskDone(), { name: 'RangeError', message: 'janus-queue: taskDone() called more times than items were put (unfinishedTasks is already 0)' });
        await f.put(K.item(0));
        await f.get();
        f.view.taskDone();
        assert.throws(() => f.view.taskDone(), RangeError);
        assert.equal(f.view.unfinishedTasks, 0);
      });

      it('join returns true at once with nothing unfinished, and false when its timeout passes', async () => {
        const q = new K.Class();
        const f = face(q);
        assert.equal(await f.join(), true);
        await f.put(K.item(0));
        assert.equal(await f.join({ timeout: 0 }), false);
        assert.equal(await f.join({ timeout: 10 }), false);
        await f.get();
        assert.equal(await f.join({ timeout: 0 }), false);
        f.view.taskDone();
        assert.equal(await f.join(), true);
      });

      it('after shutdown(false): put throws QueueShutDown even when full, get drains then throws', async () => {
        const q = new K.Class({ maxsize: 2 });
        const f = face(q);
        await f.put(K.item(0));
        await f.put(K.item(1));
        f.view.shutdown();
        assert.equal(f.view.closed, true);
        assert.equal(q.closed, true);
        await assert.rejects(f.put(K.item(2)), QueueShutDown);
        assert.throws(() => f.putNowait(K.item(2)), QueueShutDown);
        await assert.rejects(f.put(K.item(2), { timeout: 0 }), QueueShutDown);
        const got = [K.id(await f.get()), K.id(f.getNowait())];
        assert.deepEqual(got, K.order(2));
        await assert.rejects(f.get(), QueueShutDown);
        assert.throws(() => f.getNowait(), QueueShutDown);
        await assert.rejects(f.get({ timeout: 5 }), QueueShutDown);
        assert.equal(f.view.unfinishedTasks, 2);
        f.view.taskDone();
        f.view.taskDone();
        assert.equal(await f.join(), true);
      });

      it('after shutdown(true): items are dropped and unfinishedTasks goes down by one per dropped item', async () => {
        const q = new K.Class();
        const f = face(q);
        for (let i = 0; i < 3; i++) await f.put(K.item(i));
        await f.get(); // taken, not yet done
        f.view.shutdown(true);
        assert.equal(f.view.qsize(), 0);
        assert.equal(f.view.unfinishedTasks, 1);
        await assert.rejects(f.get(), QueueShutDown);
        assert.equal(await f.join({ timeout: 0 }), false);
        f.view.taskDone();
        assert.equal(await f.join(), true);
        assert.throws(() => f.view.taskDone(), RangeError);
      });

      it('shutdown(true) never takes unfinishedTasks below 0, and shutdown(true) after shutdown(false) drops what is left', async () => {
        const q = new K.Class();
        const f = face(q);
        for (let i = 0; i < 3; i++) await f.put(K.item(i));
        await f.get();
        f.view.taskDone();
        await f.get();
        f.view.taskDone();
        f.view.shutdown(false);
        f.view.shutdown(false); // harmless
        assert.equal(f.view.qsize(), 1);
        f.view.shutdown(true);
        assert.equal(f.view.qsize(), 0);
        assert.equal(f.view.unfinishedTasks, 0);
        assert.equal(await f.join(), true);
      });

      it('iterates until the queue is shut down and drained, without calling taskDone', async () => {
        const q = new K.Class();
        const f = face(q);
        for (let i = 0; i < 5; i++) await f.put(K.item(i));
        f.view.shutdown();
        const out = await f.drain();
        assert.deepEqual(out.map(K.id), K.order(5));
        assert.equal(f.view.unfinishedTasks, 5);
      });

      it('wraps around its arena many times without losing or reordering items', async () => {
        // Small arena, items of varied sizes: exercises wrap markers and resets.
        const q = new K.Class({ maxBytes: 300 });
        const f = face(q);
        const pad = (i) => 'x'.repeat((i * 7) % 40);
        let next = 0;
        let held = 0;
        const seen = [];
        for (let round = 0; round < 400; round++) {
          // put until full, then get a few
          for (;;) {
            try {
              const it = K.item(next);
              (Array.isArray(it) ? it[1] : it).pad = pad(next);
              f.putNowait(it);
              next++;
              held++;
            } catch (e) {
              assert.ok(e instanceof QueueFull);
              break;
            }
          }
          assert.ok(held > 0, 'an empty queue must take an item');
          const takes = 1 + (round % 3);
          for (let k = 0; k < takes && held > 0; k++, held--) {
            const item = f.getNowait();
            const body = Array.isArray(item) ? item[1] : item;
            assert.equal(body.pad, pad(body.id));
            seen.push(body.id);
          }
        }
        while (held-- > 0) seen.push(K.id(f.getNowait()));
        assert.equal(seen.length, next);
        assert.deepEqual([...seen].sort((a, b) => a - b), [...Array(next).keys()], 'every item exactly once');
        if (K.name === 'Queue') assert.deepEqual(seen, [...Array(next).keys()], 'FIFO order');
      });
    });
  }
}
