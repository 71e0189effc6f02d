// The default codec trusts nothing it can read through user code: values
// that lie about themselves (own length/size/buffer properties, replaced
// iterators, getters that change the value or put into the same queue while
// it is encoded) come back as structuredClone gives them, or are refused
// before the queue changes; and what one thread could put, every thread can
// get (an explicit depth limit that both sides honour).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { Queue } from 'janus-queue';
import { within } from './helpers/bounded.mjs';

function roundTrip(value, q = new Queue()) {
  q.syncQ.put(value);
  return q.syncQ.get();
}

const lie = (o, props) => {
  for (const [k, v] of Object.entries(props)) Object.defineProperty(o, k, { value: v, enumerable: false, configurable: true });
  return o;
};

describe('values that lie about themselves', () => {
  it('typed arrays and DataViews with own length, byteOffset, byteLength and buffer properties come back as structuredClone gives them', () => {
    const buf = new ArrayBuffer(16);
    new Uint8Array(buf).forEach((_, i, a) => (a[i] = i));
    const values = [
      lie(new Uint8Array(buf, 4, 4), { length: 1000, byteOffset: 0, byteLength: 1, buffer: new ArrayBuffer(2) }),
      lie(new Int16Array(buf, 2, 3), { length: 0 }),
      lie(new DataView(buf, 3, 5), { byteLength: 16, byteOffset: 0, buffer: new ArrayBuffer(1) }),
      lie(new Float64Array(2), { length: 99 }),
    ];
    for (const v of values) {
      const got = roundTrip(v);
      const want = structuredClone(v);
      assert.equal(Object.prototype.toString.call(got), Object.prototype.toString.call(want));
      assert.deepEqual(new Uint8Array(got.buffer), new Uint8Array(want.buffer));
      const proto = got instanceof DataView ? DataView.prototype : Object.getPrototypeOf(Uint8Array.prototype);
      for (const slot of ['byteOffset', 'byteLength']) assert.equal(Reflect.get(proto, slot, got), Reflect.get(proto, slot, want), slot);
    }
  });

  it('Maps and Sets with own size properties, replaced iterators and replaced entries come back whole', () => {
    const inner = lie(new Set(['a', 'b']), { size: 1 });
    const outer = lie(new Set([inner, 'c']), { size: 7 });
    const got = roundTrip(outer);
    assert.deepEqual(got, structuredClone(outer));
    assert.deepEqual([...[...got][0]], ['a', 'b']);
    const m = new Map([[1, 'one'], [2, 'two']]);
    lie(m, { size: 0, entries: () => [][Symbol.iterator](), [Symbol.iterator]: () => [][Symbol.iterator](), forEach() {} });
    assert.deepEqual([...roundTrip(m)], [[1, 'one'], [2, 'two']]);
  });

  it('a getter that changes a Map while it is encoded cannot make its count lie', () => {
    const m = new Map();
    m.set('a', { get x() { m.set('late', 1); return 1; } });
    const got = roundTrip(m);
    assert.deepEqual([...got.keys()], [...structuredClone(new Map([['a', { x: 1 }], ['late', 1]])).keys()]);
  });

  it('a getter that deletes a later key: the key is left out, as structuredClone leaves it', () => {
    const make = () => ({ get a() { delete this.b; return 1; }, b: 2, c: 3 });
    for (let i = 0; i < 3; i++) assert.deepEqual(roundTrip(make()), structuredClone(make()));
    // Through one queue: the shape's functions are made, and each item is of the last item's shape.
    const q = new Queue();
    for (let i = 0; i < 4; i++) assert.deepEqual(roundTrip({ a: 0, b: 2, c: 3 }, q), { a: 0, b: 2, c: 3 });
    for (let i = 0; i < 4; i++) {
      const got = roundTrip(make(), q);
      assert.deepEqual(got, structuredClone(make()));
      assert.deepEqual(Object.keys(got), ['a', 'c']);
    }
  });

  it("a getter that deletes a later key the prototype also has: the key is left out and the prototype's value (or getter) is never read", () => {
    const many = (o) => {
      for (let i = 0; i < 70; i++) o[`k${i}`] = i; // more keys than a shape holds: written key by key
      return o;
    };
    const makers = [
      // Object.prototype has toString: the deleted own one must not become the inherited function.
      () => ({ get a() { delete this.toString; return 1; }, toString: 2 }),
      () => many({ get a() { delete this.valueOf; return 1; }, valueOf: 2 }),
      // An object of no prototype.
      () =>
        Object.create(null, {
          a: { get() { delete this.b; return 1; }, enumerable: true, configurable: true },
          b: { value: 2, enumerable: true, configurable: true, writable: true },
        }),
    ];
    for (const make of makers) for (let i = 0; i < 3; i++) assert.deepEqual(roundTrip(make()), structuredClone(make()));

    // A polluted Object.prototype, and a class whose prototype has a getter of the deleted key.
    Object.prototype.polluted = 7;
    try {
      for (let i = 0; i < 3; i++) {
        const p = { get a() { delete this.polluted; return 1; }, polluted: 2 };
        assert.deepEqual(roundTrip(p), { a: 1 });
      }
    } finally {
      delete Object.prototype.polluted;
    }
    let inheritedRead = 0;
    class C {
      constructor() {
        Object.defineProperty(this, 'a', { get: () => (delete this.b, 1), enumerable: true, configurable: true });
        Object.defineProperty(this, 'b', { value: 2, enumerable: true, configurable: true, writable: true });
      }
      get b() {
        inheritedRead++;
        return 'inherited';
      }
    }
    for (let i = 0; i < 3; i++) assert.deepEqual(roundTrip(new C()), structuredClone(new C()));
    assert.equal(inheritedRead, 0);
  });

  it('a getter that puts into the same queue while its item is encoded: both items arrive intact', () => {
    const q = new Queue();
    const outer = { first: 'x'.repeat(50), get middle() { q.syncQ.put({ inner: 'y'.repeat(40), n: [1, 2, 3] }); return 'm'; }, last: 'z'.repeat(30) };
    q.syncQ.put(outer);
    assert.deepEqual(q.syncQ.get(), { inner: 'y'.repeat(40), n: [1, 2, 3] });
    assert.deepEqual(q.syncQ.get(), { first: 'x'.repeat(50), middle: 'm', last: 'z'.repeat(30) });
  });

  it('a Symbol.toStringTag does not change what an object is: a Date that says "Object" is a Date, a plain object that says "Blob" is a plain object', () => {
    const d = new Date(5);
    Object.defineProperty(d, Symbol.toStringTag, { value: 'Object' });
    assert.ok(roundTrip(d) instanceof Date);
    assert.equal(roundTrip(d).getTime(), 5);
    const o = { x: 1, [Symbol.toStringTag]: 'Blob' };
    assert.deepEqual(roundTrip(o), structuredClone(o));
    // A tag that names another built-in: that brand's check fails, and the real one is found.
    const m = new Date(7);
    Object.defineProperty(m, Symbol.toStringTag, { value: 'Map' });
    assert.ok(roundTrip(m) instanceof Date);
    assert.equal(roundTrip(m).getTime(), 7);
    const s = new Set([1]);
    Object.defineProperty(s, Symbol.toStringTag, { value: 'Date' });
    assert.deepEqual(roundTrip(s), new Set([1]));
  });

  it('without a global SharedArrayBuffer (as the Redis queue may run), an object that says it is one, and a real one from shared wasm memory, are refused by the codec, not by a crash', () => {
    const internal = new URL('../dist/internal.js', import.meta.url).href;
    // The global removed before the codec loads (a runtime without it; Node
    // 22 and later have no flag for that).
    const script = `
      delete globalThis.SharedArrayBuffer;
      const { makeCodec } = await import(${JSON.stringify(internal)});
      const c = makeCodec('structured');
      class Thing { x = 1; get [Symbol.toStringTag]() { return 'SharedArrayBuffer'; } }
      const shared = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer;
      const out = [typeof SharedArrayBuffer];
      for (const v of [new Thing(), shared]) {
        try { c.encode(v, 1 << 20); out.push('encoded'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
      }
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    const refusal = 'TypeError: janus-queue: the structured codec cannot encode a SharedArrayBuffer (as structuredClone cannot)';
    assert.deepEqual(out, ['undefined', refusal, refusal]);
  });

  it('with Error.stackTraceLimit that cannot be changed (a frozen Error), values whose tag lies still round-trip', () => {
    const internal = new URL('../dist/internal.js', import.meta.url).href;
    const script = `
      Object.defineProperty(Error, 'stackTraceLimit', { value: 10, writable: false, configurable: false });
      const { makeCodec } = await import(${JSON.stringify(internal)});
      const c = makeCodec('structured');
      const d = new Date(7);
      Object.defineProperty(d, Symbol.toStringTag, { value: 'Map' });
      const s = new Set([1]);
      Object.defineProperty(s, Symbol.toStringTag, { value: 'Date' });
      const got = [d, s].map((v) => c.decode(c.encode(v, 1 << 20)));
      console.log(JSON.stringify([got[0] instanceof Date && got[0].getTime(), got[1] instanceof Set && [...got[1]], Error.stackTraceLimit]));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    assert.deepEqual(out, [7, [1], 10]);
  });

  it('resizable ArrayBuffers keep resizable and maxByteLength, as structuredClone keeps them', () => {
    const b = new ArrayBuffer(4, { maxByteLength: 64 });
    new Uint8Array(b).set([1, 2, 3, 4]);
    const got = roundTrip(b);
    assert.equal(got.resizable, true);
    assert.equal(got.maxByteLength, 64);
    assert.deepEqual([...new Uint8Array(got)], [1, 2, 3, 4]);
    assert.equal(roundTrip(new ArrayBuffer(3)).resizable, false);
  });
});

