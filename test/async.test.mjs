// The promise face: cancellation (timeout, AbortSignal) loses and inserts
// nothing and leaves no waiter behind that could swallow a wake-up; calls of
// one thread are served in order; a thread that blocks in syncQ while it has
// asyncQ calls pending does not absorb the wake-ups meant for others.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { Queue, QueueEmpty, QueueFull } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { isPending, settle, within } from './helpers/bounded.mjs';
import { KINDS } from './helpers/kinds.mjs';
import { LIST_HEAD, SLOT_COUNT } from './helpers/layout.mjs';
import { GETTERS, JOINERS, PUTTERS, freeSlots, untilWaiters, waiterCount } from './helpers/waiters.mjs';

const agentFor = agentPool();

for (const K of KINDS) {
  describe(`${K.name}.asyncQ cancellation`, () => {
    it('an already-aborted signal rejects with its reason without touching the queue', async () => {
      const q = new K.Class({ maxsize: 1 });
      q.syncQ.put(K.item(0));
      const reason = new Error('stop');
      const signal = AbortSignal.abort(reason);
      await assert.rejects(q.asyncQ.get({ signal }), (e) => e === reason);
      await assert.rejects(q.asyncQ.put(K.item(1), { signal }), (e) => e === reason);
      await assert.rejects(q.asyncQ.join({ signal }), (e) => e === reason);
      assert.equal(q.syncQ.qsize(), 1, 'the item is still there');
      assert.equal(q.syncQ.unfinishedTasks, 1);
    });

    it('aborting a pending get rejects it with the reason, and the next item goes to a live getter', async () => {
      const q = new K.Class();
      const ac = new AbortController();
      const dead = q.asyncQ.get({ signal: ac.signal });
      const live = q.asyncQ.get();
      await untilWaiters(q.handle, GETTERS, 1);
      ac.abort('why');
      await assert.rejects(dead, (e) => e === 'why');
      q.syncQ.put(K.item(1));
      assert.equal(K.id(await within(live, 'live get')), 1);
      assert.equal(waiterCount(q.handle, GETTERS), 0);
    });

    it('a timed-out get leaves the item that arrives later in the queue', async () => {
      const q = new K.Class();
      await assert.rejects(q.asyncQ.get({ timeout: 5 }), QueueEmpty);
      q.syncQ.put(K.item(1));
      assert.equal(q.syncQ.qsize(), 1);
      assert.equal(waiterCount(q.handle, GETTERS), 0);
    });

    it('an aborted or timed-out put inserts nothing', async () => {
      const q = new K.Class({ maxsize: 1 });
      q.syncQ.put(K.item(0));
      const ac = new AbortController();
      const aborted = q.asyncQ.put(K.item(1), { signal: ac.signal });
      const timed = q.asyncQ.put(K.item(2), { timeout: 5 });
      await assert.rejects(timed, QueueFull);
      ac.abort();
      await assert.rejects(aborted, { name: 'AbortError' });
      assert.equal(K.id(q.syncQ.get()), 0);
      assert.equal(q.syncQ.qsize(), 0);
      assert.equal(q.syncQ.unfinishedTasks, 1);
      assert.equal(waiterCount(q.handle, PUTTERS), 0);
    });

    it('an aborted join rejects with the reason; a timed-out join resolves false', async () => {
      const q = new K.Class();
      q.syncQ.put(K.item(0));
      const ac = new AbortController();
      const j = q.asyncQ.join({ signal: ac.signal });
      ac.abort('enough');
      await assert.rejects(j, (e) => e === 'enough');
      assert.equal(await q.asyncQ.join({ timeout: 5 }), false);
      assert.equal(waiterCount(q.handle, JOINERS), 0);
    });

    it('calls of one thread are served in the order they were made', async () => {
      const q = new K.Class({ maxsize: 2 });
      const gets = [0, 1, 2, 3, 4].map(() => q.asyncQ.get());
      // The gets are served as the items arrive, so the puts never find the queue full.
      for (let i = 0; i < 5; i++) await q.asyncQ.put(K.item(i));
      const got = (await within(Promise.all(gets), 'gets')).map(K.id);
      assert.deepEqual([...got].sort(), [0, 1, 2, 3, 4]);
      if (K.name === 'Queue') assert.deepEqual(got, [0, 1, 2, 3, 4]);
      // putters in order too: the queue holds 2, so puts 2..4 wait and go in FIFO
      const puts = [0, 1, 2, 3, 4].map((i) => q.asyncQ.put(K.item(10 + i)));
      const out = [];
      for (let i = 0; i < 5; i++) out.push(K.id(await q.asyncQ.get()));
      await Promise.all(puts);
      if (K.name === 'Queue') assert.deepEqual(out, [10, 11, 12, 13, 14]);
      else assert.deepEqual([...out].sort(), [10, 11, 12, 13, 14]);
    });
  });
}

