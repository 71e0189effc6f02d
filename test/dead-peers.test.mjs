// Dead peers: a thread stopped at any point (worker.terminate() inside a
// critical section, while listed as a waiter, between its release and its
// notifies) never wedges the queue for the others once it is recovered:
// nothing is duplicated, at most what it had taken is lost, every live
// waiter still wakes. Random kill points in real workers, and white-box
// cases that put the buffer in the exact state a kill leaves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { PriorityQueue, Queue } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { isPending, within } from './helpers/bounded.mjs';
import { KINDS } from './helpers/kinds.mjs';
import { GETTERS, freeSlots, untilWaiters, waiterCount } from './helpers/waiters.mjs';
import { rng } from './stress/rng.mjs';

// Word indices of src/layout.ts that these white-box cases write.
const LOCK = 16;
const COUNT = 32;
const J_LEN = 2096;
const PENDING_DEAD = J_LEN + 1;
const J_ENTRIES = J_LEN + 16;

const FIXTURE = new URL('./fixtures/dead-peer-worker.mjs', import.meta.url);
const STOP = -1;
const agentFor = agentPool();

function start(q, role, extra) {
  const log = new SharedArrayBuffer(4 * (2 + 200000));
  const worker = new Worker(FIXTURE, { workerData: { role, handle: q.handle, className: q.handle.kind, log, ...extra } });
  const exited = new Promise((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
  exited.catch(() => {});
  return { worker, log: new Int32Array(log), exited };
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
 * after a random number of calls, and watch() recovers it. Then the queue
 * must still work, and the accounting must close.
 */
async function round(K, face, seed) {
  const random = rng(seed);
  const q = new K.Class({ maxsize: 8 });
  const victimBase = 0;
  const victim = start(q, 'victim', { seed, base: victimBase, face });
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
  await until(() => Atomics.load(victim.log, 0) + Atomics.load(victim.log, 1) >= killAfter, 'the victim to run');
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
  assert.equal(freeSlots(q.handle), 128, 'every waiter slot is free again');
}

for (const K of KINDS) {
  for (const face of ['sync', 'async']) {
    it(`${K.name}: a ${face}-face worker terminated at random moments is recovered by watch(), and nothing else is lost`, async () => {
      const seed = Number(process.env.DEAD_PEER_SEED ?? 0x5eed) + KINDS.indexOf(K) * 100 + (face === 'sync' ? 0 : 50);
      for (let r = 0; r < 12; r++) {
        try {
          await round(K, face, seed + r);
        } catch (e) {
          e.message = `${e.message} [replay: DEAD_PEER_SEED round seed ${seed + r}]`;
          throw e;
        }
      }
    });
  }
}

describe('recovery, in the exact states a kill leaves', () => {
  it('a thread killed inside the lock with a half-done section: rolled back, the lock freed, blocked threads released, and main never stalls', async () => {
    const q = new Queue();
    q.syncQ.put('a');
    q.syncQ.put('b');
    const w = new Int32Array(q.handle.buffer);
    // The dead thread (threadId 4999, token 5000) had changed COUNT, and journaled its old value first.
    const dead = 4999;
    w[J_ENTRIES] = COUNT;
    w[J_ENTRIES + 1] = w[COUNT];
    w[J_LEN] = 1;
    w[COUNT] = 77;
    Atomics.store(w, LOCK, (dead + 1) << 1);

    const a = await agentFor(q);
    const blocked = a.call('sync', 'get'); // waits on the dead thread's lock
    const pending = q.asyncQ.get(); // the main thread must not wait for that lock
    assert.equal(await isPending(pending), true);
    assert.equal(await q.recover(dead), true);
    const items = [await within(pending, 'asyncQ.get after recover'), await blocked].sort();
    assert.deepEqual(items, ['a', 'b']);
    assert.equal(q.asyncQ.qsize(), 0);
    assert.equal(Atomics.load(w, LOCK), 0);
    q.syncQ.put('c');
    assert.equal(q.syncQ.get(), 'c');
  });

  it('recover() of a thread that held nothing changes nothing and says so', async () => {
    const q = new PriorityQueue();
    q.syncQ.put([1, 'x']);
    assert.equal(await q.recover(12345), false);
    assert.deepEqual(q.syncQ.get(), [1, 'x']);
    assert.equal(freeSlots(q.handle), 128);
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
      assert.equal(freeSlots(q.handle), 128);
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
    assert.equal(freeSlots(q.handle), 128);
    assert.equal(w[PENDING_DEAD], 0);
  });

  it('refuses what is not a live thread id, with a TypeError that says how to get one', async () => {
    const q = new Queue();
    for (const bad of [-1, 1.5, '3', undefined, null, {}]) await assert.rejects(q.recover(bad), TypeError);
    const worker = new Worker('setTimeout(() => {}, 0)', { eval: true });
    await new Promise((r) => worker.once('exit', r));
    assert.throws(() => q.watch(worker), /threadId reads -1 once it has exited/);
  });
});
