// Codecs: what each round-trips, what each refuses, and that a refused or
// oversized item leaves the queue exactly as it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LifoQueue, PriorityQueue, Queue, QueueShutDown } from 'janus-queue';
import { Agent } from './helpers/agent.mjs';
import { CODECS } from './helpers/codecs.mjs';

function roundTrip(value, options) {
  const q = new Queue(options);
  q.syncQ.put(value);
  return q.syncQ.get();
}

function rich() {
  const shared = { shared: true };
  const cyclic = { name: 'cycle', list: [] };
  cyclic.self = cyclic;
  cyclic.list.push(cyclic, shared);
  const buf = new ArrayBuffer(16);
  new Uint8Array(buf).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const err = new RangeError('out of range', { cause: { code: 42 } });
  return {
    nums: [0, -0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE],
    big: [0n, 1n, -1n, 2n ** 64n, -(2n ** 200n) + 7n],
    strings: ['', 'ascii', 'ünïcödé', '日本語', '😀 emoji', 'lone \ud800 surrogate', 'x'.repeat(10000)],
    misc: [undefined, null, true, false],
    sparse,
    date: new Date(1700000000000),
    re: /ab+c/gimsuy,
    map: new Map([[1, 'one'], ['two', { n: 2 }], [shared, shared]]),
    set: new Set([1, 'a', shared]),
    buf,
    views: [new Int8Array(buf, 1, 3), new Uint8ClampedArray(buf), new Int16Array(buf, 2, 2), new Uint32Array(buf), new Float32Array([1.5, -2]), new Float64Array([Math.PI]), new BigInt64Array([-5n]), new BigUint64Array([5n]), new DataView(buf, 4, 8)],
    boxed: [Object(true), Object(3), Object('s'), Object(5n)],
    err,
    cyclic,
    shared,
    nested: { a: { b: { c: [shared, { d: shared }] } } },
    proto: { __proto__: null, x: 1 },
  };
}

