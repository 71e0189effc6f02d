// The Redis queue across real processes (child_process.fork of
// test/fixtures/redis/role.mjs), against a real redis-server. Every step
// waits for a message from the child (a handshake), never for a delay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisQueue } from 'janus-queue/redis';
import { children, child as spawnChild } from './fixtures/redis/children.mjs';
import { uniqueName } from './fixtures/redis/kinds.mjs';
import { redisForSuite, skipWithoutRedis } from './fixtures/redis/server.mjs';

const ids = (items) => items.map((x) => `${x.from}:${x.i}`);

describe('janus-queue/redis across processes', { skip: skipWithoutRedis }, () => {
  const redis = redisForSuite({ beforeStop: () => children.forEach((p) => p.kill('SIGKILL')) });
  const child = (...args) => spawnChild(redis.server.url, ...args);
  const open = (options) => redis.open(RedisQueue, options);

  it('MPMC across 3 processes: every item is taken exactly once, and join returns once all are done', async () => {
    const name = uniqueName('mpmc');
    const count = 300;
    const procs = [1, 2, 3].map(() => child('both', name, { count, maxsize: 20 }));
    const q = open({ name, maxsize: 20 });
    await Promise.all(procs.map((p) => p.until('produced')));
    assert.equal(await q.asyncQ.join({ timeout: 60_000 }), true);
    await q.asyncQ.shutdown();
    const got = (await Promise.all(procs.map((p) => p.until('got')))).flat();
    const expected = procs.flatMap((p) => [...Array(count).keys()].map((i) => `${p.process.pid}:${i}`));
    assert.equal(got.length, 3 * count, 'no item twice');
    assert.deepEqual(ids(got).sort(), expected.sort());
  });

  it('kill -9 of a consumer holding an item: the item comes back to another consumer, and join waits for it', async () => {
    const name = uniqueName('kill');
    const q = open({ name, leaseMs: 300 });
    await q.asyncQ.put({ job: 'important' });
    const holder = child('hold', name, { leaseMs: 300 });
    assert.deepEqual(await holder.until('holding'), { job: 'important' });
    holder.process.kill('SIGKILL');
    await holder.exited;
    assert.equal(await q.asyncQ.join({ timeout: 0 }), false);
    assert.deepEqual(await q.asyncQ.get({ timeout: 20_000 }), { job: 'important' }, 'the lease expired and the item came back');
    await q.asyncQ.taskDone();
    assert.equal(await q.asyncQ.join({ timeout: 0 }), true);
  });

  it('shutdown wakes a getter, a putter and a joiner waiting in another process', async () => {
    const name = uniqueName('wake');
    const full = open({ name: `${name}-full`, maxsize: 1 });
    await full.asyncQ.put('only');
    const waiter = child('wait', name);
    await waiter.until('waiting');
    const empty = open({ name });
    await empty.asyncQ.shutdown();
    await full.asyncQ.shutdown(true);
    assert.deepEqual(await waiter.until('outcomes'), [{ error: 'QueueShutDown' }, { error: 'QueueShutDown' }, { ok: true }]);
  });

  it('join in another process returns at the last taskDone, not before', async () => {
    const name = uniqueName('join');
    const q = open({ name });
    await q.asyncQ.putMany([1, 2, 3]);
    assert.deepEqual(await q.asyncQ.getMany(3), [1, 2, 3]);
    const joiner = child('join', name);
    await joiner.until('joining');
    let joined = false;
    const result = joiner.until('joined').then((v) => ((joined = true), v));
    await q.asyncQ.taskDone();
    await q.asyncQ.taskDone();
    await q.asyncQ.stats(); // a round trip: a join that returned early would have been heard by now
    assert.equal(joined, false, 'two of three tasks are done: the join must still wait');
    await q.asyncQ.taskDone();
    assert.equal(await result, true);
  });

  it('the blocking face from worker threads of two processes', async () => {
    const name = uniqueName('sync');
    const procs = [1, 2].map(() => child('syncWorkers', name));
    await Promise.all(procs.map((p) => p.until('ready')));
    const q = open({ name });
    const items = [...Array(200).keys()].map((i) => ({ from: 'parent', i }));
    for (let i = 0; i < items.length; i += 20) await q.asyncQ.putMany(items.slice(i, i + 20));
    assert.equal(await q.asyncQ.join({ timeout: 60_000 }), true);
    await q.asyncQ.shutdown();
    const got = (await Promise.all(procs.map((p) => p.until('got')))).flat();
    assert.deepEqual(ids(got).sort(), ids(items).sort(), 'every item once, through syncQ.get in four threads');
  });
});
