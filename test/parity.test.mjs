// Behaviours from janus's own tests and CPython 3.13's queue/asyncio shutdown
// tests, in our words, for every kind of queue. (A review listed what the
// other suites did not already cover; each test names its source.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue, QueueEmpty, QueueShutDown } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { isPending, settle, within } from './helpers/bounded.mjs';
import { KINDS } from './helpers/kinds.mjs';
import { GETTERS, JOINERS, PUTTERS, untilWaiters } from './helpers/waiters.mjs';

const agentFor = agentPool();

for (const K of KINDS) {
  describe(`${K.name}: Python parity`, () => {
    // janus test_shutdown_putter / many_putters; asyncio test_shutdown_nonempty
    it('shutdown(false) rejects every waiting put, sync and async, and keeps the items', async () => {
      const q = new K.Class({ maxsize: 1 });
      const [a, b] = [await agentFor(q), await agentFor(q)];
      q.syncQ.put(K.item(0));
      const puts = [a.call('sync', 'put', K.item(1)), b.call('sync', 'put', K.item(2), { timeout: 60000 }), q.asyncQ.put(K.item(3))];
      await untilWaiters(q.handle, PUTTERS, 3);
      q.shutdown(false);
      const results = await within(Promise.all(puts.map(settle)), 'puts');
      assert.deepEqual(results.map((r) => r.error?.name), ['QueueShutDown', 'QueueShutDown', 'QueueShutDown']);
      assert.equal(q.syncQ.qsize(), 1);
      assert.equal(q.syncQ.unfinishedTasks, 1);
      assert.equal(K.id(q.syncQ.getNowait()), 0);
    });

    // janus test_shutdown_getter_with_timeout; CPython test_shutdown_immediate_get
    for (const immediate of [false, true]) {
      it(`shutdown(${immediate}) wakes getters waiting with a long timeout, sync and async, with QueueShutDown`, async () => {
        const q = new K.Class();
        const a = await agentFor(q);
        const gets = [a.call('sync', 'get', { timeout: 60000 }), q.asyncQ.get({ timeout: 60000 }), q.asyncQ.get()];
        await untilWaiters(q.handle, GETTERS, 2); // the worker and our pump
        q.shutdown(immediate);
        const results = await within(Promise.all(gets.map(settle)), 'gets');
        assert.deepEqual(results.map((r) => r.error?.name), ['QueueShutDown', 'QueueShutDown', 'QueueShutDown']);
      });
    }

    // janus test_mixed: put/get notify the other face; several waiters at once
    it('four blocked getters are each released by one put, one of each kind', async () => {
      const q = new K.Class();
      const getters = [];
      for (let i = 0; i < 4; i++) getters.push((await agentFor(q)).call('sync', 'get'));
      await untilWaiters(q.handle, GETTERS, 4);
      q.syncQ.putNowait(K.item(0));
      q.asyncQ.putNowait(K.item(1));
      q.syncQ.put(K.item(2));
      await q.asyncQ.put(K.item(3));
      const got = (await within(Promise.all(getters), 'getters')).map(K.id).sort();
      assert.deepEqual(got, [0, 1, 2, 3]);
      assert.equal(q.syncQ.qsize(), 0);
    });

    it('four blocked putters are each released by one get, one of each kind', async () => {
      const q = new K.Class({ maxsize: 2 });
      q.syncQ.put(K.item(0));
      q.syncQ.put(K.item(1));
      const putters = [];
      for (let i = 0; i < 4; i++) putters.push((await agentFor(q)).call('sync', 'put', K.item(10 + i)));
      await untilWaiters(q.handle, PUTTERS, 4);
      const got = [q.syncQ.getNowait(), q.asyncQ.getNowait(), q.syncQ.get({ timeout: 20000 }), await q.asyncQ.get()];
      await within(Promise.all(putters), 'putters');
      assert.equal(got.length, 4);
      assert.equal(q.syncQ.qsize(), 2);
    });

    // CPython test_shutdown_join / immediate_join / get_task_done_join
    it('joiners in several threads and on both faces are all released by the last taskDone', async () => {
      const q = new K.Class();
      const [a, b] = [await agentFor(q), await agentFor(q)];
      q.syncQ.put(K.item(0));
      q.syncQ.put(K.item(1));
      const joins = [a.call('sync', 'join'), b.call('async', 'join'), q.asyncQ.join()];
      await untilWaiters(q.handle, JOINERS, 3);
      q.syncQ.get();
      q.syncQ.taskDone();
      assert.equal(await isPending(joins[2]), true);
      q.syncQ.get();
      q.syncQ.taskDone();
      assert.deepEqual(await within(Promise.all(joins), 'joins'), [true, true, true]);
    });

    it('joiners in several threads are all released by shutdown(true)', async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      q.syncQ.put(K.item(0));
      q.syncQ.put(K.item(1));
      const joins = [a.call('sync', 'join'), q.asyncQ.join()];
      await untilWaiters(q.handle, JOINERS, 2);
      q.shutdown(true);
      assert.deepEqual(await within(Promise.all(joins), 'joins'), [true, true]);
    });

    // CPython test_shutdown_get
    it('after shutdown(false) with 2 items left, 3 getters in other threads get 2 items and 1 QueueShutDown', async () => {
      const q = new K.Class();
      q.syncQ.put(K.item(0));
      q.syncQ.put(K.item(1));
      q.shutdown(false);
      const results = await Promise.all([0, 1, 2].map(async () => settle((await agentFor(q)).call('sync', 'get'))));
      assert.equal(results.filter((r) => r.ok).length, 2);
      assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.error.name), ['QueueShutDown']);
    });

    // janus test_shutdown_immediate_with_undone_tasks
    it('shutdown(true) stops unfinishedTasks at 0 when fewer tasks are unfinished than items dropped', async () => {
      const q = new K.Class();
      q.syncQ.put(K.item(0));
      q.syncQ.put(K.item(1));
      q.syncQ.taskDone(); // no get: unfinished 1, qsize 2
      q.shutdown(true);
      assert.equal(q.syncQ.unfinishedTasks, 0);
      assert.equal(q.syncQ.join(), true);
      assert.equal(await q.asyncQ.join(), true);
    });

    // CPython test_shutdown_allowed_transitions; janus test_double_closing, join after closing
    it('shutdown(false) after shutdown(true) changes nothing; close twice; join after close is true at once', async () => {
      const q = new K.Class();
      q.syncQ.put(K.item(0));
      q.close();
      q.close();
      q.shutdown(false);
      assert.equal(q.closed, true);
      assert.equal(q.syncQ.qsize(), 0);
      await q.waitClosed();
      assert.equal(q.syncQ.join(), true);
      assert.equal(await q.asyncQ.join(), true);
    });

    // asyncio test_shutdown_empty; janus test_wait_closed_with_pending_tasks, test_close_after_async_join
    it('in one thread: a pending asyncQ.get rejects on shutdown, waitClosed resolves, a pending join resolves on close', async () => {
      const q = new K.Class();
      const get = settle(q.asyncQ.get());
      await untilWaiters(q.handle, GETTERS, 1);
      q.shutdown();
      await q.waitClosed();
      const outcome = await within(get, 'get');
      assert.ok(outcome.error instanceof QueueShutDown);
      const r = new K.Class();
      r.syncQ.put(K.item(0));
      const join = r.asyncQ.join();
      assert.equal(await isPending(join), true);
      r.close();
      assert.equal(await within(join, 'join'), true);
    });

    // CPython test_shutdown_pending_get, the other way round
    it("a main-thread syncQ.get blocked on an empty queue is released by a worker's shutdown", async () => {
      const q = new K.Class();
      const a = await agentFor(q);
      const barrier = a.call('sync', 'untilWaiters', GETTERS, 1);
      const shut = a.call('sync', 'shutdown');
      assert.throws(() => q.syncQ.get({ timeout: 20000 }), QueueShutDown);
      await barrier;
      await shut;
    });
  });
}