describe('the structured codec (default)', () => {
  it('round-trips what structuredClone accepts: the same as structuredClone gives', () => {
    const v = rich();
    const out = roundTrip(v);
    assert.deepStrictEqual(out, structuredClone(v));
  });

  it('keeps shared references and cycles as references', () => {
    const out = roundTrip(rich());
    assert.equal(out.cyclic.self, out.cyclic);
    assert.equal(out.cyclic.list[0], out.cyclic);
    assert.equal(out.cyclic.list[1], out.shared);
    assert.equal(out.map.get(out.shared), out.shared);
    assert.equal(out.views[0].buffer, out.buf);
    assert.equal(out.views[8].buffer, out.buf);
  });

  it('keeps -0, NaN, holes, undefined, error types and causes', () => {
    const out = roundTrip(rich());
    assert.ok(Object.is(out.nums[1], -0));
    assert.ok(Number.isNaN(out.nums[7]));
    assert.equal(1 in out.sparse, false);
    assert.equal(out.sparse.length, 3);
    assert.equal(out.misc[0], undefined);
    assert.ok(out.err instanceof RangeError);
    assert.equal(out.err.message, 'out of range');
    assert.deepEqual(out.err.cause, { code: 42 });
    assert.equal(out.strings[5], 'lone \ud800 surrogate');
    const invalid = roundTrip(new Date(NaN));
    assert.ok(invalid instanceof Date && Number.isNaN(invalid.getTime()));
  });

  it('gives the same values in another thread', async () => {
    const q = new Queue();
    const a = await Agent.start(q);
    try {
      const v = rich();
      delete v.err; // postMessage back to us would add its own stack handling
      q.syncQ.put(v);
      const seen = await a.call('sync', 'get');
      assert.deepStrictEqual(seen, structuredClone(v));
    } finally {
      await a.stop();
    }
  });

  it("getMany with a custom codec whose decode gets from the same queue: every item of the batch intact", () => {
    let q;
    const side = [];
    const codec = {
      encode: (v) => v,
      decode: (b) => {
        if (b[0] === 1 && q.syncQ.qsize() > 0) side.push(Array.from(q.syncQ.get()));
        return Array.from(b);
      },
    };
    q = new Queue({ codec });
    q.syncQ.put(new Uint8Array([1, 1, 1]));
    q.syncQ.put(new Uint8Array([2, 2, 2]));
    q.syncQ.put(new Uint8Array([3, 3, 3, 3, 3, 3, 3, 3]));
    assert.deepStrictEqual(q.syncQ.getMany(2), [[1, 1, 1], [2, 2, 2]]);
    assert.deepStrictEqual(side, [[3, 3, 3, 3, 3, 3, 3, 3]]);
  });

  it('writes exactly the own enumerable string keys, in Object.keys order: not inherited ones, not non-enumerable ones, not symbols', () => {
    const proto = { inherited: 1 };
    const o = Object.create(proto);
    o.b = 2;
    o[10] = 'ten';
    o[2] = 'two';
    o.a = 3;
    Object.defineProperty(o, 'hidden', { value: 4, enumerable: false });
    o[Symbol('s')] = 5;
    const plain = { z: 1, [1]: 'one', y: 2 };
    Object.prototype.polluted = 'from the prototype'; // an enumerable inherited key on every plain object
    try {
      for (const v of [o, plain, [plain, plain], { nested: o }]) {
        // Twice: the second time a shape's compiled writer writes it.
        for (let i = 0; i < 2; i++) {
          const got = roundTrip(v);
          assert.deepStrictEqual(got, structuredClone(v));
        }
      }
      assert.deepStrictEqual(Object.keys(roundTrip(o)), ['2', '10', 'b', 'a']);
      assert.deepStrictEqual(Object.keys(roundTrip(plain)), ['1', 'z', 'y']);
      assert.equal(Object.hasOwn(roundTrip(plain), 'polluted'), false);
    } finally {
      delete Object.prototype.polluted;
    }
  });

  it('clones a class instance as a plain object of its own properties, as structuredClone does', () => {
    class Point {
      constructor() {
        this.x = 1;
        this.y = [2];
      }
      norm() {
        return 0;
      }
    }
    const q = new Queue();
    q.syncQ.put(new Point());
    const got = q.syncQ.get();
    assert.deepStrictEqual(got, structuredClone(new Point()));
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
  });

  for (const [what, value] of [
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['an object holding a function', { f() {} }],
    ['a WeakMap', new WeakMap()],
    ['a Promise', Promise.resolve()],
    // Host objects: structuredClone copies or refuses them; a pure codec must not send an empty object.
    ['a MessagePort', new MessageChannel().port1],
    ['a Blob', new Blob(['x'])],
    ['a URL', new URL('https://example.org/')],
    ['an object holding a Blob', { file: new Blob(['x']) }],
  ]) {
    it(`refuses ${what} with a TypeError and leaves the queue as it was`, async () => {
      const q = new Queue({ maxsize: 2 });
      q.syncQ.put('first');
      assert.throws(() => q.syncQ.put(value), TypeError);
      assert.throws(() => q.syncQ.putNowait(value), TypeError);
      await assert.rejects(q.asyncQ.put(value), TypeError);
      assert.throws(() => q.asyncQ.putNowait(value), TypeError);
      assert.equal(q.syncQ.qsize(), 1);
      assert.equal(q.syncQ.unfinishedTasks, 1);
      assert.equal(q.syncQ.get(), 'first');
      assert.throws(() => q.syncQ.getNowait());
    });
  }
});

describe('the json codec', () => {
  it('round-trips JSON values', () => {
    const v = { a: [1, 'two', { three: 3 }], b: null, c: true, d: 'ü😀' };
    assert.deepEqual(roundTrip(v, { codec: 'json' }), v);
    assert.equal(new Queue({ codec: 'json' }).handle.codec, 'json');
  });

  it('refuses what JSON cannot carry with a TypeError, queue unchanged', () => {
    const q = new Queue({ codec: 'json' });
    const cyclic = {};
    cyclic.self = cyclic;
    for (const bad of [undefined, () => 1, Symbol('x'), 10n, cyclic]) assert.throws(() => q.syncQ.put(bad), TypeError);
    assert.equal(q.syncQ.qsize(), 0);
    assert.equal(q.syncQ.unfinishedTasks, 0);
  });
});