describe('long timeouts', () => {
  it("a timeout past setTimeout's limit (2^31-1 ms) does not fire early", async () => {
    const q = new Queue();
    const p = settle(q.asyncQ.get({ timeout: 3e9 }));
    // Node runs an overlong setTimeout after 1 ms; give that bug time to show.
    await new Promise((r) => setTimeout(r, 30));
    q.syncQ.put('in time');
    assert.deepEqual(await within(p, 'get'), { ok: true, value: 'in time' });
  });
});

describe('no lost wake-ups', () => {
  it('a get aborted after its pump was signalled passes the signal on to a getter in another thread', async () => {
    const q = new Queue();
    const a = await agentFor(q);
    const ac = new AbortController();
    const mine = q.asyncQ.get({ signal: ac.signal });
    await untilWaiters(q.handle, GETTERS, 1); // our pump is first in line
    const theirs = a.call('sync', 'get');
    await untilWaiters(q.handle, GETTERS, 2); // the worker is second
    // In one synchronous step: the put signals our pump (first in line), and
    // the abort withdraws it before it can run. The signal must reach the worker.
    q.syncQ.putNowait('x');
    ac.abort();
    await assert.rejects(mine, { name: 'AbortError' });
    assert.equal(await theirs, 'x');
  });

  it('thousands of aborted and timed-out gets, interleaved with live ones: every put reaches a live getter', async () => {
    const q = new Queue();
    const a = await agentFor(q);
    const worker = a.call('sync', 'getAll', 100);
    const live = [];
    const dead = [];
    for (let round = 0; round < 100; round++) {
      for (let k = 0; k < 50; k++) {
        const ac = new AbortController();
        dead.push(q.asyncQ.get({ signal: ac.signal }).catch(() => 'aborted'));
        ac.abort();
        dead.push(q.asyncQ.get({ timeout: 0 }).catch(() => 'empty'));
      }
      live.push(q.asyncQ.get());
    }
    await untilWaiters(q.handle, GETTERS, 2); // the worker and our pump
    for (let i = 0; i < 200; i++) q.syncQ.put(i);
    const mainGot = await within(Promise.all(live), 'live gets');
    const workerGot = await worker;
    assert.deepEqual([...mainGot, ...workerGot].sort((x, y) => x - y), [...Array(200).keys()]);
    assert.ok((await Promise.all(dead)).every((r) => r === 'aborted' || r === 'empty'));
    assert.equal(waiterCount(q.handle, GETTERS), 0);
  });

  it('100k aborted gets leave no waiter and no slot behind', async () => {
    const q = new Queue();
    for (let i = 0; i < 100000; i++) {
      const ac = new AbortController();
      const p = q.asyncQ.get({ signal: ac.signal });
      ac.abort();
      await p.catch(() => {});
    }
    assert.equal(waiterCount(q.handle, GETTERS), 0);
    // Every slot is free again: SLOT_COUNT (128) workers could wait now.
    // Checked through the free-slot stack.
    // The last pump frees its slot when its (withdrawn) wait settles, a task later.
    for (let i = 0; i < 1000 && freeSlots(q.handle) !== SLOT_COUNT; i++) await new Promise((r) => setTimeout(r, 1));
    assert.equal(freeSlots(q.handle), SLOT_COUNT);
  });

  it('a thread that blocks in syncQ while its own asyncQ get is pending does not absorb the wake-up', async () => {
    const q = new Queue();
    const a = await agentFor(q);
    const pending = q.asyncQ.get(); // our pump registers first
    await untilWaiters(q.handle, GETTERS, 1);
    // The worker waits until our sync get is registered too, then puts twice.
    const barrier = a.call('sync', 'untilWaiters', GETTERS, 1);
    const puts = a.call('sync', 'putAll', ['first', 'second']);
    // This blocks the main thread: the pump cannot run, so it must not hold a
    // place in the getter list while we sleep.
    const got = q.syncQ.get({ timeout: 20000 });
    await barrier;
    await puts;
    assert.equal(got, 'first');
    assert.equal(await within(pending, 'pending async get'), 'second');
  });

  it("a thread blocked on queue A does not absorb a wake-up of queue B, where its own asyncQ.get is pending", async () => {
    const a = new Queue();
    const b = new Queue();
    const mine = b.asyncQ.get(); // our pump is first in B's line
    await untilWaiters(b.handle, GETTERS, 1);
    const w1 = await agentFor(b);
    const theirs = w1.call('sync', 'get'); // second in B's line
    await untilWaiters(b.handle, GETTERS, 2);
    // The releaser waits until we are blocked on A, puts into B (which must
    // reach w1: we cannot run), waits until B is empty again, then releases us.
    const releaser = new Worker(
      `const { workerData } = require('node:worker_threads');
       const { a, b } = workerData;
       const { Queue } = require('janus-queue');
       const qa = Queue.attach(a), qb = Queue.attach(b);
       const nap = new Int32Array(new SharedArrayBuffer(4));
       const until = (f) => { for (let i = 0; i < 20000 && !f(); i++) Atomics.wait(nap, 0, 0, 1); };
       until(() => Atomics.load(new Int32Array(a.buffer), workerData.aGetters) >= 0); // we are listed on A
       qb.syncQ.put('for w1');
       until(() => qb.syncQ.qsize() === 0);
       qa.syncQ.put('release');`,
      { eval: true, workerData: { a: a.handle, b: b.handle, aGetters: LIST_HEAD + GETTERS } },
    );
    const exited = new Promise((r) => releaser.once('exit', r));
    assert.equal(a.syncQ.get({ timeout: 20000 }), 'release');
    await within(exited, 'releaser');
    assert.equal(await theirs, 'for w1');
    assert.equal(await isPending(mine), true);
    b.syncQ.put('for me');
    assert.equal(await within(mine, 'our async get'), 'for me');
  });

  it('a pending asyncQ.put whose head call is aborted lets the smaller call behind it in', async () => {
    const q = new Queue({ codec: 'bytes', maxBytes: 100 });
    q.syncQ.put(new Uint8Array(60));
    const ac = new AbortController();
    const big = q.asyncQ.put(new Uint8Array(90), { signal: ac.signal });
    const small = q.asyncQ.put(new Uint8Array(5));
    await untilWaiters(q.handle, PUTTERS, 1);
    assert.equal(await isPending(small), true);
    ac.abort();
    await assert.rejects(big, { name: 'AbortError' });
    // there is room for 5 bytes next to the 60: the small put goes in without any get
    await within(small, 'small put');
    assert.equal(q.syncQ.qsize(), 2);
  });

  it("a worker's blocked put of a small item is not stranded behind a large one that times out", async () => {
    const q = new Queue({ codec: 'bytes', maxBytes: 100 });
    const big = await agentFor(q);
    const small = await agentFor(q);
    q.syncQ.put(new Uint8Array(60));
    q.syncQ.put(new Uint8Array(20)); // the arena is full
    const bigPut = big.call('sync', 'put', new Uint8Array(90), { timeout: 300 });
    await untilWaiters(q.handle, PUTTERS, 1);
    const smallPut = small.call('sync', 'put', new Uint8Array(5));
    await untilWaiters(q.handle, PUTTERS, 2);
    // Room for the small item, not the large one: the walk stops at the large
    // one, first in line. When it gives up, the small one must be let in.
    assert.equal(q.syncQ.get().length, 60);
    await assert.rejects(bigPut, { name: 'QueueFull' });
    await smallPut;
    assert.equal(q.syncQ.qsize(), 2);
  });
});