describe('cancellation racing a wake-up in one thread (asyncio test_get_cancel_drop_*, test_put_cancel_drop)', () => {
  it('a get aborted in the same tick as two puts: the items go to the other pending getters, none is lost', async () => {
    const q = new Queue();
    const ac = new AbortController();
    const dead = q.asyncQ.get({ signal: ac.signal });
    const live = [q.asyncQ.get(), q.asyncQ.get()];
    await untilWaiters(q.handle, GETTERS, 1);
    q.syncQ.putNowait(1);
    q.syncQ.putNowait(2);
    ac.abort();
    await assert.rejects(dead, { name: 'AbortError' });
    assert.deepEqual((await within(Promise.all(live), 'live gets')).sort(), [1, 2]);
  });

  it('a put aborted in the same tick as the get that made room: its item is in the queue exactly once or not at all', async () => {
    const q = new Queue({ maxsize: 1 });
    q.syncQ.put(1);
    const ac = new AbortController();
    const put = settle(q.asyncQ.put(2, { signal: ac.signal }));
    await untilWaiters(q.handle, PUTTERS, 1);
    assert.equal(q.syncQ.getNowait(), 1);
    ac.abort();
    const r = await within(put, 'put');
    const left = [];
    while (!q.syncQ.empty()) left.push(q.syncQ.getNowait());
    assert.deepEqual(left, r.ok ? [2] : []);
    assert.equal(q.syncQ.unfinishedTasks, r.ok ? 2 : 1);
  });
});

