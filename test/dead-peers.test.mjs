// Dead peers: a thread stopped at any point (worker.terminate() inside a
// critical section, while listed as a waiter, between its release and its
// notifies) never wedges the queue for the others once it is recovered:
// nothing is duplicated, at most what it had taken is lost, every live
// waiter still wakes. Random kill points in real workers, and white-box
// cases that put the buffer in the exact state a kill leaves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker, threadId } from 'node:worker_threads';
import { PriorityQueue, Queue } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { isPending, within } from './helpers/bounded.mjs';
import { KINDS } from './helpers/kinds.mjs';
import { GETTERS, freeSlots, untilWaiters, waiterCount } from './helpers/waiters.mjs';
// The words these white-box cases write (J_LEN: (entries << 16) | a bit per
// saved state word; backupWord(k): the saved old value of state word COUNT + k).
import { COUNT, FREE_SLOT, JOINERS, backupWord, J_LEN, LIST_HEAD, LIST_TAIL, LOCK, PENDING_DEAD, SLOT_COUNT, S_LIST, S_NEXT, S_OWNER, S_PREV, S_STATE, slotWord } from './helpers/layout.mjs';
import { rng } from './stress/rng.mjs';


const FIXTURE = new URL('./fixtures/dead-peer-worker.mjs', import.meta.url);
const STOP = -1;
const agentFor = agentPool();

