// Bad input gets a clear error naming what was wrong, and loses nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as janus from 'janus-queue';
import { LifoQueue, LockTimeout, PriorityQueue, Queue, QueueCorrupted, QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { KIND, MAGIC, MAX_BYTES, VERSION } from './helpers/layout.mjs';

describe('exports', () => {
  it('are the three queues and the five error classes, each error with its name', () => {
    assert.deepEqual(Object.keys(janus).sort(), ['LifoQueue', 'LockTimeout', 'PriorityQueue', 'Queue', 'QueueCorrupted', 'QueueEmpty', 'QueueFull', 'QueueShutDown']);
    for (const [E, name] of [[QueueEmpty, 'QueueEmpty'], [QueueFull, 'QueueFull'], [QueueShutDown, 'QueueShutDown'], [QueueCorrupted, 'QueueCorrupted'], [LockTimeout, 'LockTimeout']]) {
      const e = new E();
      assert.ok(e instanceof Error);
      assert.equal(e.name, name);
      assert.notEqual(new E(), e, 'not a singleton');
    }
    assert.ok(new QueueCorrupted() instanceof TypeError, 'a corrupted buffer is still a TypeError to older catch blocks');
    assert.ok(new LifoQueue() instanceof Queue);
    assert.ok(new PriorityQueue() instanceof Queue);
    assert.ok(new PriorityQueue() instanceof PriorityQueue);
  });
});

describe('constructor options', () => {
  const cases = [
    ['a string', 'big', TypeError, /options must be an object/],
    ['null', null, TypeError, /options must be an object/],
    ['an unknown option', { maxSize: 3 }, TypeError, /unknown option "maxSize"/],
    ['maxsize not a number', { maxsize: '3' }, TypeError, /"maxsize"/],
    ['maxsize not an integer', { maxsize: 1.5 }, RangeError, /"maxsize"/],
    ['maxsize NaN', { maxsize: NaN }, RangeError, /"maxsize"/],
    ['maxsize too large', { maxsize: 2 ** 31 }, RangeError, /"maxsize"/],
    ['maxsize -Infinity', { maxsize: -Infinity }, RangeError, /"maxsize"/],
    ['maxBytes not a number', { maxBytes: '1k' }, TypeError, /"maxBytes"/],
    ['maxBytes zero', { maxBytes: 0 }, RangeError, /"maxBytes"/],
    ['maxBytes negative', { maxBytes: -5 }, RangeError, /"maxBytes"/],
    ['maxBytes fractional', { maxBytes: 10.5 }, RangeError, /"maxBytes"/],
    ['maxBytes huge', { maxBytes: 2 ** 32 }, RangeError, /"maxBytes"/],
    ['an unknown codec name', { codec: 'xml' }, TypeError, /"codec"/],
    ['a codec without decode', { codec: { encode: () => new Uint8Array() } }, TypeError, /"codec"/],
  ];
  for (const [what, options, E, message] of cases) {
    it(`refuses ${what} with a ${E.name} naming the option`, () => {
      for (const C of [Queue, LifoQueue, PriorityQueue]) assert.throws(() => new C(options), (e) => e instanceof E && message.test(e.message));
    });
  }

  it('takes maxsize Infinity as unbounded', () => {
    assert.equal(new Queue({ maxsize: Infinity }).syncQ.maxsize, 0);
  });
});

describe('handles and attach', () => {
  it('a handle is a plain structured-cloneable object that attaches after cloning', () => {
    const q = new Queue();
    const h = structuredClone(q.handle);
    assert.equal(Object.getPrototypeOf(q.handle), Object.prototype);
    q.syncQ.put('x');
    assert.equal(Queue.attach(h).syncQ.get(), 'x');
  });

  it('attach gives an instance of the class it is called on', () => {
    assert.ok(LifoQueue.attach(new LifoQueue().handle) instanceof LifoQueue);
    assert.ok(PriorityQueue.attach(new PriorityQueue().handle) instanceof PriorityQueue);
    assert.ok(Queue.attach(new Queue().handle) instanceof Queue);
  });

  it('refuses a handle of another kind of queue, naming both', () => {
    assert.throws(() => Queue.attach(new LifoQueue().handle), { name: 'TypeError', message: /LifoQueue.attach/ });
    assert.throws(() => LifoQueue.attach(new PriorityQueue().handle), { name: 'TypeError', message: /PriorityQueue/ });
    assert.throws(() => PriorityQueue.attach(new Queue().handle), { name: 'TypeError', message: /handle of a Queue/ });
  });

  for (const [what, handle] of [
    ['undefined', undefined],
    ['null', null],
    ['a number', 7],
    ['an empty object', {}],
    ['a SharedArrayBuffer itself', new SharedArrayBuffer(16)],
    ['a handle with an ArrayBuffer', { ...new Queue().handle, buffer: new ArrayBuffer(10000) }],
    ['a handle with a small buffer', { ...new Queue().handle, buffer: new SharedArrayBuffer(64) }],
    ['a handle with a zeroed buffer', { ...new Queue().handle, buffer: new SharedArrayBuffer(new Queue().handle.buffer.byteLength) }],
    ['a handle whose codec field lies', { ...new Queue().handle, codec: 'json' }],
    ['a handle whose kind field lies', { ...new Queue().handle, kind: 'LifoQueue' }],
  ]) {
    it(`refuses ${what} with a TypeError`, () => {
      assert.throws(() => Queue.attach(handle), TypeError);
    });
  }

  function corrupted(word, value, byteLength) {
    const q = new Queue();
    const src = new Uint8Array(q.handle.buffer);
    const buffer = new SharedArrayBuffer(byteLength ?? src.length);
    new Uint8Array(buffer).set(src.subarray(0, Math.min(src.length, buffer.byteLength)));
    if (word !== undefined) new Int32Array(buffer)[word] = value;
    return { ...q.handle, buffer };
  }

  it('refuses a buffer with a corrupted header: magic, version, kind, sizes', () => {
    assert.throws(() => Queue.attach(corrupted(MAGIC, 1234)), { name: 'TypeError', message: /magic/ });
    assert.throws(() => Queue.attach(corrupted(VERSION, 99)), { name: 'TypeError', message: /version is 99/ });
    assert.throws(() => Queue.attach(corrupted(KIND, 42)), { name: 'TypeError', message: /kind/ });
    assert.throws(() => Queue.attach(corrupted(undefined, 0, new Queue().handle.buffer.byteLength + 8)), { name: 'TypeError', message: /size/ });
    assert.throws(() => Queue.attach(corrupted(MAX_BYTES, 5)), { name: 'TypeError', message: /maxBytes/ });
  });

  it('refuses a codec at attach that differs from a built-in one', () => {
    const q = new Queue({ codec: 'json' });
    assert.throws(() => Queue.attach(q.handle, { codec: { encode: () => new Uint8Array(), decode: () => 1 } }), TypeError);
    assert.equal(Queue.attach(q.handle).handle.codec, 'json');
  });
});

describe('read-only members', () => {
  it('maxsize, unfinishedTasks and closed cannot be assigned, on either face; the handle is frozen', () => {
    const q = new Queue({ maxsize: 3 });
    for (const face of [q.syncQ, q.asyncQ]) {
      for (const key of ['maxsize', 'unfinishedTasks', 'closed']) assert.throws(() => { face[key] = 1; }, TypeError);
      assert.equal(face.maxsize, 3);
    }
    assert.throws(() => { q.closed = true; }, TypeError);
    assert.ok(Object.isFrozen(q.handle));
  });
});

describe('the promise face never throws synchronously', () => {
  const q = new Queue({ maxsize: 1 });
  for (const [what, call] of [
    ['put with a negative timeout', () => q.asyncQ.put(1, { timeout: -1 })],
    ['put with a string timeout', () => q.asyncQ.put(1, { timeout: '5' })],
    ['put with an unencodable value', () => q.asyncQ.put(() => 1)],
    ['get with NaN timeout', () => q.asyncQ.get({ timeout: NaN })],
    ['get with a signal that is not an AbortSignal', () => q.asyncQ.get({ signal: {} })],
    ['join with a negative timeout', () => q.asyncQ.join({ timeout: -3 })],
  ]) {
    it(`${what}: a rejected promise`, async () => {
      let p;
      assert.doesNotThrow(() => {
        p = call();
      });
      assert.ok(p instanceof Promise);
      await assert.rejects(p, (e) => e instanceof TypeError || e instanceof RangeError);
      assert.equal(q.syncQ.qsize(), 0);
    });
  }
});

describe('calls after shutdown', () => {
  it('put and putNowait throw QueueShutDown on both faces, taskDone and join do not', async () => {
    const q = new Queue();
    q.syncQ.put(1);
    q.asyncQ.shutdown();
    assert.throws(() => q.syncQ.put(2), QueueShutDown);
    assert.throws(() => q.asyncQ.putNowait(2), QueueShutDown);
    await assert.rejects(q.asyncQ.put(2), QueueShutDown);
    assert.equal(q.syncQ.get(), 1);
    q.syncQ.taskDone();
    assert.equal(q.syncQ.join(), true);
    assert.equal(await q.asyncQ.join(), true);
    assert.throws(() => q.syncQ.taskDone(), RangeError);
  });
});

describe('janus compatibility: close, waitClosed, aclose', () => {
  it('close() is shutdown(true); waitClosed rejects before any shutdown and resolves after', async () => {
    const q = new Queue();
    await assert.rejects(q.waitClosed(), /not shut down/);
    q.syncQ.put(1);
    q.close();
    assert.equal(q.closed, true);
    assert.equal(q.syncQ.qsize(), 0);
    assert.equal(q.syncQ.unfinishedTasks, 0);
    await q.waitClosed();
  });

  it('aclose() closes and waits', async () => {
    const q = new Queue();
    q.syncQ.put(1);
    await q.aclose();
    assert.equal(q.closed, true);
    assert.throws(() => q.syncQ.getNowait(), QueueShutDown);
  });

  it('waitClosed resolves after a soft shutdown too', async () => {
    const q = new Queue();
    q.shutdown();
    await q.waitClosed();
  });
});
