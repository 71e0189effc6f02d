// The same behaviours across real worker threads: the sync face in a worker
// and the async face on the main thread, and the reverse. A call that must
// block is shown to have blocked: the releasing side first waits (bounded)
// until the caller is registered as a waiter in the queue's shared lists,
// and only then releases it. No sleeps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { isPending, within } from './helpers/bounded.mjs';
import { KINDS } from './helpers/kinds.mjs';
import { GETTERS, JOINERS, PUTTERS, untilWaiters } from './helpers/waiters.mjs';

const agentFor = agentPool();

const BOUND = 20000; // ms: generous bound on a sync wait on the main thread

for (const K of KINDS) {
  describe(`${K.name} across threads`, () => {
    it('worker syncQ.put -> main asyncQ.get carries every item, in order for one producer', async () => {
      const q = new K.Class({ maxsize: 8 });
      const a = await agentFor(q);
      const items = [...Array(500).keys()].map(K.item);
      const putting = a.call('sync', 'putAll', items);
      const got = [];
      for (let i = 0; i < items.length; i++) got.push(K.id(await within(q.asyncQ.get(), 'asyncQ.get')));
      assert.equal(await putting, 500);
      assert.deepEqual([...got].sort((x, y) => x - y), [...Array(500).keys()]);
      if (K.name === 'Queue') assert.deepEqual(got, [...Array(500).keys()]);
      assert.equal(q.asyncQ.qsize(), 0);
      assert.equal(q.asyncQ.unfinishedTasks, 500);
    });

    it('main asyncQ.put -> worker syncQ.get carries every item, with backpressure', async () => {
      const q = new K.Class({ maxsize: 4 });
      const a = await agentFor(q);
      const getting = a.call('sync', 'getAll', 300);
      for (let i = 0; i < 300; i++) await within(q.asyncQ.put(K.item(i)), 'asyncQ.put');
      const got = (await getting).map(K.id);
      assert.deepEqual([...got].sort((x, y) => x - y), [...Array(300).keys()]);
      if (K.name === 'Queue') assert.deepEqual(got, [...Array(300).keys()]);
    });

    for (const how of ['put', 'putNowait', 'asyncPut']) {
      it(`a main-thread syncQ.get blocked on an empty queue is released by a worker's ${how}`, async () => {
        const q = new K.Class();
        const a = await agentFor(q);
        // The worker waits until this thread is registered as a getter, then puts.
        // Both commands are posted now: this thread will be blocked.
        const barrier = a.call('sync', 'untilWaiters', GETTERS, 1);
        const release = how === 'asyncPut' ? a.call('async', 'put', K.item(7)) : a.call('sync', how, K.item(7));
        assert.equal(K.id(q.syncQ.get({ timeout: BOUND })), 7);
        await barrier;
        await release;
        assert.equal(q.syncQ.qsize(), 0);
      });

      it(`a worker's syncQ.get blocked on an empty queue is released by the main thread's ${how}`, async () => {
        const q = new K.Class();
        const a = await agentFor(q);
        const getting = a.call('sync', 'get');
        await untilWaiters(q.handle, GETTERS, 1);
        assert.equal(await isPending(getting), true);
        if (how === 'asyncPut') await q.asyncQ.put(K.item(3));
        else q.syncQ[how](K.item(3));
        assert.equal(K.id(await getting), 3);
      });
    }

    for (const how of ['get', 'getNowait', 'asyncGet']) {
      it(`a worker's syncQ.put blocked on a full queue is released by the main thread's ${how}`, async () => {
        const q = new K.Class({ maxsize: 1 });
        const a = await agentFor(q);
        q.syncQ.put(K.item(1));
        const putting = a.call('sync', 'put', K.item(2));
        await untilWaiters(q.handle, PUTTERS, 1);
        assert.equal(await isPending(putting), true);
        const first = how === 'asyncGet' ? await q.asyncQ.get() : q.syncQ[how]();
        assert.equal(K.id(first), 1);
        await putting;
        assert.equal(K.id(q.syncQ.getNowait()), 2);
      });

      it(`a main-thread syncQ.put blocked on a full queue is released by a worker's ${how}`, async () => {
        const q = new K.Class({ maxsize: 1 });
        const a = await agentFor(q);
        q.syncQ.put(K.item(1));
        const barrier = a.call('sync', 'untilWaiters', PUTTERS, 1);
        const release = how === 'asyncGet' ? a.call('async', 'get') : a.call('sync', how);
        q.syncQ.put(K.item(2), { timeout: BOUND });
        await barrier;
        assert.equal(K.id(await release), 1);
        assert.equal(K.id(q.syncQ.getNowait()), 2);
      });
    }

    it('a pending main asyncQ.get is released by a worker syncQ.put', async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      const getting = q.asyncQ.get();
      await untilWaiters(q.handle, GETTERS, 1);
      assert.equal(await isPending(getting), true);
      await a.call('sync', 'put', K.item(5));
      assert.equal(K.id(await within(getting, 'asyncQ.get')), 5);
    });

    it('a pending worker asyncQ.get is released by a main syncQ.put', async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      const getting = a.call('async', 'get');
      await untilWaiters(q.handle, GETTERS, 1);
      q.syncQ.put(K.item(6));
      assert.equal(K.id(await getting), 6);
    });

    it("a main asyncQ.join is released by a worker's syncQ taskDone, and only by the last one", async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      q.syncQ.put(K.item(0));
      q.syncQ.put(K.item(1));
      const joining = q.asyncQ.join();
      await untilWaiters(q.handle, JOINERS, 1);
      await a.call('sync', 'getAll', 2);
      await a.call('sync', 'taskDone');
      assert.equal(await isPending(joining), true);
      assert.equal(q.asyncQ.unfinishedTasks, 1);
      await a.call('sync', 'taskDone');
      assert.equal(await within(joining, 'asyncQ.join'), true);
    });

    it("a worker's syncQ.join is released by the main thread's asyncQ.taskDone", async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      await q.asyncQ.put(K.item(0));
      const joining = a.call('sync', 'join');
      await untilWaiters(q.handle, JOINERS, 1);
      await q.asyncQ.get();
      assert.equal(await isPending(joining), true);
      q.asyncQ.taskDone();
      assert.equal(await joining, true);
    });

    it('a worker syncQ.join with a timeout returns false while tasks are unfinished', async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      q.syncQ.put(K.item(0));
      assert.equal(await a.call('sync', 'join', { timeout: 20 }), false);
    });

    it('shutdown(true) wakes blocked putters (sync and async) and a joiner in other threads', async () => {
      const q = new K.Class({ maxsize: 1 });
      const putter = await agentFor(q);
      const asyncPutter = await agentFor(q);
      const joiner = await agentFor(q);
      q.syncQ.put(K.item(0)); // full, and one unfinished task
      const p1 = putter.call('sync', 'put', K.item(1));
      const p2 = asyncPutter.call('async', 'put', K.item(2));
      await untilWaiters(q.handle, PUTTERS, 2);
      const joins = joiner.call('sync', 'join');
      await untilWaiters(q.handle, JOINERS, 1);
      assert.equal(await isPending(joins), true);
      q.shutdown(true);
      await assert.rejects(p1, { name: 'QueueShutDown' });
      await assert.rejects(p2, { name: 'QueueShutDown' });
      assert.equal(await joins, true); // the dropped item was the only unfinished task
      assert.equal(q.syncQ.unfinishedTasks, 0);
      assert.equal(q.syncQ.qsize(), 0);
    });

    it('shutdown(false) leaves a joiner waiting until the last taskDone', async () => {
      const q = new K.Class();
      const joiner = await agentFor(q);
      q.syncQ.put(K.item(0));
      const joins = joiner.call('async', 'join');
      await untilWaiters(q.handle, JOINERS, 1);
      q.shutdown(false);
      assert.equal(await isPending(joins), true);
      assert.equal(K.id(q.syncQ.get()), 0);
      q.syncQ.taskDone();
      assert.equal(await joins, true);
    });

    it('shutdown(false) lets blocked getters in other threads drain what is left, then throw', async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      const b = await agentFor(q);
      const ga = a.call('sync', 'get');
      const gb = b.call('async', 'get');
      await untilWaiters(q.handle, GETTERS, 2);
      q.shutdown();
      await assert.rejects(ga, { name: 'QueueShutDown' });
      await assert.rejects(gb, { name: 'QueueShutDown' });
      const c = await agentFor(q);
      await assert.rejects(c.call('sync', 'put', K.item(0)), { name: 'QueueShutDown' });
      await assert.rejects(c.call('async', 'put', K.item(0)), { name: 'QueueShutDown' });
      assert.equal((await c.call(null, 'state')).closed, true);
    });

    it('many producers and consumers on both faces in several threads: every item exactly once', async () => {
      const q = new K.Class({ maxsize: 16 });
      const producers = [await agentFor(q), await agentFor(q)];
      const consumer = await agentFor(q);
      const N = 400;
      const puts = [
        producers[0].call('sync', 'putAll', [...Array(N).keys()].map(K.item)),
        producers[1].call('async', 'putAll', [...Array(N).keys()].map((i) => K.item(N + i))),
      ];
      const mainPuts = (async () => {
        for (let i = 0; i < N; i++) await q.asyncQ.put(K.item(2 * N + i));
      })();
      const workerGot = consumer.call('sync', 'getAll', N);
      const mainGot = [];
      for (let i = 0; i < 2 * N; i++) mainGot.push(await within(q.asyncQ.get(), 'asyncQ.get'));
      await Promise.all([...puts, mainPuts]);
      const all = [...mainGot, ...(await workerGot)].map(K.id).sort((x, y) => x - y);
      assert.deepEqual(all, [...Array(3 * N).keys()]);
      assert.equal(q.syncQ.qsize(), 0);
      assert.equal(q.syncQ.unfinishedTasks, 3 * N);
    });

    it('a worker sees the same counters and shutdown flag as the main thread', async () => {
      const q = new K.Class({ maxsize: 3 });
      const a = await agentFor(q);
      q.syncQ.put(K.item(0));
      q.syncQ.put(K.item(1));
      assert.deepEqual(await a.call(null, 'state'), { qsize: 2, unfinished: 2, closed: false });
      await a.call('sync', 'get');
      await a.call('sync', 'taskDone');
      assert.equal(q.asyncQ.qsize(), 1);
      assert.equal(q.asyncQ.unfinishedTasks, 1);
      await a.call('sync', 'shutdown');
      assert.equal(q.asyncQ.closed, true);
      await assert.rejects(q.asyncQ.put(K.item(2)), QueueShutDown);
      assert.ok(QueueEmpty && QueueFull);
    });
  });
}
