// asyncQ as Web Streams: readable() and writable(), with pipeTo/pipeThrough
// and Node's Readable.fromWeb / Writable.fromWeb, across real workers. A
// call that must block is shown to have blocked by waiting (bounded) until
// it is registered in the queue's shared waiter lists; no sleeps.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { Queue, QueueShutDown } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { isPending, within } from './helpers/bounded.mjs';
import { KINDS } from './helpers/kinds.mjs';
import { GETTERS, PUTTERS, untilWaiters, waiterCount } from './helpers/waiters.mjs';

const agentFor = agentPool();

/** A WritableStream that collects what it is given. */
function collector() {
  const got = [];
  return { got, stream: new WritableStream({ write: (x) => void got.push(x) }) };
}

/** Lets every queued task run once (a turn of the event loop). */
const turn = () => new Promise((r) => setImmediate(r));

for (const K of KINDS) {
  describe(`${K.name}.asyncQ.readable()`, () => {
    it('carries what a worker puts with syncQ.put, in queue order, and closes once the worker shuts the queue down', async () => {
      const q = new K.Class({ maxsize: 4 });
      const a = await agentFor(q);
      const n = 200;
      const putting = a.call('sync', 'putAll', [...Array(n).keys()].map(K.item));
      const shut = a.call('sync', 'shutdown');
      const { got, stream } = collector();
      await within(q.asyncQ.readable().pipeTo(stream), 'pipeTo');
      await putting;
      await shut;
      const ids = got.map(K.id);
      assert.deepEqual([...ids].sort((x, y) => x - y), [...Array(n).keys()]);
      if (K.name === 'Queue') assert.deepEqual(ids, [...Array(n).keys()]);
      assert.equal(q.asyncQ.unfinishedTasks, n);
    });
  });

  describe(`${K.name}.asyncQ.writable()`, () => {
    it('puts what is piped in, for a worker to take with syncQ.get, and close() ends the worker\'s loop', async () => {
      const q = new K.Class({ maxsize: 3 });
      const a = await agentFor(q);
      const draining = a.call('sync', 'drainWithTaskDone');
      const n = 100;
      await within(ReadableStream.from([...Array(n).keys()].map(K.item)).pipeTo(q.asyncQ.writable()), 'pipeTo');
      assert.equal(q.closed, true); // close() is shutdown(false): the worker still drains
      const ids = (await draining).map(K.id);
      assert.deepEqual([...ids].sort((x, y) => x - y), [...Array(n).keys()]);
      assert.equal(q.asyncQ.unfinishedTasks, 0);
    });
  });
}

describe('readable(): backpressure, end and cancel', () => {
  it('takes an item from the queue only for a read (highWaterMark 0)', async () => {
    const q = new Queue();
    for (const x of [1, 2, 3]) q.syncQ.put(x);
    const reader = q.asyncQ.readable().getReader();
    await turn();
    assert.equal(q.syncQ.qsize(), 3);
    assert.deepEqual(await reader.read(), { done: false, value: 1 });
    await turn();
    assert.equal(q.syncQ.qsize(), 2);
  });

  it('a highWaterMark > 0 buffers that many items in the stream', async () => {
    const q = new Queue();
    for (const x of [1, 2, 3]) q.syncQ.put(x);
    const reader = q.asyncQ.readable({ highWaterMark: 2 }).getReader();
    while (q.syncQ.qsize() > 1) await turn();
    await turn();
    assert.equal(q.syncQ.qsize(), 1);
    assert.deepEqual(await reader.read(), { done: false, value: 1 });
  });

  it('drains what is left after shutdown(false), then closes', async () => {
    const q = new Queue();
    q.syncQ.put('a');
    q.syncQ.put('b');
    q.shutdown();
    const { got, stream } = collector();
    await within(q.asyncQ.readable().pipeTo(stream), 'pipeTo');
    assert.deepEqual(got, ['a', 'b']);
  });

  it('a read pending on an empty queue ends (done) when another thread shuts the queue down', async () => {
    const q = new Queue();
    const a = await agentFor(q);
    const reader = q.asyncQ.readable().getReader();
    const read = reader.read();
    await untilWaiters(q.handle, GETTERS, 1);
    await a.call('sync', 'shutdown');
    assert.deepEqual(await within(read, 'read'), { done: true, value: undefined });
  });

  it('cancel() withdraws a pending get, leaves the queue open, and a later item is not swallowed', async () => {
    const q = new Queue();
    const reader = q.asyncQ.readable().getReader();
    const read = reader.read();
    await untilWaiters(q.handle, GETTERS, 1);
    await reader.cancel(new Error('no more'));
    assert.deepEqual(await read, { done: true, value: undefined });
    assert.equal(waiterCount(q.handle, GETTERS), 0);
    assert.equal(q.closed, false);
    q.syncQ.put('later');
    assert.equal(q.syncQ.getNowait(), 'later');
  });

  it('cancel() with shutdownOnCancel: true shuts the queue down immediately (discarding what is left)', async () => {
    const q = new Queue();
    for (const x of [1, 2, 3]) q.syncQ.put(x);
    const reader = q.asyncQ.readable({ shutdownOnCancel: true }).getReader();
    assert.deepEqual(await reader.read(), { done: false, value: 1 });
    await reader.cancel();
    assert.equal(q.closed, true);
    assert.equal(q.syncQ.qsize(), 0);
    assert.equal(q.syncQ.unfinishedTasks, 1); // the item read still needs its taskDone
  });

  it('a failing pipeTo destination cancels the source; shutdownOnCancel: true then wakes a worker blocked in put', async () => {
    const q = new Queue({ maxsize: 1 });
    const a = await agentFor(q);
    const putting = a.call('sync', 'putAll', [1, 2, 3]);
    const boom = new Error('destination failed');
    const dest = new WritableStream({ write() { throw boom; } });
    await assert.rejects(within(q.asyncQ.readable({ shutdownOnCancel: true }).pipeTo(dest), 'pipeTo'), boom);
    await assert.rejects(putting, { name: 'QueueShutDown' });
    assert.equal(q.closed, true);
  });

  it('a codec whose decode throws errors the stream with that error', async () => {
    const boom = new Error('cannot decode');
    const codec = { encode: (v) => new TextEncoder().encode(v), decode: () => { throw boom; } };
    const q = new Queue({ codec });
    q.syncQ.put('x');
    const reader = q.asyncQ.readable().getReader();
    await assert.rejects(reader.read(), boom);
    await assert.rejects(reader.closed, boom);
  });

  it('works with Node\'s Readable.fromWeb across a worker', async () => {
    const q = new Queue({ maxsize: 2 });
    const a = await agentFor(q);
    const putting = a.call('sync', 'putAll', [...Array(50).keys()]);
    const shut = a.call('sync', 'shutdown');
    const got = [];
    for await (const x of Readable.fromWeb(q.asyncQ.readable(), { objectMode: true })) got.push(x);
    await putting;
    await shut;
    assert.deepEqual(got, [...Array(50).keys()]);
  });
});