describe('shapes: objects of a repeated key list', () => {
  it('round-trip across many shapes, repeated and new, with unusual keys', () => {
    const q = new Queue();
    const keysets = [['id', 'name'], ['__proto__', 'x'], ['ü', '日本', ''], ['0', '1', 'a'], ['constructor', 'toString'], Array.from({ length: 70 }, (_, i) => `k${i}`), ['a'.repeat(300)]];
    for (let round = 0; round < 3; round++) {
      for (const keys of keysets) {
        const o = {};
        for (const [i, k] of keys.entries()) Object.defineProperty(o, k, { value: i * round, enumerable: true, writable: true, configurable: true });
        const got = roundTrip(o, q);
        assert.deepEqual(Object.keys(got), Object.keys(o));
        assert.equal(Object.getPrototypeOf(got), Object.prototype);
        for (const k of keys) assert.equal(Object.getOwnPropertyDescriptor(got, k)?.value, o[k]);
      }
    }
  });

  it("a value that grows the encoder's buffer in the middle of an object of a known shape keeps what was written before it", () => {
    const q = new Queue({ maxBytes: 8 << 20 });
    // Sizes that cross the scratch buffer's doublings; values after the big one are fixed-size, strings and objects.
    for (const size of [200, 300, 600, 5000, 70000, 300000, 1 << 21]) {
      for (let i = 0; i < 3; i++) {
        const v = { n: i, big: 'é'.repeat(size), after: 7 + i, f: 1.5, s: 'short', o: { k: i, big: 'x'.repeat(size) }, last: 300 + i };
        assert.deepEqual(roundTrip(v, q), v);
        const arr = { n: i, list: [{ a: 1, big: 'y'.repeat(size), b: 2 }, { a: 1, big: 'z', b: 2 }], after: -i };
        assert.deepEqual(roundTrip(arr, q), arr);
      }
    }
  });

  it('an object of a known shape is decoded from its own bytes only: each of its shorter prefixes, followed by other bytes, is a TypeError', async () => {
    const { makeCodec } = await import(new URL('../dist/internal.js', import.meta.url).href);
    const c = makeCodec('structured');
    const make = (i) => ({ id: i, small: 200, name: `item-${i}`, long: 'é'.repeat(90), nested: { id: -i, s: 'x' } });
    // The shapes' functions are made at their second use.
    for (let i = 0; i < 3; i++) assert.deepEqual(c.decode(c.encode(make(i), 1 << 20).slice()), make(i));
    const bytes = c.encode(make(70000), 1 << 20).slice();
    // Whatever follows the prefix in the buffer: what the next item would start with, or a byte of every value.
    for (const fill of [7, 0, 4, 26, 255]) {
      const buf = new Uint8Array(bytes.length + 64).fill(fill);
      for (let len = 0; len < bytes.length; len++) {
        buf.set(bytes.subarray(0, len));
        assert.throws(() => c.decode(buf, len), (e) => e instanceof TypeError && /janus-queue: (truncated or )?corrupted/.test(e.message), `prefix of ${len} bytes, then ${fill}s`);
      }
      buf.set(bytes);
      assert.deepEqual(c.decode(buf, bytes.length), make(70000));
    }
  });

  it('an item of the last shape decodes the same from every byte offset, in buffers that start on any byte', async () => {
    const { makeCodec } = await import(new URL('../dist/internal.js', import.meta.url).href);
    const c = makeCodec('structured');
    const make = (i) => ({ id: i, name: `item-${i}`, payload: 'x'.repeat(64), ok: true });
    const backing = new Uint8Array(4096);
    for (let i = 0; i < 40; i++) {
      const bytes = c.encode(make(i), 1 << 20).slice();
      const misaligned = i % 4;
      const buf = new Uint8Array(backing.buffer, misaligned, 1024);
      for (let start = 0; start < 8; start++) {
        buf.fill(i);
        buf.set(bytes, start);
        // Twice from the same buffer: the second decode reads it as words where it can.
        assert.deepEqual(c.decode(buf, bytes.length, start), make(i));
        assert.deepEqual(c.decode(buf, bytes.length, start), make(i));
      }
    }
  });

  it('keeps cycles and shared references through objects of a known shape', () => {
    for (let i = 0; i < 3; i++) {
      const a = { id: i, self: null, peer: null };
      const b = { id: i + 1, self: null, peer: a };
      a.self = a;
      a.peer = b;
      const got = roundTrip({ a, b });
      assert.equal(got.a.self, got.a);
      assert.equal(got.a.peer, got.b);
      assert.equal(got.b.peer, got.a);
    }
  });

  it('an item of the shape written last refers back to itself from its values, directly, in an array, in a Map and in a nested object', () => {
    const q = new Queue();
    const makers = [
      (i) => { const o = { id: i, self: null }; o.self = o; return [o, (g) => g.self === g]; },
      (i) => { const o = { id: i, list: [] }; o.list.push(1, o); return [o, (g) => g.list[1] === g]; },
      (i) => { const o = { id: i, m: new Map() }; o.m.set('me', o); return [o, (g) => g.m.get('me') === g]; },
      (i) => { const o = { id: i, child: { up: null, n: 1 }, n: 2 }; o.child.up = o; return [o, (g) => g.child.up === g && g.n === 2]; },
      // A later value refers to an object written earlier in the item.
      (i) => { const shared = { k: i }; return [{ id: i, a: shared, b: shared }, (g) => g.a === g.b]; },
    ];
    for (const make of makers) {
      // Flat items of the same keys first (the shape's function is made and is the last at the top), then the cyclic one.
      for (let i = 0; i < 4; i++) {
        const [o, check] = make(i);
        const got = roundTrip(o, q);
        assert.ok(check(got), `${make} ${i}`);
      }
    }
  });

  it('an object whose keys differ from the last shape written at its depth (a prefix, more keys, another order, one key changed, none) comes back with its own keys', () => {
    const q = new Queue();
    const variants = [{ a: 1, b: 2 }, { a: 1, b: 2, c: 3, d: 4 }, { b: 2, a: 1, c: 3 }, { a: 1, b: 2, x: 3 }, {}, { 0: 'i', a: 1, b: 2, c: 3 }];
    const depths = [
      [(o) => o, (got) => got],
      [(o) => ({ outer: o, list: [o] }), (got) => got.outer],
    ];
    for (const [make, inner] of depths) {
      for (const v of variants) {
        // The shape { a, b, c } becomes the last one at this depth (its writer is made at the second).
        for (let i = 0; i < 3; i++) assert.deepEqual(roundTrip(make({ a: i, b: 2, c: 3 }), q), make({ a: i, b: 2, c: 3 }));
        const got = roundTrip(make(v), q);
        assert.deepEqual(got, structuredClone(make(v)));
        assert.deepEqual(Object.keys(inner(got)), Object.keys(v));
      }
    }
  });

  it('objects of shapes whose key blocks are the same length and differ in one byte, alternating and nested, each come back with their own keys', () => {
    const q = new Queue();
    const makers = [(i) => ({ ab: i, cd: 'x' }), (i) => ({ ab: i, ce: 'x' }), (i) => ({ ba: i, cd: 'x' }), (i) => ({ ab: i, cd: 'x', e: 1 })];
    // Items of each shape in turn: each compared with the last item's shape.
    for (let i = 0; i < 12; i++) {
      const v = makers[i % 3](i);
      assert.deepEqual(JSON.stringify(roundTrip(v, q)), JSON.stringify(v));
    }
    for (let i = 0; i < 20; i++) {
      const make = makers[i % makers.length];
      const other = makers[(i * 3 + 1) % makers.length];
      for (const v of [make(i), { a: make(i), b: other(i) }, [other(i), make(i)]]) {
        const got = roundTrip(v, q);
        assert.deepEqual(got, v);
        assert.deepEqual(JSON.stringify(got), JSON.stringify(v));
      }
    }
  });

  it("with an enumerable key added to Object.prototype, an object that lacks it (or has it not enumerable) comes back without it, whether or not the key is the last shape's", () => {
    const q = new Queue();
    const hidden = (o, k, v) => Object.defineProperty(o, k, { value: v, enumerable: false, configurable: true, writable: true });
    for (const key of ['c', 'zz']) {
      // for-in lists { a, b } as a, b, then the inherited key: for 'c', exactly the last shape's keys.
      const variants = [() => ({ a: 1, b: 2 }), () => ({ a: 1, b: 2, c: 'own' }), () => hidden({ a: 1, b: 2 }, key, 'hidden'), () => ({ b: 2, a: 1 })];
      for (const nest of [(o) => o, (o) => ({ outer: o })]) {
        for (const make of variants) {
          for (let i = 0; i < 3; i++) assert.deepEqual(roundTrip(nest({ a: i, b: 2, c: 3 }), q), nest({ a: i, b: 2, c: 3 }));
          Object.prototype[key] = 'polluted';
          let got;
          let want;
          try {
            got = roundTrip(nest(make()), q);
            want = structuredClone(nest(make()));
          } finally {
            delete Object.prototype[key];
          }
          assert.deepEqual(got, want);
          const inner = (o) => ('outer' in o ? o.outer : o);
          assert.deepEqual(Object.keys(inner(got)), Object.keys(inner(want)));
          assert.equal(Object.hasOwn(inner(got), key), Object.hasOwn(inner(want), key));
        }
      }
    }
  });

  it("with an enumerable key added to Object.prototype, a getter that makes that key own does not add it: the keys are listed before any value is read", () => {
    const q = new Queue();
    Object.prototype.b = 'polluted';
    try {
      for (const nest of [(o) => o, (o) => ({ o })]) {
        // { a, b } becomes the last shape at this depth.
        for (let i = 0; i < 3; i++) assert.deepEqual(roundTrip(nest({ a: 1, b: 2 }), q), nest({ a: 1, b: 2 }));
        const make = () => nest({ get a() { this.b = 5; return 1; } });
        const got = roundTrip(make(), q);
        const want = structuredClone(make());
        assert.deepEqual(JSON.stringify(got), JSON.stringify(want));
        const inner = 'o' in got && Object.hasOwn(got, 'o') ? got.o : got;
        assert.equal(Object.hasOwn(inner, 'b'), false);
      }
    } finally {
      delete Object.prototype.b;
    }
  });

  it("a Proxy's keys are listed once per put, whether or not they are the last shape's", () => {
    const q = new Queue();
    for (const target of [{ a: 1, b: 2, c: 3 }, { a: 1, b: 2, z: 3 }, { a: 1 }]) {
      for (let i = 0; i < 3; i++) roundTrip({ a: i, b: 2, c: 3 }, q);
      let listed = 0;
      const p = new Proxy(target, { ownKeys: (t) => (listed++, Reflect.ownKeys(t)) });
      assert.deepEqual(roundTrip(p, q), { ...target });
      assert.equal(listed, 1);
    }
  });

  it('objects used as dictionaries (a new key set each time) round-trip', () => {
    const q = new Queue();
    for (let i = 0; i < 5000; i++) assert.deepEqual(roundTrip({ [`user${i}`]: i, [`x${i % 7}`]: 'v' }, q), { [`user${i}`]: i, [`x${i % 7}`]: 'v' });
  });
});