describe('the bytes codec', () => {
  it('gives back a fresh Uint8Array with the same bytes, not aliasing shared memory or the input', () => {
    const q = new Queue({ codec: 'bytes' });
    const input = new Uint8Array([1, 2, 3, 250]);
    q.syncQ.put(input);
    input[0] = 99; // the queue holds its own copy
    const out = q.syncQ.get();
    assert.ok(out instanceof Uint8Array);
    assert.deepEqual([...out], [1, 2, 3, 250]);
    assert.notEqual(out, input);
    assert.equal(Object.prototype.toString.call(out.buffer), '[object ArrayBuffer]');
    assert.equal(out.byteLength, out.buffer.byteLength);
  });

  it('carries an empty array and one of exactly maxBytes', () => {
    const q = new Queue({ codec: 'bytes', maxBytes: 1000 });
    q.syncQ.put(new Uint8Array(0));
    assert.equal(q.syncQ.get().length, 0);
    const big = new Uint8Array(1000).fill(7);
    q.syncQ.put(big);
    assert.deepEqual(q.syncQ.get(), big);
  });

  it('gives a large item (copied once, straight out of shared memory) a fresh array of exactly its bytes, in every kind of queue and from both faces', async () => {
    // 16 KiB and more goes straight into the array the get returns (src/records.ts takeOne); just below, through the scratch buffer.
    // From 4 KiB on, Node's arrays are made without zeroing (src/codec/intrinsics.ts freshArray): still plain Uint8Arrays, each over a buffer of its own.
    for (const Q of [Queue, LifoQueue, PriorityQueue]) {
      const q = new Q({ codec: 'bytes', maxBytes: 1 << 20 });
      const p = Q === PriorityQueue ? (x) => [0, x] : (x) => x;
      const v = Q === PriorityQueue ? (r) => r[1] : (r) => r;
      for (const n of [4095, 4096, 16383, 16384, 65536 + 3]) {
        const items = [0, 1].map((k) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k + n) & 255));
        q.syncQ.put(p(items[0]));
        await q.asyncQ.put(p(items[1]));
        const got = Q === LifoQueue ? [v(q.syncQ.get()), v(await q.asyncQ.get())].reverse() : [v(q.syncQ.get()), v(await q.asyncQ.get())];
        q.syncQ.putMany(items.map(p));
        got.push(...q.syncQ.getMany(2).map(v));
        if (Q === LifoQueue) got.push(...got.splice(2).reverse());
        for (const [k, out] of got.entries()) {
          assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype, `${Q.name} ${n}: a plain Uint8Array, not a Buffer`);
          assert.equal(Object.prototype.toString.call(out.buffer), '[object ArrayBuffer]', `${Q.name} ${n}`);
          assert.equal(out.byteOffset, 0);
          assert.equal(out.buffer.byteLength, n);
          assert.deepEqual(out, items[k % 2], `${Q.name} ${n} item ${k}`);
        }
        assert.equal(new Set(got.map((x) => x.buffer)).size, got.length);
        got[0].fill(0); // its own: the next put and get see nothing of it
        q.syncQ.put(p(items[0]));
        assert.deepEqual(v(q.syncQ.get()), items[0]);
      }
    }
  });

  it("uses Buffer.allocUnsafeSlow for large gets only where it is Node's or Bun's: not with Deno's global (nor in a browser bundle's polyfill)", async () => {
    // A fresh thread loads the library anew: the Buffer function it finds at load is a spy.
    const { Worker } = await import('node:worker_threads');
    const run = (asDeno) =>
      new Promise((resolve, reject) => {
        const src = `
          const { parentPort, workerData } = require('node:worker_threads');
          if (workerData.asDeno) globalThis.Deno = {};
          let calls = 0;
          const real = Buffer.allocUnsafeSlow;
          Buffer.allocUnsafeSlow = (n) => (calls++, real(n));
          import(workerData.url).then(({ Queue }) => {
            const q = new Queue({ codec: 'bytes', maxBytes: 1 << 20 });
            const item = Uint8Array.from({ length: 65536 }, (_, i) => (i * 13) & 255);
            calls = 0; // from here on, the library's calls (Node's module loader made one)
            q.syncQ.put(item);
            const out = q.syncQ.get();
            parentPort.postMessage({ used: calls > 0, same: out.length === item.length && out.every((b, i) => b === item[i]), plain: Object.getPrototypeOf(out) === Uint8Array.prototype });
          }, (e) => setTimeout(() => { throw e; }));`;
        const w = new Worker(src, { eval: true, workerData: { asDeno, url: import.meta.resolve('janus-queue') } });
        w.once('message', (m) => void w.terminate().then(() => resolve(m)));
        w.once('error', reject);
      });
    assert.deepEqual(await run(false), { used: true, same: true, plain: true }); // Node: captured, used
    assert.deepEqual(await run(true), { used: false, same: true, plain: true }); // a global Deno: not captured
  });

  it('copies with the built-ins as they were at load: a patched typed-array method, getter or species, or a replaced global constructor, runs none of its code in a put or get of any size, view or batch', async () => {
    const TA = Object.getPrototypeOf(Uint8Array.prototype);
    const ran = new Set();
    const patches = [];
    const patch = (target, name) => {
      const d = Object.getOwnPropertyDescriptor(target, name);
      patches.push([target, name, d]);
      // Calls made by the queue's code (the test runner's, between the awaits, are not).
      const spy = (f) => function (...a) {
        if (/janus-queue|[\\/]dist[\\/]/.test(new Error().stack.split('\n').slice(2).join('\n'))) ran.add(String(name));
        return f.apply(this, a);
      };
      Object.defineProperty(target, name, d.get ? { ...d, get: spy(d.get) } : { ...d, value: spy(d.value) });
    };
    const queues = [Queue, LifoQueue, PriorityQueue].map((Q) => [Q, new Q({ codec: 'bytes', maxBytes: 1 << 20 })]);
    const sizes = [16, 200, 1024, 16383, 16384, 65536 + 3];
    const items = sizes.map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 255));
    const got = [];
    try {
      for (const name of ['set', 'subarray', 'slice', 'copyWithin', 'fill', 'buffer', 'byteOffset', 'byteLength', 'length']) patch(TA, name);
      patch(Object.getPrototypeOf(Uint8Array), Symbol.species); // %TypedArray%'s static species
      patch(ArrayBuffer.prototype, 'byteLength');
      if (typeof Buffer === 'function') for (const name of ['allocUnsafe', 'allocUnsafeSlow', 'alloc']) patch(Buffer, name); // Node's unzeroed arrays, from 4 KiB on
      // And the global constructors, replaced by spies (a pooling shim would return views at an offset).
      for (const name of ['Uint8Array', 'Int32Array']) {
        const d = Object.getOwnPropertyDescriptor(globalThis, name);
        patches.push([globalThis, name, d]);
        const Real = d.value;
        const Spy = class extends Real {
          constructor(...a) {
            if (/janus-queue|[\\/]dist[\\/]/.test(new Error().stack.split('\n').slice(2).join('\n'))) ran.add(name);
            super(...a);
          }
        };
        Object.defineProperty(globalThis, name, { ...d, value: Spy });
      }
      for (const [Q, q] of queues) {
        const p = Q === PriorityQueue ? (x) => [0, x] : (x) => x;
        for (const x of items) {
          q.syncQ.put(p(x));
          got.push(q.syncQ.get());
          await q.asyncQ.put(p(x));
          got.push(await q.asyncQ.get());
          if (Q === PriorityQueue) continue; // views: FIFO and LIFO queues only
          q.syncQ.putView(1024, (v) => void (v[0] = 1));
          got.push(q.syncQ.getView((v) => v[0]));
        }
        q.syncQ.putMany(items.map(p));
        got.push(q.syncQ.getMany(items.length));
      }
    } finally {
      for (const [target, name, d] of patches.reverse()) Object.defineProperty(target, name, d);
    }
    assert.deepEqual([...ran], []);
    // The default codec too, with items that make its scratch buffer grow and new shapes.
    const sq = new Queue({ maxBytes: 1 << 20 });
    const values = [{ a: 1, b: 'x' }, { a: 2, b: 'y'.repeat(5000) }, { k: 3, s: 'z', n: [1, 2.5, -0, null] }, new ArrayBuffer(40), 'é'.repeat(3000)];
    const back = [];
    const restore = [];
    try {
      for (const name of ['Uint8Array', 'Int32Array']) {
        const d = Object.getOwnPropertyDescriptor(globalThis, name);
        restore.push([name, d]);
        const Real = d.value;
        // A pooling shim: every array it makes is a view at an offset into a larger buffer.
        const Pooled = function (...a) {
          if (/janus-queue|[\\/]dist[\\/]/.test(new Error().stack.split('\n').slice(2).join('\n'))) ran.add(`${name} (default codec)`);
          if (typeof a[0] !== 'number') return new Real(...a);
          return new Real(new ArrayBuffer(a[0] * Real.BYTES_PER_ELEMENT + 64), 64, a[0]);
        };
        Object.defineProperty(globalThis, name, { ...d, value: Pooled });
      }
      for (const v of values) {
        sq.syncQ.put(v);
        back.push(sq.syncQ.get());
      }
    } finally {
      for (const [name, d] of restore) Object.defineProperty(globalThis, name, d);
    }
    assert.deepEqual(back, values);
    assert.deepEqual([...ran], []);
    // And the items came through.
    let k = 0;
    for (const [Q] of queues) {
      const v = Q === PriorityQueue ? (r) => r[1] : (r) => r;
      for (const x of items) {
        assert.deepEqual(v(got[k++]), x, `${Q.name} ${x.length}`);
        assert.deepEqual(v(got[k++]), x);
        if (Q !== PriorityQueue) assert.equal(got[k++], 1);
      }
      const many = got[k++].map(v);
      assert.deepEqual(Q === LifoQueue ? many.reverse() : many, items);
    }
  });

  it('refuses anything but a Uint8Array with a TypeError', async () => {
    const q = new Queue({ codec: 'bytes' });
    for (const bad of ['str', [1, 2], new Int8Array(2), new ArrayBuffer(2), null]) {
      assert.throws(() => q.syncQ.put(bad), TypeError);
      await assert.rejects(q.asyncQ.put(bad), TypeError);
    }
    assert.equal(q.syncQ.qsize(), 0);
  });
});