describe('writable(): backpressure, close and abort', () => {
  it('a full queue holds the writer: the write and writer.ready stay pending until a worker takes an item', async () => {
    const q = new Queue({ maxsize: 2 });
    const a = await agentFor(q);
    const writer = q.asyncQ.writable().getWriter();
    await writer.write(0);
    await writer.write(1);
    const third = writer.write(2);
    await untilWaiters(q.handle, PUTTERS, 1); // the put of 2 is waiting for room
    assert.equal(q.syncQ.qsize(), 2);
    assert.equal(writer.desiredSize, 0);
    assert.equal(await isPending(third), true);
    assert.equal(await isPending(writer.ready), true);
    assert.deepEqual(await a.call('sync', 'getAll', 1), [0]);
    await within(third, 'write');
    await within(writer.ready, 'ready');
    assert.equal(q.syncQ.qsize(), 2);
    assert.deepEqual(q.syncQ.getMany(2), [1, 2]);
  });

  it('a pipe from a large source stops pulling while the queue is full', async () => {
    const q = new Queue({ maxsize: 2 });
    let pulled = 0;
    const source = new ReadableStream({ pull: (c) => c.enqueue(pulled++) }, { highWaterMark: 0 });
    const piping = source.pipeTo(q.asyncQ.writable(), { preventClose: true });
    await untilWaiters(q.handle, PUTTERS, 1);
    const seen = pulled;
    for (let i = 0; i < 20; i++) await turn();
    assert.equal(pulled, seen);
    assert.ok(pulled <= 5, `pulled ${pulled} items for a queue of 2`);
    assert.equal(q.syncQ.qsize(), 2);
    q.shutdown(true); // ends the pipe: the pending put rejects with QueueShutDown
    await assert.rejects(within(piping, 'pipeTo'), QueueShutDown);
  });

  it('close() with shutdownOnClose: false leaves the queue open', async () => {
    const q = new Queue();
    await ReadableStream.from([1, 2]).pipeTo(q.asyncQ.writable({ shutdownOnClose: false }));
    assert.equal(q.closed, false);
    assert.deepEqual(q.syncQ.getMany(5), [1, 2]);
  });

  it('abort() withdraws a pending put (nothing inserted) and shuts the queue down immediately', async () => {
    const q = new Queue({ maxsize: 1 });
    const a = await agentFor(q);
    const writer = q.asyncQ.writable().getWriter();
    await writer.write('discarded');
    const pending = writer.write('never');
    pending.catch(() => {}); // rejects during abort(); checked below
    await untilWaiters(q.handle, PUTTERS, 1);
    const reason = new Error('producer failed');
    await within(writer.abort(reason), 'abort');
    await assert.rejects(pending, reason);
    assert.equal(waiterCount(q.handle, PUTTERS), 0);
    assert.equal(q.closed, true);
    assert.equal(q.syncQ.qsize(), 0);
    assert.equal(q.syncQ.unfinishedTasks, 0); // the discarded item counts as done
    assert.deepEqual(await a.call('sync', 'state'), { qsize: 0, unfinished: 0, closed: true });
  });

  it('abort() with shutdownOnAbort: false leaves the queue open and the aborted item out', async () => {
    const q = new Queue({ maxsize: 1 });
    const writer = q.asyncQ.writable({ shutdownOnAbort: false }).getWriter();
    await writer.write('in');
    const pending = writer.write('out');
    pending.catch(() => {}); // rejects during abort(); checked below
    await untilWaiters(q.handle, PUTTERS, 1);
    await writer.abort(new Error('stop'));
    await assert.rejects(pending, { message: 'stop' });
    assert.equal(q.closed, false);
    assert.equal(q.syncQ.getNowait(), 'in');
    assert.equal(q.syncQ.qsize(), 0);
  });

  it('a write blocked on a full queue rejects with QueueShutDown when a worker shuts the queue down', async () => {
    const q = new Queue({ maxsize: 1 });
    const a = await agentFor(q);
    const writer = q.asyncQ.writable().getWriter();
    writer.closed.catch(() => {}); // the stream errors with QueueShutDown; checked below
    await writer.write(1);
    const pending = writer.write(2);
    pending.catch(() => {}); // it rejects while the worker's reply is on its way
    await untilWaiters(q.handle, PUTTERS, 1);
    await a.call('sync', 'shutdown');
    await assert.rejects(within(pending, 'write'), QueueShutDown);
    assert.equal(q.syncQ.getNowait(), 1); // a soft shutdown keeps what was put
  });

  it('works with Node\'s Writable.fromWeb and stream.pipeline, for a worker reading with syncQ', async () => {
    const q = new Queue({ maxsize: 2 });
    const a = await agentFor(q);
    const draining = a.call('sync', 'drainWithTaskDone');
    await within(pipeline(Readable.from([...Array(40).keys()]), Writable.fromWeb(q.asyncQ.writable(), { objectMode: true })), 'pipeline');
    assert.deepEqual(await draining, [...Array(40).keys()]);
  });
});

