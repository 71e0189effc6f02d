// Redis killed (SIGKILL) and restarted in the middle of a run between a
// producer process and a consumer process, on a server with the append-only
// file (fsync on every write). Nothing is lost; an item is given twice only
// under the at-least-once rule (its get's answer was lost with the
// connection, and its lease expired); a call made while the server is down
// ends by its deadline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisQueue, RedisTimeout } from 'janus-queue/redis';
import { children, child } from './fixtures/redis/children.mjs';
import { uniqueName } from './fixtures/redis/kinds.mjs';
import { skipWithoutRedis, startRedis } from './fixtures/redis/server.mjs';

let server;

describe('janus-queue/redis and a Redis restart', { skip: skipWithoutRedis }, () => {
  before(async () => {
    server = await startRedis({ persist: true });
  });
  after(async () => {
    for (const p of children) p.kill('SIGKILL');
    await server?.stop();
  });

  it('a producer and a consumer process go on after the server is killed and restarted; nothing is lost', async () => {
    const name = uniqueName('restart');
    const count = 400;
    const options = { maxsize: 50, leaseMs: 1000 };
    const q = new RedisQueue({ name, connection: server.url, commandTimeout: 500, ...options });
    try {
      const consumer = child(server.url, 'consume', name, options);
      await consumer.until('ready');
      const producer = child(server.url, 'produce', name, { count, ...options });
      await consumer.until('progress'); // 50 items through: the run is well under way
      let during;
      await server.restart(async () => {
        const t0 = performance.now();
        during = await q.asyncQ.get({ timeout: 100 }).then(
          () => ({ error: 'none' }),
          (e) => ({ error: e, ms: performance.now() - t0 }),
        );
      });
      assert.ok(during.error instanceof RedisTimeout, `a get while the server is down ends with RedisTimeout, got ${during.error}`);
      assert.ok(during.ms < 3000, `it ended by its deadline (max(timeout, commandTimeout) = 500 ms), took ${during.ms} ms`);
      assert.equal(await producer.until('produced'), count);
      assert.equal(await q.asyncQ.join({ timeout: 60_000 }), true, 'every item put was done');
      await q.asyncQ.shutdown();
      const got = await consumer.until('got');
      const ids = got.map((x) => x.i);
      assert.deepEqual([...new Set(ids)].sort((a, b) => a - b), [...Array(count).keys()], 'every item arrived');
      const twice = ids.length - new Set(ids).size;
      assert.ok(twice <= 5, `at most a few items given twice (their answers were lost in the restart), got ${twice}`);
    } finally {
      await q.disconnect();
    }
  });
});