describe('the string codec', () => {
  it('round-trips every string exactly, lone surrogates included', () => {
    // Short and long (the encoder takes another path past 32 chars), each well formed or not.
    const long = ['日本語'.repeat(20), '😀'.repeat(40), 'x'.repeat(40) + '\ud800' + 'y'.repeat(40), '\udc00' + 'z'.repeat(60), 'é'.repeat(33)];
    for (const s of ['', 'plain', 'ünï', '😀', '\udc00x\ud800', 'a'.repeat(5000) + 'é', ...long]) {
      assert.equal(roundTrip(s, { codec: 'string' }), s);
      assert.equal(roundTrip({ s }, {}).s, s);
    }
  });

  it('round-trips strings of every length up to 40, all ASCII or with one other char at each place (the decoder reads short ASCII itself)', () => {
    const q = new Queue({ maxsize: 0 });
    for (let n = 0; n <= 40; n++) {
      const ascii = Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join('');
      const strings = [ascii];
      for (let i = 0; i < n; i++) for (const c of ['\u0080', 'é', '日', '\ud800']) strings.push(ascii.slice(0, i) + c + ascii.slice(i + 1));
      for (const s of strings) {
        assert.equal(roundTrip(s, { codec: 'string' }), s);
        // In an object of a known shape (read by the shape's function) and alone.
        for (let k = 0; k < 2; k++) {
          q.syncQ.put({ s, k });
          assert.equal(q.syncQ.get().s, s);
        }
        q.syncQ.put(s);
        assert.equal(q.syncQ.get(), s);
      }
    }
  });

  it('takes strings only: no coercion', () => {
    const q = new Queue({ codec: 'string' });
    for (const bad of [1, null, undefined, { toString: () => 'x' }, Object('boxed')]) assert.throws(() => q.syncQ.put(bad), TypeError);
    assert.equal(q.syncQ.qsize(), 0);
  });
});

