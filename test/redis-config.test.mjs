// A Redis queue records its kind, maxsize and codec with its first object:
// an object asking for another configuration of the same name is refused
// (TypeError naming both), on both faces. And the batching of taskDone with
// gets, of large batches, and the flush of taskDone calls at disconnect.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisLifoQueue, RedisPriorityQueue, RedisQueue } from 'janus-queue/redis';
import { uniqueName } from './fixtures/redis/kinds.mjs';
import { redisForSuite, skipWithoutRedis } from './fixtures/redis/server.mjs';

const redis = redisForSuite();
const { open } = redis;

describe('janus-queue/redis: a queue\'s recorded configuration', { skip: skipWithoutRedis }, () => {
  const custom = { encode: (v) => new TextEncoder().encode(String(v)), decode: (b) => new TextDecoder().decode(b) };
  const cases = [
    ['another kind', [RedisQueue, {}], [RedisLifoQueue, {}], /FIFO, maxsize unbounded, codec 'structured'; this object asks for LIFO, maxsize unbounded, codec 'structured'/],
    ['another kind (priority)', [RedisPriorityQueue, {}], [RedisQueue, {}], /priority, .*asks for FIFO/],
    ['another maxsize', [RedisQueue, { maxsize: 10 }], [RedisQueue, { maxsize: 5 }], /FIFO, maxsize 10, codec 'structured'; this object asks for FIFO, maxsize 5,/],
    ['bounded against unbounded', [RedisQueue, { maxsize: 10 }], [RedisQueue, {}], /maxsize 10, .*asks for FIFO, maxsize unbounded/],
    ['another codec', [RedisQueue, { codec: 'json' }], [RedisQueue, { codec: 'structured' }], /codec 'json'; this object asks for .*codec 'structured'/],
    ['a custom codec against a built-in one', [RedisQueue, { codec: custom }], [RedisQueue, { codec: 'string' }], /codec 'custom'; this object asks for .*codec 'string'/],
  ];
  for (const [what, [FirstClass, first], [SecondClass, second], message] of cases) {
    it(`refuses ${what}: every call of the async face rejects, the sync face throws at its first read`, async () => {
      const name = uniqueName('config');
      const q = open(FirstClass, { name, ...first });
      await q.asyncQ.stats(); // recorded
      const wrong = open(SecondClass, { name, ...second });
      const refused = { name: 'TypeError', message: new RegExp(`^janus-queue: the Redis queue "${name}" exists as .*${message.source}`) };
      await assert.rejects(wrong.asyncQ.stats(), refused);
      await assert.rejects(wrong.asyncQ.put(SecondClass === RedisPriorityQueue ? [1, 'x'] : 'x'), refused);
      await assert.rejects(wrong.asyncQ.getNowait(), refused);
      assert.throws(() => wrong.syncQ, refused);
      // Nothing was applied; the first object's queue is as it was.
      assert.deepEqual(await q.asyncQ.stats(), { qsize: 0, unfinished: 0, closed: false });
    });
  }

  it('accepts the same configuration from every object (and Infinity, 0 and negative maxsize as one: unbounded); destroy() forgets it', async () => {
    const name = uniqueName('config-same');
    const a = open(RedisQueue, { name, maxsize: Infinity, codec: 'json' });
    const b = open(RedisQueue, { name, maxsize: -1, codec: 'json' });
    await a.asyncQ.put({ x: 1 });
    assert.deepEqual(await b.asyncQ.get(), { x: 1 });
    assert.equal(b.syncQ.qsize(), 0);
    await b.asyncQ.taskDone();
    await a.destroy();
    const c = open(RedisLifoQueue, { name, maxsize: 3 });
    await c.asyncQ.putMany([1, 2]);
    assert.equal(await c.asyncQ.get(), 2);
  });
});

describe('janus-queue/redis: taskDone without a round trip of its own', { skip: skipWithoutRedis }, () => {
  it('taskDone calls ride on the next get, are applied before this object\'s later calls, and reach a join elsewhere', async () => {
    const name = uniqueName('done-rides');
    const q = open(RedisQueue, { name });
    const other = open(RedisQueue, { name });
    await q.asyncQ.putMany([1, 2, 3]);
    assert.equal(await q.asyncQ.get(), 1);
    await q.asyncQ.taskDone();
    assert.equal(await q.asyncQ.get(), 2); // carries the first taskDone
    assert.equal((await other.asyncQ.stats()).unfinished, 2, 'the get applied the taskDone it carried');
    await q.asyncQ.taskDone();
    assert.equal((await q.asyncQ.stats()).unfinished, 1, 'applied before this object\'s next call');
    await assert.rejects(Promise.all([q.asyncQ.taskDone(), q.asyncQ.taskDone()]), RangeError);
    const joined = other.asyncQ.join({ timeout: 10_000 });
    assert.equal(await q.asyncQ.get(), 3);
    await q.asyncQ.taskDone();
    assert.equal(await joined, true);
  });

  it('taskDone calls not yet sent leave before disconnect() closes the connection', async () => {
    const name = uniqueName('done-disconnect');
    const q = new RedisQueue({ name, connection: redis.server.url });
    await q.asyncQ.putMany(['a', 'b']);
    await q.asyncQ.getMany(2);
    await q.asyncQ.taskDone();
    await q.asyncQ.taskDone();
    await q.disconnect();
    assert.deepEqual(await open(RedisQueue, { name }).asyncQ.stats(), { qsize: 0, unfinished: 0, closed: false });
  });

  it('carries batches larger than one Redis command takes (putMany / getMany of 2500), on both faces', async () => {
    for (const Class of [RedisQueue, RedisPriorityQueue]) {
      const q = open(Class, { name: uniqueName('large') });
      const items = [...Array(2500).keys()].map((i) => (Class === RedisPriorityQueue ? [i % 7, i] : i));
      await q.asyncQ.putMany(items);
      q.syncQ.putMany(items.slice(0, 10));
      const got = await q.asyncQ.getMany(3000);
      assert.equal(got.length, 2510);
      if (Class === RedisQueue) assert.deepEqual(got, [...items, ...items.slice(0, 10)]);
      for (let i = 0; i < got.length; i++) q.asyncQ.taskDone();
      assert.equal(await q.asyncQ.join({ timeout: 10_000 }), true);
    }
  });
});
