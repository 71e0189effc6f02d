// The Redis queue's behaviour suite, written once and run against every kind
// and both faces, in one process, against a real redis-server that the suite
// starts on a free loopback port (test/fixtures/redis/server.mjs). Several
// queue objects on one name stand for several processes here; the
// redis-processes suite uses real ones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { RedisQueue, RedisPriorityQueue } from 'janus-queue/redis';
import { REDIS_KINDS, uniqueName } from './fixtures/redis/kinds.mjs';
import { redisForSuite, skipWithoutRedis } from './fixtures/redis/server.mjs';

/** Both faces behind one promise-returning shape. */
const FACES = {
  sync: (q) => ({
    put: async (item, o) => q.syncQ.put(item, o),
    get: async (o) => q.syncQ.get(o),
    putMany: async (items, o) => q.syncQ.putMany(items, o),
    getMany: async (max, o) => q.syncQ.getMany(max, o),
    putNowait: async (item) => q.syncQ.putNowait(item),
    getNowait: async () => q.syncQ.getNowait(),
    join: async (o) => q.syncQ.join(o),
    taskDone: async () => q.syncQ.taskDone(),
    shutdown: async (i) => q.syncQ.shutdown(i),
    stats: async () => q.syncQ.stats(),
    drain: async () => [...q.syncQ],
  }),
  async: (q) => ({
    put: (item, o) => q.asyncQ.put(item, o),
    get: (o) => q.asyncQ.get(o),
    putMany: (items, o) => q.asyncQ.putMany(items, o),
    getMany: (max, o) => q.asyncQ.getMany(max, o),
    putNowait: (item) => q.asyncQ.putNowait(item),
    getNowait: () => q.asyncQ.getNowait(),
    join: (o) => q.asyncQ.join(o),
    taskDone: () => q.asyncQ.taskDone(),
    shutdown: (i) => q.asyncQ.shutdown(i),
    stats: () => q.asyncQ.stats(),
    drain: async () => {
      const out = [];
      for await (const x of q.asyncQ) out.push(x);
      return out;
    },
  }),
};