describe('a custom codec', () => {
  it('is used at construction and must be given again at attach', () => {
    const q = new Queue({ codec: CODECS.upper });
    assert.equal(q.handle.codec, 'custom');
    assert.throws(() => Queue.attach(q.handle), { name: 'TypeError', message: /custom codec/ });
    const other = Queue.attach(q.handle, { codec: CODECS.upper });
    q.syncQ.put('hello');
    assert.equal(other.syncQ.get(), 'HELLO');
  });

  it('works across threads when the worker gives it too', async () => {
    const q = new Queue({ codec: CODECS.upper });
    const a = await Agent.start(q, { codec: 'upper' });
    try {
      await a.call('sync', 'put', 'from worker');
      assert.equal(await q.asyncQ.get(), 'FROM WORKER');
    } finally {
      await a.stop();
    }
  });

  it('decode gets a fresh copy it may keep', () => {
    const kept = [];
    const q = new Queue({ codec: { encode: (b) => b, decode: (b) => (kept.push(b), b) } });
    q.syncQ.put(new Uint8Array([1]));
    q.syncQ.put(new Uint8Array([2]));
    q.syncQ.get();
    q.syncQ.get();
    assert.deepEqual(kept.map((b) => b[0]), [1, 2]);
    assert.notEqual(kept[0].buffer, kept[1].buffer);
  });

  it('an encode that does not return a Uint8Array is a TypeError, queue unchanged', () => {
    const q = new Queue({ codec: { encode: () => 'nope', decode: (b) => b } });
    assert.throws(() => q.syncQ.put(1), TypeError);
    assert.equal(q.syncQ.qsize(), 0);
  });
});