describe('depth: what one thread can put, every thread can get', () => {
  const nest = (n) => {
    let v = { leaf: true };
    for (let i = 0; i < n; i++) v = { child: v };
    return v;
  };

  it('refuses a value nested more than 1000 deep with a RangeError, the queue unchanged', () => {
    assert.deepEqual(roundTrip(nest(999)), nest(999));
    const q = new Queue({ maxsize: 2 });
    q.syncQ.put('first');
    assert.throws(() => q.syncQ.put(nest(1001)), (e) => e instanceof RangeError && /nested more than 1000 deep/.test(e.message));
    assert.equal(q.syncQ.qsize(), 1);
    let deepArrays = [];
    for (let i = 0; i < 2000; i++) deepArrays = [deepArrays];
    assert.throws(() => q.syncQ.put(deepArrays), RangeError);
    assert.equal(q.syncQ.get(), 'first');
    assert.equal(q.syncQ.qsize(), 0);
  });

  it('a 1000-deep value put by a worker with a large stack is got by a worker with a 1 MB stack', async () => {
    const q = new Queue();
    const src = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { Queue } = require(${JSON.stringify(require.resolve('janus-queue'))});
      const q = Queue.attach(workerData.handle);
      if (workerData.role === 'put') {
        let v = { leaf: true };
        for (let i = 1; i < 1000; i++) v = { child: v }; // 1000 objects deep
        q.syncQ.put(v);
        let refused = '';
        try { let w = v; for (let i = 0; i < 5000; i++) w = { child: w }; q.syncQ.put(w); } catch (e) { refused = e.name; }
        parentPort.postMessage(refused);
      } else {
        let v = q.syncQ.get();
        let depth = 0;
        while (v.child) { v = v.child; depth++; }
        parentPort.postMessage(depth);
      }`;
    const run = (role, stackSizeMb) =>
      within(new Promise((resolve, reject) => {
        const w = new Worker(src, { eval: true, workerData: { handle: q.handle, role }, resourceLimits: { stackSizeMb } });
        w.once('message', resolve);
        w.once('error', reject);
      }).finally(() => {}), `${role} worker`);
    assert.equal(await run('put', 64), 'RangeError');
    assert.equal(await run('get', 1), 999); // 1 MB: a quarter of a Node worker's default, about the main thread's
  });
});

import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
