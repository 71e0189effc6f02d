// A buffer that another thread scribbled on: the cases the fuzzing found,
// each pinned. Before src/integrity.ts these looped for ever (a waiter list
// with a cycle grew the notify list until V8 aborted the process), read out
// of bounds (raw RangeErrors of typed arrays), took garbage for a shutdown
// flag, or left an unhandled rejection in a pump. White-box: the word indices
// mirror src/layout.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
import { within } from './helpers/bounded.mjs';
import { GETTERS, untilWaiters } from './helpers/waiters.mjs';
import { isClearError, isCorrupted } from './fuzz/clear.mjs';
import { rng } from './stress/rng.mjs';

const W = { LOCK: 16, COUNT: 32, HEAD: 33, TAIL: 34, LAST: 35, DEAD: 36, UNFINISHED: 37, SHUTDOWN: 38, FREE_SLOT: 39, LIST_HEAD: 40, LIST_TAIL: 43, USED: 46, ABASE: 47 };
const SLOT_BASE = 48;
const SLOT_WORDS = 16;
// After the 128 slots and the undo journal (src/layout.ts: J_ENTRIES + 2 * J_CAP words).
const ARENA_OFFSET = (SLOT_BASE + 128 * SLOT_WORDS + 16 + 2 * 1024) * 4;
const CLASSES = [
  ['Queue', Queue, (i) => `v${i}`],
  ['LifoQueue', LifoQueue, (i) => `v${i}`],
  ['PriorityQueue', PriorityQueue, (i) => [i % 2, `v${i}`]],
];

function filled(C, item, n = 3) {
  const q = new C({ maxBytes: 512, maxsize: 8, codec: 'json' });
  for (let i = 0; i < n; i++) q.syncQ.putNowait(item(i));
  return q;
}

/** Values no lock holder ever leaves in each word. */
const IMPOSSIBLE = {
  COUNT: [-1, 9, 1e6],
  HEAD: [-8, 5, 1e6],
  TAIL: [-8, 3, 1e6],
  LAST: [-2, 7, 1e6],
  DEAD: [-1, 1e6],
  UNFINISHED: [-1, -0x80000000],
  SHUTDOWN: [2, -1],
  USED: [-1, 1e6],
  ABASE: [8, -8, 1e6], // the arena half in use: 0, or (a PriorityQueue after a compaction) the arena size
};
/** Slot links, checked where they are read: by a call that registers a waiter, and by shutdown's walk. */
const IMPOSSIBLE_LINKS = {
  FREE_SLOT: [-2, 128, 1e6],
  LIST_HEAD: [-2, 128],
  LIST_TAIL: [-2, 128, 0],
};