describe('item size', () => {
  it('an item larger than maxBytes is a RangeError at once, never a block, and changes nothing', async () => {
    const q = new Queue({ codec: 'bytes', maxBytes: 64 });
    q.syncQ.put(new Uint8Array(10));
    const big = new Uint8Array(65);
    assert.throws(() => q.syncQ.put(big), RangeError); // would block forever if it waited
    assert.throws(() => q.syncQ.put(big, { timeout: Infinity }), RangeError);
    await assert.rejects(q.asyncQ.put(big), RangeError);
    assert.throws(() => q.asyncQ.putNowait(big), RangeError);
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.unfinishedTasks, 1);
  });

  it('on a shut-down queue, put says QueueShutDown before looking at the item', () => {
    const q = new Queue({ codec: 'bytes', maxBytes: 8 });
    q.shutdown();
    assert.throws(() => q.syncQ.put(new Uint8Array(100)), QueueShutDown);
    assert.throws(() => q.syncQ.put('not bytes'), QueueShutDown);
  });
});

describe('priority items', () => {
  it('must be [number, value] pairs with a priority other than NaN', async () => {
    const q = new PriorityQueue();
    for (const bad of [1, [1], [1, 2, 3], ['1', 'x'], [NaN, 'x'], null]) {
      assert.throws(() => q.syncQ.put(bad), TypeError);
      await assert.rejects(q.asyncQ.put(bad), TypeError);
    }
    assert.equal(q.syncQ.qsize(), 0);
    q.syncQ.put([Infinity, 'last']);
    q.syncQ.put([-Infinity, 'first']);
    q.syncQ.put([0.5, 'middle']);
    assert.deepEqual([q.syncQ.get(), q.syncQ.get(), q.syncQ.get()], [[-Infinity, 'first'], [0.5, 'middle'], [Infinity, 'last']]);
  });

  it('keep their value codec: bytes values come back as fresh arrays with their priority', () => {
    const q = new PriorityQueue({ codec: 'bytes' });
    q.syncQ.put([2, new Uint8Array([2])]);
    q.syncQ.put([1, new Uint8Array([1])]);
    const [p, v] = q.syncQ.get();
    assert.equal(p, 1);
    assert.deepEqual([...v], [1]);
  });

  it('reuse the room of items taken from the middle (compaction) without losing any', () => {
    const q = new PriorityQueue({ codec: 'bytes', maxBytes: 256 });
    const sizes = [];
    let next = 0;
    const seen = new Set();
    for (let round = 0; round < 300; round++) {
      try {
        for (;;) {
          q.syncQ.putNowait([(next * 7919) % 13, new Uint8Array([next & 255, (next >> 8) & 255])]);
          sizes.push(next++);
        }
      } catch {}
      const [, v] = q.syncQ.getNowait();
      seen.add(v[0] | (v[1] << 8));
    }
    while (!q.syncQ.empty()) {
      const [, v] = q.syncQ.getNowait();
      seen.add(v[0] | (v[1] << 8));
    }
    assert.equal(seen.size, next);
  });
});