describe('a codec that throws (CPython FailingQueueTest)', () => {
  const boom = new Error('encode failed');
  const codec = {
    encode: (v) => {
      if (v === 'bad') throw boom;
      return new TextEncoder().encode(v);
    },
    decode: (b) => {
      const s = new TextDecoder().decode(b);
      if (s === 'undecodable') throw new SyntaxError('decode failed');
      return s;
    },
  };

  it("an encode error comes out of every put unchanged, and the queue and its lock are as before", async () => {
    const q = new Queue({ codec, maxsize: 2 });
    q.syncQ.put('ok');
    assert.throws(() => q.syncQ.put('bad'), (e) => e === boom);
    assert.throws(() => q.syncQ.putNowait('bad'), (e) => e === boom);
    assert.throws(() => q.asyncQ.putNowait('bad'), (e) => e === boom);
    await assert.rejects(q.asyncQ.put('bad'), (e) => e === boom);
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.unfinishedTasks, 1);
    q.syncQ.put('ok2'); // the lock is free
    assert.equal(q.syncQ.qsize(), 2);
  });

  it('a decode error comes out of get; the item was taken (it counts as unfinished) and the queue goes on working', async () => {
    const q = new Queue({ codec, maxsize: 1 });
    q.syncQ.put('undecodable');
    assert.throws(() => q.syncQ.get(), SyntaxError);
    assert.equal(q.syncQ.qsize(), 0);
    assert.equal(q.syncQ.unfinishedTasks, 1);
    q.syncQ.put('undecodable');
    await assert.rejects(q.asyncQ.get(), SyntaxError);
    q.syncQ.put('fine');
    assert.equal(await q.asyncQ.get(), 'fine');
    assert.throws(() => q.syncQ.getNowait(), QueueEmpty);
  });
});

describe('many consumers polling (CPython test_many_threads_nonblock / _timeout)', () => {
  it('workers polling with getNowait and short timeouts receive every item exactly once', async () => {
    const q = new Queue({ maxsize: 8 });
    const consumers = [];
    for (let i = 0; i < 3; i++) consumers.push(await agentFor(q));
    const N = 300;
    // each consumer polls until it has seen the end marker
    const runs = consumers.map((c, i) => c.call('sync', 'pollUntilShutDown', i % 2 === 0 ? 'nowait' : 'timeout'));
    for (let i = 0; i < N; i++) await q.asyncQ.put(i);
    q.shutdown();
    const all = (await within(Promise.all(runs), 'consumers')).flat().sort((x, y) => x - y);
    assert.deepEqual(all, [...Array(N).keys()]);
  });
});
