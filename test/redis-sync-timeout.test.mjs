// syncQ.get({ timeout }) whose timeout passes while the worker that owns the
// face's connections is taking an item: the item is delivered or back in the
// queue, never lost. The interleaving is forced by the server, not by
// sleeps: CLIENT PAUSE WRITE holds the get's script in Redis (it is sent, its
// 0 ms timeout fires in the worker, and only then, at the end of the pause,
// can Redis run it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { QueueEmpty } from 'janus-queue';
import { RedisQueue } from 'janus-queue/redis';
import { uniqueName } from './fixtures/redis/kinds.mjs';
import { redisForSuite, skipWithoutRedis } from './fixtures/redis/server.mjs';

const PAUSE_MS = 400;

describe('janus-queue/redis: a sync get that times out while its item is being taken', { skip: skipWithoutRedis }, () => {
  let admin;
  const redis = redisForSuite({ onStart: (server) => void (admin = new Redis(server.url)), beforeStop: () => admin?.disconnect() });
  const open = (options) => redis.open(RedisQueue, options);

  it('a get whose script is in Redis when its timeout passes delivers the item the script took', async () => {
    const name = uniqueName('sync-inflight');
    const q = open({ name });
    await q.asyncQ.put('x');
    assert.equal(q.syncQ.qsize(), 1); // the face's worker is up and attached before the pause
    // The clock starts before the pause is asked for: the answer cannot come
    // sooner than PAUSE_MS after it, whatever delays the pause's reply.
    const t0 = performance.now();
    await admin.client('PAUSE', PAUSE_MS, 'WRITE');
    const got = q.syncQ.get({ timeout: 0 });
    const waited = performance.now() - t0;
    assert.equal(got, 'x');
    assert.ok(waited >= PAUSE_MS * 0.9, `the get's answer came at the end of the pause (${waited.toFixed(0)} ms), long after its timeout`);
    q.syncQ.taskDone();
    assert.deepEqual(q.syncQ.stats(), { qsize: 0, unfinished: 0, closed: false });
  });

  it("a get that timed out loses nothing to a put that comes right after (whether or not its worker's try was still parked behind the wake-up: not asserted)", async () => {
    const name = uniqueName('sync-parked');
    const q = open({ name });
    const other = open({ name });
    assert.throws(() => q.syncQ.get({ timeout: 50 }), QueueEmpty);
    // If the worker's next try still waits behind its BLMPOP, this put wakes
    // it, it takes the item for a call that has ended, and hands it straight
    // back; either way the item must reach the other object.
    await other.asyncQ.put('y');
    assert.equal(await other.asyncQ.get({ timeout: 5000 }), 'y');
    await other.asyncQ.taskDone();
    assert.equal(await other.asyncQ.join({ timeout: 5000 }), true);
    assert.equal(q.syncQ.qsize(), 0);
  });
});