function start(q, role, extra) {
  const log = new SharedArrayBuffer(4 * (2 + 200000));
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(FIXTURE, { workerData: { role, handle: q.handle, className: q.handle.kind, log, stop, ...extra } });
  const exited = new Promise((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
  exited.catch(() => {});
  const stopped = new Int32Array(stop);
  return { worker, log: new Int32Array(log), exited, trapped: () => Atomics.load(stopped, 0) === 1 };
}

const loggedIds = (log) => Array.from(log.subarray(2, 2 + Atomics.load(log, 1)));

/** Resolves once `f()` is true, checking after every turn of the event loop (a barrier, not a sleep). */
async function until(f, what) {
  const deadline = Date.now() + 20000;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * One round: a victim worker puts and gets at full speed beside a consumer
 * worker and the main thread's asyncQ producer; the victim is terminated
 * after a random number of calls, or (with `fn`) stopped right before a
 * random call of that built-in inside the library (see the fixture) and
 * terminated there, and watch() recovers it. Then the queue must still work,
 * and the accounting must close.
 */
async function round(K, face, seed, fn) {
  const random = rng(seed);
  // maxBytes: the victim's items (up to 16 KiB, batches of 4) often fill the
  // arena, so records wrap and a priority queue compacts.
  const q = new K.Class({ maxsize: 8, maxBytes: 70000 });
  const victimBase = 0;
  const trap = fn === undefined ? undefined : { fn, nth: 1 + random.int(fn === 'copyWithin' ? 20 : 150) };
  const victim = start(q, 'victim', { seed, base: victimBase, face, trap });
  const watched = q.watch(victim.worker);
  const consumer = start(q, 'consumer', { seed: seed + 1 });
  // Items have the victim's shape, { id, pad }: the consumer knows STOP by its id.
  const wrap = (id) => (K.name === 'PriorityQueue' ? [random.int(4), { id, pad: '' }] : { id, pad: '' });
  const unwrap = (item) => (K.name === 'PriorityQueue' ? item[1] : item).id;

  let producing = true;
  const mainPuts = [];
  const producer = (async () => {
    for (let id = 1_000_000; producing; id++) {
      await q.asyncQ.put(wrap(id));
      mainPuts.push(id);
    }
  })();

  const killAfter = 20 + random.int(3000);
  if (trap) await until(victim.trapped, `the victim to reach call ${trap.nth} of ${fn}`);
  else await until(() => Atomics.load(victim.log, 0) + Atomics.load(victim.log, 1) >= killAfter, 'the victim to run');
  await victim.worker.terminate();
  await within(watched, 'watch() to recover the victim');

  producing = false;
  await within(producer, 'the main producer to finish its last put');
  await within(q.asyncQ.put(wrap(STOP)), 'put STOP');
  await within(consumer.exited, 'the consumer to get STOP (a lost wake-up would hang it)');
  const drained = [];
  while (!q.asyncQ.empty()) drained.push(unwrap(q.asyncQ.getNowait()));

  const got = [...loggedIds(consumer.log), ...loggedIds(victim.log), ...drained.filter((id) => id !== STOP)];
  const certain = new Set([...mainPuts, ...Array.from({ length: Atomics.load(victim.log, 0) }, (_, i) => victimBase + i)]);
  const maybe = new Set(Array.from({ length: 4 }, (_, i) => victimBase + Atomics.load(victim.log, 0) + i)); // a put or putMany killed before it was logged
  const seen = new Set();
  for (const id of got) {
    assert.ok(!seen.has(id), `item ${id} was got twice (seed ${seed})`);
    seen.add(id);
    assert.ok(certain.has(id) || maybe.has(id), `item ${id} was never put (seed ${seed})`);
  }
  const lost = [...certain].filter((id) => !seen.has(id));
  // Only what the victim had taken and not yet logged: at most one getMany of 4.
  assert.ok(lost.length <= 4, `lost ${lost.length} items: ${lost.slice(0, 10)} (seed ${seed})`);
  const extra = q.asyncQ.unfinishedTasks - 1 - certain.size; // - 1: STOP
  assert.ok(extra >= [...maybe].filter((id) => seen.has(id)).length && extra <= 4, `unfinishedTasks off by ${extra} (seed ${seed})`);
  const w = new Int32Array(q.handle.buffer);
  assert.equal(Atomics.load(w, LOCK), 0, 'the lock is free');
  assert.equal(Atomics.load(w, J_LEN), 0, 'no section is half done');
  assert.equal(freeSlots(q.handle), SLOT_COUNT, 'every waiter slot is free again');
}

// Kill points: every built-in the library calls between which worker.terminate()
// can land (shared/PLATFORM.md). copyWithin is only a priority queue's compaction.
const KILL_POINTS = ['compareExchange', 'exchange', 'notify', 'store', 'load', 'set'];
const RANDOM_ROUNDS = 3;

for (const K of KINDS) {
  for (const face of ['sync', 'async']) {
    it(`${K.name}: a ${face}-face worker terminated at random moments and at random calls of each kill point is recovered by watch(), and nothing else is lost`, async () => {
      const seed = Number(process.env.DEAD_PEER_SEED ?? 0x5eed) + KINDS.indexOf(K) * 100 + (face === 'sync' ? 0 : 50);
      const points = [...Array(RANDOM_ROUNDS).fill(undefined), ...KILL_POINTS, ...(K.name === 'PriorityQueue' ? ['copyWithin'] : [])];
      for (let r = 0; r < points.length; r++) {
        try {
          await round(K, face, seed + r, points[r]);
        } catch (e) {
          e.message = `${e.message} [replay: DEAD_PEER_SEED round seed ${seed + r}${points[r] ? `, kill point ${points[r]}` : ''}]`;
          throw e;
        }
      }
    });
  }
}

describe('recovery, at exact kill points', () => {
  for (const nth of [1, 2, 3]) {
    it(`an async getter killed at its lock call ${nth} after its wake-up: the wake-up is not lost, the live getter behind it gets the item`, async () => {
      const q = new Queue();
      const v = start(q, 'asyncGetter', { trap: { fn: 'compareExchange', nth, after: 'wake' } });
      const watched = q.watch(v.worker);
      await untilWaiters(q.handle, GETTERS, 1); // the victim's pump is first in line
      const l = await agentFor(q);
      let liveDone = false;
      const live = l.call('sync', 'get').then((item) => ((liveDone = true), item));
      await untilWaiters(q.handle, GETTERS, 2);
      q.asyncQ.putNowait({ id: 1 }); // signals the victim
      // (At a call number past its last lock call, it takes item 1 and ends.)
      await until(() => v.trapped() || loggedIds(v.log).length === 1, 'the victim to stop at its kill point or get item 1');
      await v.worker.terminate();
      await within(watched, 'watch');
      // Item 1 is now with the live getter, or was taken by the victim before
      // it died. A wake-up lost with the victim leaves it in the queue for ever.
      await until(() => liveDone || q.asyncQ.qsize() === 0, 'item 1 to leave the queue');
      q.asyncQ.putNowait({ id: 2 });
      const got = [(await live).id, ...loggedIds(v.log)];
      while (!q.asyncQ.empty()) got.push(q.asyncQ.getNowait().id);
      assert.equal(new Set(got).size, got.length, `an item was got twice: ${got}`);
      assert.ok(got.length >= 1 && got.every((id) => id === 1 || id === 2), `got ${got}`);
      assert.ok(got.includes(2) || got.includes(1), 'nothing but what the victim took is lost');
      assert.equal(freeSlots(q.handle), SLOT_COUNT);
    });
  }

  it('a recoverer killed at any call after it announced the dead thread: recovering the recoverer finishes both', async () => {
    const q = new Queue();
    const w = new Int32Array(q.handle.buffer);
    const l = await agentFor(q);
    // Every call of each built-in the recovery makes, up to the first ones of its final notify loop.
    const sweep = { compareExchange: 6, store: 4, exchange: 3, notify: 6, load: 10 };
    let id = 0;
    for (const [fn, max] of Object.entries(sweep)) {
      for (let nth = 1; nth <= max; nth++) {
        const where = `${fn} call ${nth}`;
        // The dead thread X (a threadId no thread has): listed first as a
        // getter, and killed inside a section that had changed COUNT.
        const x = 9000 + id;
        const s = w[FREE_SLOT];
        const sw = slotWord(s);
        w[FREE_SLOT] = w[sw + S_NEXT];
        Object.assign(w, { [sw + S_OWNER]: x + 1, [sw + S_LIST]: GETTERS, [sw + S_STATE]: 0, [sw + S_NEXT]: -1, [sw + S_PREV]: -1 });
        w[LIST_HEAD + GETTERS] = s;
        w[LIST_TAIL + GETTERS] = s;
        w[backupWord(0)] = 0; // COUNT's old value, saved
        w[J_LEN] = 1; // bit 0: COUNT
        w[COUNT] = 77;
        Atomics.store(w, LOCK, (x + 1) << 1);
        let liveDone = false;
        const live = l.call('sync', 'get').then((item) => ((liveDone = true), item)); // waits on X's lock
        const r = start(q, 'recoverer', { dead: x, trap: { fn, nth, after: 'announce' } });
        const rThreadId = r.worker.threadId;
        await until(() => r.trapped() || Atomics.load(r.log, 0) === 1, `the recoverer to stop at ${where} or finish`);
        const finished = !r.trapped();
        await r.worker.terminate();
        if (!finished) await within(q.recover(rThreadId), `recover() of the recoverer killed at ${where}`);
        // The live getter registers under the lock: read the words once it sleeps and the lock is free.
        await until(() => waiterCount(q.handle, GETTERS) >= 1 && Atomics.load(w, LOCK) === 0, `${where}: the live getter to wait, the lock free`);
        assert.equal(waiterCount(q.handle, GETTERS), 1, `${where}: only the live getter is listed`);
        assert.equal(liveDone, false);
        assert.deepEqual([Atomics.load(w, LOCK), w[J_LEN], w[PENDING_DEAD], w[COUNT]], [0, 0, 0, 0], `${where}: lock, journal, announcement, COUNT`);
        q.asyncQ.putNowait({ id });
        assert.equal((await live).id, id, where);
        assert.equal(freeSlots(q.handle), SLOT_COUNT, `${where}: every slot is free`);
        id++;
        if (finished) break; // no call of that number: every kill point of fn is covered
      }
    }
  });
});

describe('a worker that throws', () => {
  it('an uncaught error with asyncQ.get and asyncQ.join pending: its waiters are gone, watch() resolves with exit code 1, and the queue serves the others', async () => {
    const q = new Queue();
    q.syncQ.put('held'); // one unfinished task, so a join waits
    q.syncQ.get();
    const seen = new Int32Array(new SharedArrayBuffer(4)); // set once both pumps are listed
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const { Queue } = require('janus-queue');
       const q = Queue.attach(workerData.handle);
       q.asyncQ.get();
       q.asyncQ.join();
       // Throw once both pumps are listed (the LIST_HEAD words of getters and joiners).
       const w = new Int32Array(workerData.handle.buffer);
       const check = () => {
         if (Atomics.load(w, workerData.getters) < 0 || Atomics.load(w, workerData.joiners) < 0) return setTimeout(check, 1);
         Atomics.store(workerData.seen, 0, 1);
         throw new Error('boom');
       };
       check();`,
      { eval: true, workerData: { handle: q.handle, seen, getters: LIST_HEAD + GETTERS, joiners: LIST_HEAD + JOINERS } },
    );
    const errored = new Promise((resolve) => worker.once('error', resolve));
    const code = await within(q.watch(worker), 'watch() of a worker that threw');
    assert.equal((await errored).message, 'boom');
    assert.equal(code, 1);
    assert.equal(Atomics.load(seen, 0), 1, 'both pumps were listed before the throw');
    assert.equal(waiterCount(q.handle, GETTERS), 0);
    assert.equal(freeSlots(q.handle), SLOT_COUNT);
    const live = q.asyncQ.get();
    q.syncQ.put('next');
    assert.equal(await live, 'next');
    q.syncQ.taskDone();
    q.syncQ.taskDone();
    assert.equal(await q.asyncQ.join({ timeout: 0 }), true);
  });
});

describe('recovery, in the exact states a kill leaves', () => {
  it('a thread killed inside the lock with a half-done section: rolled back, the lock freed, blocked threads released, and main never stalls', async () => {
    const q = new Queue();
    q.syncQ.put('a');
    q.syncQ.put('b');
    q.syncQ.put('c');
    const w = new Int32Array(q.handle.buffer);
    // The dead thread (threadId 4999, token 5000) had changed COUNT, and journaled its old value first.
    const dead = 4999;
    w[backupWord(0)] = w[COUNT]; // COUNT's old value, saved
    w[J_LEN] = 1; // bit 0: COUNT
    w[COUNT] = 77;
    Atomics.store(w, LOCK, (dead + 1) << 1);

    const a = await agentFor(q);
    const blocked = a.call('sync', 'get'); // waits on the dead thread's lock
    const pending = q.asyncQ.get(); // the main thread must not wait for that lock
    // A call that tries once waits for the lock a bounded moment, then rejects as "not in time" (issue 14, item 7).
    const t0 = performance.now();
    await assert.rejects(q.asyncQ.get({ timeout: 0 }), (e) => e.name === 'QueueEmpty' && /lock was not free in time/.test(e.message));
    assert.ok(performance.now() - t0 < 1000, `timeout 0 took ${Math.round(performance.now() - t0)} ms`);
    assert.equal(await isPending(pending), true);
    assert.equal(await q.recover(dead), true);
    const items = [await within(pending, 'asyncQ.get after recover'), await blocked];
    assert.equal(items.length, 2);
    assert.equal(q.asyncQ.qsize(), 1);
    q.syncQ.getNowait();
    assert.equal(Atomics.load(w, LOCK), 0);
    q.syncQ.put('c');
    assert.equal(q.syncQ.get(), 'c');
  });

  it("a timed syncQ call on a healthy queue returns on time while this thread's pump waits on a queue whose lock a dead thread holds", async () => {
    const a = new Queue();
    const b = new Queue();
    const pending = b.asyncQ.get(); // this thread's pump, listed on b
    await untilWaiters(b.handle, GETTERS, 1);
    const w = new Int32Array(b.handle.buffer);
    const dead = 4321;
    Atomics.store(w, LOCK, (dead + 1) << 1); // b's lock, held by a thread that died
    // Blocking here withdraws this thread's pumps first; the one on b cannot
    // have b's lock, and must not keep this call (or this event loop) for ever.
    assert.throws(() => a.syncQ.get({ timeout: 20 }), (e) => e.name === 'QueueEmpty');
    assert.equal(await within(b.recover(dead), 'recover b'), true);
    b.syncQ.put('after');
    assert.equal(await within(pending, "b's pending get"), 'after');
    assert.equal(freeSlots(b.handle), SLOT_COUNT);
  });

  it('recover() of a thread that held nothing changes nothing and says so', async () => {
    const q = new PriorityQueue();
    q.syncQ.put([1, 'x']);
    assert.equal(await q.recover(12345), false);
    assert.deepEqual(q.syncQ.get(), [1, 'x']);
    assert.equal(freeSlots(q.handle), SLOT_COUNT);
  });

  for (const face of ['sync', 'async']) {
    it(`a worker terminated while listed as a ${face} getter: after watch() the next put reaches the live getter behind it`, async () => {
      const q = new Queue();
      const a = await agentFor(q);
      const b = await agentFor(q);
      const watched = q.watch(a.worker);
      a.worker.postMessage({ id: -1, face, op: 'get' }); // never answers: terminated while it waits
      await untilWaiters(q.handle, GETTERS, 1); // a is first in line
      const live = b.call('sync', 'get');
      await untilWaiters(q.handle, GETTERS, 2);
      await a.worker.terminate();
      assert.equal(await within(watched, 'watch'), 1);
      assert.equal(waiterCount(q.handle, GETTERS), 1, 'only the live getter is listed');
      q.asyncQ.putNowait('for b');
      assert.equal(await live, 'for b');
      assert.equal(freeSlots(q.handle), SLOT_COUNT);
    });
  }

  it('a recoverer killed while freeing a dead thread\'s slots: the next recover() finishes that work too', async () => {
    const q = new Queue();
    const x = await agentFor(q);
    x.worker.postMessage({ id: -1, face: 'sync', op: 'get' }); // never answers: terminated while it waits
    await untilWaiters(q.handle, GETTERS, 1);
    const xToken = x.worker.threadId + 1;
    await x.worker.terminate();
    // The recoverer R (threadId 7000) died holding the lock, after announcing X, its journal empty.
    const w = new Int32Array(q.handle.buffer);
    w[PENDING_DEAD] = xToken;
    Atomics.store(w, LOCK, (7000 + 1) << 1);
    assert.equal(await q.recover(7000), true);
    assert.equal(waiterCount(q.handle, GETTERS), 0);
    assert.equal(freeSlots(q.handle), SLOT_COUNT);
    assert.equal(w[PENDING_DEAD], 0);
  });

  it('refuses what is not a live thread id, with a TypeError that says how to get one', async () => {
    const q = new Queue();
    for (const bad of [-1, 1.5, '3', undefined, null, {}]) await assert.rejects(q.recover(bad), TypeError);
    await assert.rejects(q.recover(threadId), /names the calling thread/); // this (main) thread: running
    const worker = new Worker('setTimeout(() => {}, 0)', { eval: true });
    await new Promise((r) => worker.once('exit', r));
    assert.throws(() => q.watch(worker), /threadId reads -1 once it has exited/);
  });
});