describe('a scribbled buffer: a clear "corrupted" TypeError, the lock left free, and no loop', () => {
  for (const [name, C, item] of CLASSES) {
    it(`${name}: impossible values in each state word`, () => {
      for (const [word, values] of Object.entries(IMPOSSIBLE)) {
        for (const v of values) {
          for (const op of ['getNowait', 'putNowait', 'shutdown', 'taskDone', 'getMany']) {
            const q = filled(C, item);
            const w = new Int32Array(q.handle.buffer);
            w[W[word]] = v;
            const f = { getNowait: () => q.syncQ.getNowait(), putNowait: () => q.syncQ.putNowait(item(9)), shutdown: () => q.shutdown(true), taskDone: () => q.syncQ.taskDone(), getMany: () => q.syncQ.getMany(5, { block: false }) }[op];
            assert.throws(f, isCorrupted, `${word} = ${v}, ${op}`);
            assert.equal(Atomics.load(w, W.LOCK), 0, `${word} = ${v}, ${op}: the lock is free`);
          }
        }
      }
    });

    it(`${name}: impossible slot links, met by a call that waits and by shutdown`, () => {
      for (const [word, values] of Object.entries(IMPOSSIBLE_LINKS)) {
        for (const v of values) {
          const q = new C({ maxBytes: 512 });
          const w = new Int32Array(q.handle.buffer);
          w[W[word]] = v;
          assert.throws(() => q.syncQ.get({ timeout: 1 }), isCorrupted, `${word} = ${v}, a get that waits`);
          assert.equal(Atomics.load(w, W.LOCK), 0);
          if (word === 'LIST_HEAD') assert.throws(() => q.shutdown(), isCorrupted, `${word} = ${v}, shutdown`);
        }
      }
    });

    it(`${name}: a record header with a size, length or flags no put writes`, () => {
      for (const [field, v] of [[0, 5], [0, -1], [0, 1 << 20], [4, -1], [4, 1 << 20], [4, 40], [12, 7], [12, 0], [8, 3]]) {
        const q = filled(C, item, 1);
        const w = new Int32Array(q.handle.buffer);
        w[(ARENA_OFFSET + 0 + field) >> 2] = v; // the only record is at arena offset 0
        assert.throws(() => q.syncQ.getNowait(), isCorrupted, `record word +${field} = ${v}`);
        assert.equal(Atomics.load(w, W.LOCK), 0);
      }
    });
  }

  it('a waiter list that is a cycle: shutdown refuses instead of signalling for ever (it used to abort the process)', () => {
    const q = filled(Queue, (i) => i);
    const w = new Int32Array(q.handle.buffer);
    w[W.LIST_HEAD + GETTERS] = 0;
    w[W.LIST_TAIL + GETTERS] = 0;
    w[SLOT_BASE + 1] = 0; // slot 0's S_NEXT: itself
    w[SLOT_BASE + 2] = 0; // and S_PREV
    assert.throws(() => q.shutdown(), isCorrupted);
    assert.equal(Atomics.load(w, W.LOCK), 0);
  });

  for (const [name, C] of [['Queue', Queue], ['LifoQueue', LifoQueue]]) {
    it(`${name}: a getMany that meets a scribbled record after taking one item fails and changes nothing (its section is undone)`, () => {
      const q = filled(C, (i) => `v${i}`, 3);
      const w = new Int32Array(q.handle.buffer);
      const second = w[ARENA_OFFSET >> 2]; // the middle record starts where the first ends
      const flags = (ARENA_OFFSET + second + 12) >> 2;
      w[flags] = 7;
      const before = new Int32Array(q.handle.buffer.slice(0)).subarray(32, 48); // the state words
      assert.throws(() => q.syncQ.getMany(3, { block: false }), isCorrupted);
      assert.deepEqual(Array.from(w.subarray(32, 48)), Array.from(before), 'the state words are as before the call');
      assert.equal(Atomics.load(w, W.LOCK), 0);
      w[flags] = 1; // LIVE again: the queue holds exactly its three items
      assert.equal(q.syncQ.qsize(), 3);
      const order = name === 'Queue' ? ['v0', 'v1', 'v2'] : ['v2', 'v1', 'v0'];
      assert.deepEqual(q.syncQ.getMany(3, { block: false }), order);
    });
  }

  it("a priority queue whose records never show the live one COUNT promises: the scan refuses instead of looping", () => {
    const q = filled(PriorityQueue, (i) => [i, i], 2);
    const w = new Int32Array(q.handle.buffer);
    for (let off = 0; off < w[W.TAIL]; off += w[(ARENA_OFFSET + off) >> 2]) w[(ARENA_OFFSET + off + 12) >> 2] = 2; // every record TAKEN
    assert.throws(() => q.syncQ.getNowait(), isCorrupted);
  });

  it("a pending asyncQ.get whose slot state is scribbled rejects with the error (it was an unhandled rejection)", async () => {
    const q = new Queue();
    const p = q.asyncQ.get();
    await untilWaiters(q.handle, GETTERS, 1);
    const w = new Int32Array(q.handle.buffer);
    const s = w[W.LIST_HEAD + GETTERS];
    Atomics.store(w, SLOT_BASE + s * SLOT_WORDS, 77); // S_STATE
    Atomics.notify(w, SLOT_BASE + s * SLOT_WORDS);
    await assert.rejects(within(p, 'the pending get'), isCorrupted);
  });

  it('a pending asyncQ.get that times out on a corrupted queue rejects, and its pump stops (no unhandled error, no held event loop)', async () => {
    const q = new Queue();
    const p = q.asyncQ.get({ timeout: 20 });
    await untilWaiters(q.handle, GETTERS, 1);
    new Int32Array(q.handle.buffer)[W.COUNT] = -3;
    await assert.rejects(within(p, 'the timed get'), (e) => e.name === 'QueueEmpty' || isCorrupted(e));
  });

  it('scribbled payload bytes: a value or a TypeError from the decoder, never a RangeError or SyntaxError', () => {
    const r = rng(7);
    for (const codec of ['structured', 'json']) {
      for (let i = 0; i < 3000; i++) {
        const q = new Queue({ codec, maxBytes: 1024 });
        q.syncQ.putNowait(codec === 'json' ? { a: [1, 'x', null], b: 'text' } : { a: new Int16Array([1, 2, 3]), d: new Date(0), re: /x/g, m: new Map([[1, [2n]]]), e: new RangeError('r') });
        const len = new Int32Array(q.handle.buffer)[(ARENA_OFFSET + 4) >> 2];
        const u8 = new Uint8Array(q.handle.buffer);
        for (let k = 0, n = 1 + r.int(3); k < n; k++) u8[ARENA_OFFSET + 16 + r.int(len)] = r.int(256);
        try {
          q.syncQ.getNowait();
        } catch (e) {
          assert.ok(e instanceof TypeError && /^janus-queue: .*corrupted/.test(e.message), `${codec}: ${e.name}: ${e.message}`);
        }
      }
    }
  });
});

describe('attach: buffers of the wrong size or a handle without its fields', () => {
  it('a buffer whose size is not a multiple of 8 is a TypeError (it was a raw RangeError of Int32Array)', () => {
    const q = new Queue();
    for (const extra of [1, 2, 4, 7]) {
      const buffer = new SharedArrayBuffer(q.handle.buffer.byteLength + extra);
      new Uint8Array(buffer).set(new Uint8Array(q.handle.buffer));
      assert.throws(() => Queue.attach({ ...q.handle, buffer }), { name: 'TypeError', message: /multiple of 8/ });
    }
  });

  it("a handle without its kind says so (it said 'was given the handle of a Queue; use Queue.attach()')", () => {
    const { kind, ...rest } = new Queue().handle;
    assert.equal(kind, 'Queue');
    assert.throws(() => Queue.attach(rest), { name: 'TypeError', message: /the handle's kind \(undefined\) does not match its buffer \(a Queue\)/ });
    assert.ok(isClearError(new TypeError('janus-queue: x')));
  });
});