describe('streams in a worker', () => {
  it('main syncQ.put (blocking while full) -> a worker reading asyncQ.readable() to its end', async () => {
    const q = new Queue({ maxsize: 2 });
    const a = await agentFor(q);
    const reading = a.call('async', 'readStream');
    for (let i = 0; i < 30; i++) q.syncQ.put(i, { timeout: 20000 });
    q.syncQ.shutdown();
    assert.deepEqual(await reading, [...Array(30).keys()]);
  });

  it('a worker piping into asyncQ.writable() -> main syncQ.get, which ends with QueueShutDown after the last item', async () => {
    const q = new Queue({ maxsize: 2 });
    const a = await agentFor(q);
    const writing = a.call('async', 'writeStream', [...Array(30).keys()]);
    const got = [];
    for (;;) {
      try {
        got.push(q.syncQ.get({ timeout: 20000 }));
      } catch (e) {
        assert.ok(e instanceof QueueShutDown, e);
        break;
      }
    }
    assert.equal(await writing, 30);
    assert.deepEqual(got, [...Array(30).keys()]);
  });
});

describe('pipeThrough between two queues', () => {
  it('worker -> queue A -> TransformStream -> queue B -> worker, and the first shutdown reaches the last worker', async () => {
    const qa = new Queue({ maxsize: 2 });
    const qb = new Queue({ maxsize: 2 });
    const producer = await agentFor(qa);
    const consumer = await agentFor(qb);
    const draining = consumer.call('sync', 'drainWithTaskDone');
    const putting = producer.call('sync', 'putAll', [...Array(60).keys()]);
    const shut = producer.call('sync', 'shutdown');
    const double = new TransformStream({ transform: (x, c) => c.enqueue(x * 2) });
    await within(qa.asyncQ.readable().pipeThrough(double).pipeTo(qb.asyncQ.writable()), 'pipe');
    await putting;
    await shut;
    assert.deepEqual(await draining, [...Array(60).keys()].map((x) => x * 2));
    assert.equal(qb.closed, true);
  });
});

describe('stream options', () => {
  it('bad options are a TypeError or RangeError at once, naming the option', () => {
    const q = new Queue();
    assert.throws(() => q.asyncQ.readable({ shutdownOnClose: true }), { name: 'TypeError', message: /unknown readable\(\) option "shutdownOnClose"/ });
    assert.throws(() => q.asyncQ.readable({ shutdownOnCancel: 'yes' }), { name: 'TypeError', message: /shutdownOnCancel/ });
    assert.throws(() => q.asyncQ.readable({ highWaterMark: -1 }), { name: 'RangeError', message: /highWaterMark/ });
    assert.throws(() => q.asyncQ.writable({ highWaterMark: NaN }), { name: 'RangeError', message: /highWaterMark/ });
    assert.throws(() => q.asyncQ.writable(5), { name: 'TypeError', message: /options must be an object/ });
    assert.throws(() => q.asyncQ.writable({ shutdownOnCancel: true }), { name: 'TypeError', message: /unknown writable\(\) option/ });
    assert.equal(q.closed, false);
  });
});