describe('janus-queue/redis', { skip: skipWithoutRedis }, () => {
  const { open } = redisForSuite();

  for (const K of REDIS_KINDS) {
    for (const [faceName, face] of Object.entries(FACES)) {
      describe(`${K.name} through ${faceName}Q`, () => {
        it('gives items back in the order of its kind, one by one and in batches', async () => {
          const q = open(K.Class, { name: uniqueName('order') });
          const f = face(q);
          for (let i = 0; i < 7; i++) await f.put(K.item(i));
          const got = [];
          for (let i = 0; i < 7; i++) got.push(K.id(await f.get()));
          assert.deepEqual(got, K.order(7));
          await f.putMany([...Array(7).keys()].map(K.item));
          const batch = [...(await f.getMany(3)), ...(await f.getMany(10))].map(K.id);
          assert.deepEqual(batch, K.order(7));
        });

        it('nowait calls and timeouts end with QueueEmpty / QueueFull, and change nothing', async () => {
          const q = open(K.Class, { name: uniqueName('nowait'), maxsize: 1 });
          const f = face(q);
          await assert.rejects(f.getNowait(), QueueEmpty);
          const t0 = performance.now();
          await assert.rejects(f.get({ timeout: 60 }), QueueEmpty);
          assert.ok(performance.now() - t0 >= 55, 'a get with a timeout waited for it');
          await f.putNowait(K.item(1));
          await assert.rejects(f.putNowait(K.item(2)), QueueFull);
          await assert.rejects(f.put(K.item(2), { timeout: 30 }), QueueFull);
          await assert.rejects(f.putMany([K.item(3), K.item(4)]), RangeError, 'a batch larger than maxsize can never fit');
          assert.deepEqual(await f.stats(), { qsize: 1, unfinished: 1, closed: false });
          assert.equal(K.id(await f.getNowait()), 1);
        });

        it('counts tasks across queue objects: join waits for the last taskDone, and a spare taskDone is a RangeError', async () => {
          const name = uniqueName('join');
          const q = open(K.Class, { name });
          const other = open(K.Class, { name });
          const f = face(q);
          await other.asyncQ.putMany([K.item(1), K.item(2)]);
          assert.equal(await f.join({ timeout: 0 }), false);
          await f.get();
          await f.get();
          await f.taskDone();
          assert.equal(await f.join({ timeout: 20 }), false, 'one task is still unfinished');
          const joined = other.asyncQ.join();
          await f.taskDone();
          assert.equal(await joined, true, 'the last taskDone releases a join waiting in another object');
          await assert.rejects(f.taskDone(), RangeError);
          assert.equal((await f.stats()).unfinished, 0);
        });

        it('shutdown: put throws, get drains then throws, iteration ends; immediate discards and counts as done', async () => {
          const q = open(K.Class, { name: uniqueName('shutdown') });
          const f = face(q);
          await f.putMany([K.item(0), K.item(1), K.item(2)]);
          await f.shutdown(false);
          await assert.rejects(f.put(K.item(3)), QueueShutDown);
          assert.equal(K.id(await f.get()), K.order(3)[0]);
          assert.deepEqual((await f.drain()).map(K.id), K.order(3).slice(1));
          await assert.rejects(f.get(), QueueShutDown);
          const r = open(K.Class, { name: uniqueName('immediate') });
          const g = face(r);
          await g.putMany([K.item(0), K.item(1)]);
          await g.get();
          await g.shutdown(true);
          assert.deepEqual(await g.stats(), { qsize: 0, unfinished: 1, closed: true }, 'the discarded item is done; the taken one is not');
          await g.taskDone();
          assert.equal(await g.join({ timeout: 0 }), true);
        });

        it('refuses bad input with a clear error and leaves the queue as it was', async () => {
          const q = open(K.Class, { name: uniqueName('bad'), codec: 'json' });
          const f = face(q);
          await assert.rejects(f.put(K.item(0), { timeout: -1 }), RangeError);
          await assert.rejects(f.get({ timeout: NaN }), RangeError);
          await assert.rejects(f.getMany(0), RangeError);
          const unencodable = K.name === 'RedisPriorityQueue' ? [1, () => 1] : () => 1;
          await assert.rejects(f.put(unencodable), { name: 'TypeError', message: /janus-queue: / });
          await assert.rejects(f.putMany([K.item(0), unencodable]), TypeError);
          if (K.name === 'RedisPriorityQueue') {
            await assert.rejects(f.put({ id: 1 }), { name: 'TypeError', message: /\[priority, value\] pair/ });
            await assert.rejects(f.put([NaN, 1]), TypeError);
          }
          // A misspelled option is refused, naming the known ones, as the in-memory faces do.
          const known = faceName === 'sync' ? /unknown syncQ\.put\(\) option "timout" \(expected block or timeout\)/ : /unknown asyncQ\.put\(\) option "timout" \(expected timeout or signal\)/;
          await assert.rejects(f.put(K.item(0), { timout: 10 }), { name: 'TypeError', message: known });
          await assert.rejects(f.get({ timout: 10 }), { name: 'TypeError', message: /unknown (syncQ|asyncQ)\.get\(\) option "timout"/ });
          await assert.rejects(f.putMany([K.item(0)], { blok: false }), { name: 'TypeError', message: /option "blok"/ });
          await assert.rejects(f.getMany(1, { x: 1 }), { name: 'TypeError', message: /option "x"/ });
          await assert.rejects(f.join({ timout: 1 }), { name: 'TypeError', message: /join\(\) option "timout"/ });
          assert.deepEqual(await f.stats(), { qsize: 0, unfinished: 0, closed: false });
        });
      });
    }
  }

  describe('waiting across queue objects (the async face)', () => {
    it('a put waits while the queue is full and is woken by a get in another object', async () => {
      const name = uniqueName('backpressure');
      const producer = open(RedisQueue, { name, maxsize: 2 });
      const consumer = open(RedisQueue, { name, maxsize: 2 });
      await producer.asyncQ.putMany([1, 2]);
      let done = false;
      const put = producer.asyncQ.put(3).then(() => (done = true));
      await consumer.asyncQ.stats(); // a round trip: the put had the time to find the queue full
      assert.equal(done, false, 'the put must not complete while the queue is full');
      assert.equal(await consumer.asyncQ.get(), 1);
      await put;
      assert.deepEqual(await consumer.asyncQ.getMany(5), [2, 3]);
    });

    it('a get waits while the queue is empty and is woken by a put in another object', async () => {
      const name = uniqueName('wait-get');
      const consumer = open(RedisQueue, { name });
      const producer = open(RedisQueue, { name });
      const gets = [consumer.asyncQ.get(), consumer.asyncQ.get()];
      await producer.asyncQ.put('a');
      await producer.asyncQ.put('b');
      assert.deepEqual(await Promise.all(gets), ['a', 'b'], 'waiting gets of one object are served in order');
    });

    it('shutdown(immediate) in one object wakes a putter and a joiner of others', async () => {
      const name = uniqueName('wake-put-join');
      const [a, b, c] = [1, 2, 3].map(() => open(RedisQueue, { name, maxsize: 1 }));
      await b.asyncQ.put('x');
      const putter = b.asyncQ.put('y');
      const joiner = c.asyncQ.join();
      await a.asyncQ.stats();
      await a.asyncQ.shutdown(true);
      await assert.rejects(putter, QueueShutDown);
      assert.equal(await joiner, true, 'the discarded item counts as done');
    });

    it('shutdown in one object wakes the getters of others', async () => {
      const name = uniqueName('wake-get');
      const [a, b, c] = [1, 2, 3].map(() => open(RedisQueue, { name }));
      const getters = [a.asyncQ.get(), c.asyncQ.get(), c.asyncQ.get()];
      // Watched from now: they may reject while shutdown() is still awaited
      // (an unhandled rejection, which node:test counts as a failure).
      const settled = Promise.allSettled(getters);
      await b.asyncQ.stats();
      await b.asyncQ.shutdown();
      for (const s of await settled) assert.ok(s.status === 'rejected' && s.reason instanceof QueueShutDown, String(s.reason));
    });

    it('an aborted get rejects with the reason and takes nothing', async () => {
      const name = uniqueName('abort');
      const q = open(RedisQueue, { name });
      const ac = new AbortController();
      const get = q.asyncQ.get({ signal: ac.signal });
      ac.abort(new Error('stop'));
      await assert.rejects(get, /stop/);
      await q.asyncQ.put('kept');
      const other = open(RedisQueue, { name });
      assert.equal(await other.asyncQ.get({ timeout: 5000 }), 'kept');
      await assert.rejects(q.asyncQ.get({ signal: AbortSignal.abort(new Error('already')) }), /already/);
    });
  });

  describe('leases', () => {
    it('an item taken and never marked done comes back once its holder is gone', async () => {
      const name = uniqueName('lease');
      const dead = open(RedisQueue, { name, leaseMs: 200 });
      await dead.asyncQ.put({ job: 1 });
      assert.deepEqual(await dead.asyncQ.get(), { job: 1 });
      await dead.disconnect(); // no more heartbeat: the lease runs out
      const alive = open(RedisQueue, { name, leaseMs: 200 });
      assert.deepEqual(await alive.asyncQ.get({ timeout: 10_000 }), { job: 1 });
      assert.equal((await alive.asyncQ.stats()).unfinished, 1, 'still one unfinished task: it was never done');
      await alive.asyncQ.taskDone();
      assert.equal(await alive.asyncQ.join({ timeout: 0 }), true);
    });

    it('the heartbeat keeps a lease while its holder runs', async () => {
      const name = uniqueName('heartbeat');
      // Leases of 500 ms, renewed every 167 ms: a stall of this event loop
      // shorter than about 300 ms (GC, a busy machine) does not lose one.
      const holder = open(RedisQueue, { name, leaseMs: 500 });
      await holder.asyncQ.put('held');
      await holder.asyncQ.get();
      await new Promise((r) => setTimeout(r, 2000)); // four leases long: only the heartbeat keeps it
      const other = open(RedisQueue, { name, leaseMs: 500 });
      await assert.rejects(other.asyncQ.getNowait(), QueueEmpty);
      await holder.asyncQ.taskDone(); // no round trip of its own: applied before this object's next call
      assert.equal((await holder.asyncQ.stats()).unfinished, 0);
      assert.equal((await other.asyncQ.stats()).unfinished, 0);
    });
  });

  describe('options and codecs', () => {
    it('refuses unknown and bad options by name', () => {
      assert.throws(() => new RedisQueue(), /needs options/);
      assert.throws(() => new RedisQueue({ name: 'x', maxSize: 1 }), { name: 'TypeError', message: /unknown option "maxSize"/ });
      assert.throws(() => new RedisQueue({ name: '' }), /option "name"/);
      assert.throws(() => new RedisQueue({ name: 'x', maxsize: 1.5 }), RangeError);
      assert.throws(() => new RedisQueue({ name: 'x', leaseMs: 10 }), RangeError);
      assert.throws(() => new RedisQueue({ name: 'x', connection: 'http://x' }), /option "connection"/);
      assert.throws(() => new RedisQueue({ name: 'x', codec: 'xml' }), /option "codec"/);
    });

    it('carries every built-in codec and a custom one, on both faces', async () => {
      const dates = { encode: (d) => new TextEncoder().encode(d.toISOString()), decode: (b) => new Date(new TextDecoder().decode(b)) };
      const cases = [
        ['structured', new Map([[1, { d: new Date(0), big: 10n }]])],
        ['json', { a: [1, 'two'] }],
        ['bytes', new Uint8Array([0, 255, 10, 13])],
        ['string', 'héllo\u0000world'],
        [dates, new Date(1e12)],
      ];
      for (const [codec, value] of cases) {
        const q = open(RedisQueue, { name: uniqueName('codec'), codec });
        await q.asyncQ.put(value);
        q.syncQ.put(value);
        assert.deepEqual(q.syncQ.get(), value);
        assert.deepEqual(await q.asyncQ.get(), value);
      }
    });

    it('keeps equal priorities in put order, and any priority but NaN', async () => {
      const q = open(RedisPriorityQueue, { name: uniqueName('prio') });
      const items = [[1, 'a'], [-Infinity, 'min'], [1, 'b'], [0.5, 'half'], [Infinity, 'max'], [1, 'c'], [-1e300, 'tiny']];
      await q.asyncQ.putMany(items);
      assert.deepEqual(await q.asyncQ.getMany(10), [[-Infinity, 'min'], [-1e300, 'tiny'], [0.5, 'half'], [1, 'a'], [1, 'b'], [1, 'c'], [Infinity, 'max']]);
    });
  });
});
