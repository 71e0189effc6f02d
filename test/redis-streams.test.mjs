// The Redis asyncQ as Web Streams: readable() and writable() with the
// in-memory streams' semantics (docs/semantics.md, "Web Streams"), against a
// real redis-server. Several queue objects on one name stand for several
// processes. A put shown to wait: a stats() sent after it on the same
// connection finds it not applied (Redis answers in order). No sleeps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueShutDown } from 'janus-queue';
import { RedisQueue } from 'janus-queue/redis';
import { isPending, within } from './helpers/bounded.mjs';
import { REDIS_KINDS, uniqueName } from './fixtures/redis/kinds.mjs';
import { redisForSuite, skipWithoutRedis } from './fixtures/redis/server.mjs';

/** A WritableStream that collects what it is given. */
function collector() {
  const got = [];
  return { got, stream: new WritableStream({ write: (x) => void got.push(x) }) };
}

describe('janus-queue/redis streams', { skip: skipWithoutRedis }, () => {
  const { open } = redisForSuite();

  for (const K of REDIS_KINDS) {
    it(`${K.name}: readable() carries what another object puts, in queue order, and closes once the queue is shut down and drained`, async () => {
      const name = uniqueName('readable');
      const producer = open(K.Class, { name, maxsize: 3 });
      const consumer = open(K.Class, { name, maxsize: 3 });
      await producer.asyncQ.putMany([0, 1, 2].map(K.item));
      const { got, stream } = collector();
      const piping = consumer.asyncQ.readable().pipeTo(stream);
      await producer.asyncQ.putMany([3, 4, 5].map(K.item)); // waits for room: the stream reads
      await producer.asyncQ.shutdown();
      await within(piping, 'pipeTo');
      assert.equal(got.length, 6);
      assert.deepEqual(got.slice(0, 3).map(K.id), K.order(3));
      assert.deepEqual(got.slice(3).map(K.id).sort(), [3, 4, 5]);
      assert.equal((await consumer.asyncQ.stats()).unfinished, 6, 'reading marks nothing done');
    });
  }

  it('readable() gets only for a pending read: unread items stay in the queue for other objects', async () => {
    const name = uniqueName('pull');
    const q = open(RedisQueue, { name });
    const other = open(RedisQueue, { name });
    await q.asyncQ.putMany(['a', 'b', 'c']);
    const reader = q.asyncQ.readable().getReader();
    assert.deepEqual(await reader.read(), { done: false, value: 'a' });
    assert.equal((await other.asyncQ.stats()).qsize, 2);
    assert.deepEqual(await other.asyncQ.getMany(5), ['b', 'c']);
    await reader.cancel();
  });

  it('a read pending on an empty queue ends (done) when another object shuts the queue down', async () => {
    const name = uniqueName('read-end');
    const reader = open(RedisQueue, { name }).asyncQ.readable().getReader();
    const read = reader.read();
    await open(RedisQueue, { name }).asyncQ.shutdown();
    assert.deepEqual(await within(read, 'read'), { done: true, value: undefined });
  });

  it('cancel() withdraws a pending get, leaves the queue open, and a later item goes to another object', async () => {
    const name = uniqueName('cancel');
    const q = open(RedisQueue, { name });
    const other = open(RedisQueue, { name });
    const reader = q.asyncQ.readable().getReader();
    const read = reader.read();
    await reader.cancel(new Error('no more'));
    assert.deepEqual(await read, { done: true, value: undefined });
    await other.asyncQ.put('later');
    assert.equal(await other.asyncQ.get({ timeout: 5000 }), 'later');
    const s = await q.asyncQ.stats();
    assert.equal(s.closed, false);
    assert.equal(s.qsize, 0);
  });

  it('cancel() with shutdownOnCancel: true shuts the queue down immediately; the item read still needs its taskDone', async () => {
    const q = open(RedisQueue, { name: uniqueName('cancel-shut') });
    await q.asyncQ.putMany([1, 2, 3]);
    const reader = q.asyncQ.readable({ shutdownOnCancel: true }).getReader();
    assert.deepEqual(await reader.read(), { done: false, value: 1 });
    await reader.cancel();
    assert.deepEqual(await q.asyncQ.stats(), { qsize: 0, unfinished: 1, closed: true });
    await q.asyncQ.taskDone();
    assert.equal(await q.asyncQ.join({ timeout: 5000 }), true);
  });

  it('a codec whose decode throws errors the stream with that error', async () => {
    const boom = new Error('cannot decode');
    const codec = { encode: (v) => new TextEncoder().encode(v), decode: () => { throw boom; } };
    const q = open(RedisQueue, { name: uniqueName('decode'), codec });
    await q.asyncQ.put('x');
    const reader = q.asyncQ.readable().getReader();
    await assert.rejects(reader.read(), boom);
    await assert.rejects(reader.closed, boom);
  });

  it('writable(): write is put, held while the queue is full; close() shuts the queue down (soft) and readers drain it', async () => {
    const name = uniqueName('writable');
    const q = open(RedisQueue, { name, maxsize: 1 });
    const writer = q.asyncQ.writable().getWriter();
    await writer.write('a');
    const second = writer.write('b');
    assert.equal((await q.asyncQ.stats()).qsize, 1, 'the second write is not applied while the queue is full');
    assert.equal(await isPending(second), true);
    const other = open(RedisQueue, { name, maxsize: 1 });
    assert.equal(await other.asyncQ.get({ timeout: 5000 }), 'a');
    await within(second, 'write');
    await writer.close();
    assert.equal((await other.asyncQ.stats()).closed, true, 'close() resolved once Redis applied the shutdown');
    const { got, stream } = collector();
    await within(other.asyncQ.readable().pipeTo(stream), 'drain');
    assert.deepEqual(got, ['b']);
  });

  it('writable({ shutdownOnClose: false }) leaves the queue open; a pipe from one Redis queue into another carries every item', async () => {
    const from = open(RedisQueue, { name: uniqueName('pipe-from') });
    const to = open(RedisQueue, { name: uniqueName('pipe-to') });
    await from.asyncQ.putMany([1, 2, 3]);
    await from.asyncQ.shutdown();
    const double = new TransformStream({ transform: (x, c) => c.enqueue(x * 2) });
    await within(from.asyncQ.readable().pipeThrough(double).pipeTo(to.asyncQ.writable({ shutdownOnClose: false })), 'pipe');
    assert.equal((await to.asyncQ.stats()).closed, false);
    assert.deepEqual(await to.asyncQ.getMany(5), [2, 4, 6]);
  });

  it('abort() withdraws a pending put (the item is not inserted) and shuts the queue down immediately', async () => {
    const q = open(RedisQueue, { name: uniqueName('abort'), maxsize: 1 });
    const writer = q.asyncQ.writable().getWriter();
    await writer.write('kept');
    const reason = new Error('producer failed');
    const pending = assert.rejects(writer.write('withdrawn'), reason);
    await writer.abort(reason);
    await pending;
    assert.deepEqual(await q.asyncQ.stats(), { qsize: 0, unfinished: 0, closed: true });
  });

  it('abort() with shutdownOnAbort: false leaves the queue and what was put; a write into a shut-down queue rejects with QueueShutDown', async () => {
    const name = uniqueName('abort-open');
    const q = open(RedisQueue, { name });
    const writer = q.asyncQ.writable({ shutdownOnAbort: false }).getWriter();
    await writer.write('kept');
    await writer.abort(new Error('stop'));
    assert.deepEqual(await q.asyncQ.stats(), { qsize: 1, unfinished: 1, closed: false });
    await open(RedisQueue, { name }).asyncQ.shutdown();
    const late = q.asyncQ.writable().getWriter();
    await assert.rejects(late.write('late'), QueueShutDown);
  });

  it('bad stream options are thrown by readable() / writable()', () => {
    const q = open(RedisQueue, { name: uniqueName('options') });
    assert.throws(() => q.asyncQ.readable({ shutdownOnClose: true }), { name: 'TypeError', message: /unknown readable\(\) option "shutdownOnClose"/ });
    assert.throws(() => q.asyncQ.readable({ shutdownOnCancel: 'yes' }), { name: 'TypeError', message: /shutdownOnCancel/ });
    assert.throws(() => q.asyncQ.readable({ highWaterMark: -1 }), { name: 'RangeError', message: /highWaterMark/ });
    assert.throws(() => q.asyncQ.writable({ shutdownOnAbort: 1 }), { name: 'TypeError', message: /shutdownOnAbort/ });
  });
});
