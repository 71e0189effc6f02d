// A buffer that another thread scribbled on: the cases the fuzzing found,
// each pinned. Before src/integrity.ts these looped for ever (a waiter list
// with a cycle grew the notify list until V8 aborted the process), read out
// of bounds (raw RangeErrors of typed arrays), took garbage for a shutdown
// flag, or left an unhandled rejection in a pump. White-box: the word indices
// come from the build (helpers/layout.mjs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
import { within } from './helpers/bounded.mjs';
import { GETTERS, untilWaiters } from './helpers/waiters.mjs';
import * as W from './helpers/layout.mjs';
import { isClearError, isCorrupted } from './fuzz/clear.mjs';
import { rng } from './stress/rng.mjs';

const { ARENA_OFFSET, COUNT, HEADER_PLAIN, R_FLAGS, R_LEN, R_PREV, R_SIZE, STATE_WORDS, S_NEXT, S_PREV, S_STATE, TAKEN, recordWord, slotWord } = W;
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
  FREE_SLOT: [-2, W.SLOT_COUNT, 1e6],
  LIST_HEAD: [-2, W.SLOT_COUNT],
  LIST_TAIL: [-2, W.SLOT_COUNT, 0],
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
          // A timeout long enough that the get certainly registers (with 1 ms, a
          // loaded machine could pass its deadline before the first attempt,
          // which then ends in QueueEmpty without touching the list); it
          // meets the scribble at once, so nothing waits that long.
          assert.throws(() => q.syncQ.get({ timeout: 10_000 }), isCorrupted, `${word} = ${v}, a get that waits`);
          assert.equal(Atomics.load(w, W.LOCK), 0);
          if (word === 'LIST_HEAD') assert.throws(() => q.shutdown(), isCorrupted, `${word} = ${v}, shutdown`);
        }
      }
    });

    it(`${name}: a record header with a size, length or flags no put writes`, () => {
      for (const [field, v] of [[R_SIZE, 5], [R_SIZE, -1], [R_SIZE, 1 << 20], [R_LEN, -1], [R_LEN, 1 << 20], [R_LEN, 40], [R_FLAGS, 7], [R_FLAGS, 0], [R_PREV, 3]]) {
        const q = filled(C, item, 1);
        const w = new Int32Array(q.handle.buffer);
        w[recordWord(0, field)] = v; // the only record is at arena offset 0
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
    w[slotWord(0, S_NEXT)] = 0; // slot 0's S_NEXT: itself
    w[slotWord(0, S_PREV)] = 0; // and S_PREV
    assert.throws(() => q.shutdown(), isCorrupted);
    assert.equal(Atomics.load(w, W.LOCK), 0);
  });

  for (const [name, C] of [['Queue', Queue], ['LifoQueue', LifoQueue]]) {
    it(`${name}: a getMany that meets a scribbled record after taking one item fails and changes nothing (its section is undone)`, () => {
      const q = filled(C, (i) => `v${i}`, 3);
      const w = new Int32Array(q.handle.buffer);
      const second = w[recordWord(0, R_SIZE)]; // the middle record starts where the first ends
      const flags = recordWord(second, R_FLAGS);
      w[flags] = 7;
      const before = new Int32Array(q.handle.buffer.slice(0)).subarray(COUNT, COUNT + STATE_WORDS); // the state words
      assert.throws(() => q.syncQ.getMany(3, { block: false }), isCorrupted);
      assert.deepEqual(Array.from(w.subarray(COUNT, COUNT + STATE_WORDS)), Array.from(before), 'the state words are as before the call');
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
    for (let off = 0; off < w[W.TAIL]; off += w[recordWord(off, R_SIZE)]) w[recordWord(off, R_FLAGS)] = TAKEN; // every record
    assert.throws(() => q.syncQ.getNowait(), isCorrupted);
  });

  it("a pending asyncQ.get whose slot state is scribbled rejects with the error (it was an unhandled rejection)", async () => {
    const q = new Queue();
    const p = q.asyncQ.get();
    await untilWaiters(q.handle, GETTERS, 1);
    const w = new Int32Array(q.handle.buffer);
    const s = w[W.LIST_HEAD + GETTERS];
    Atomics.store(w, slotWord(s, S_STATE), 77);
    Atomics.notify(w, slotWord(s, S_STATE));
    await assert.rejects(within(p, 'the pending get'), isCorrupted);
  });

  it('a pending asyncQ.get that times out on a corrupted queue rejects, and its pump stops (no unhandled error, no held event loop)', async () => {
    const q = new Queue();
    const p = q.asyncQ.get({ timeout: 20 });
    await untilWaiters(q.handle, GETTERS, 1);
    new Int32Array(q.handle.buffer)[W.COUNT] = -3;
    await assert.rejects(within(p, 'the timed get'), (e) => e.name === 'QueueEmpty' || isCorrupted(e));
  });

  it("bytes with a key-deleted mark (ABSENT) outside an object of a known shape are a TypeError, not the decoder's internal symbol", async () => {
    const { makeCodec } = await import(new URL('../dist/internal.js', import.meta.url).href);
    const c = makeCodec('structured');
    const ABSENT = 25;
    // ABSENT alone, as an array's element, a Map's key, a Set's value, and as an object's value written key by key (OBJECT).
    for (const bytes of [[ABSENT], [10, 1, 0, 0, 0, ABSENT], [14, 1, 0, 0, 0, ABSENT, 1], [15, 1, 0, 0, 0, ABSENT], [9, 1, 0, 0, 0, 0, 1, 97, ABSENT]]) {
      assert.throws(() => c.decode(new Uint8Array(bytes)), (e) => e instanceof TypeError && /corrupted/.test(e.message), JSON.stringify(bytes));
    }
  });

  it('scribbled payload bytes: a value or a TypeError from the decoder, never a RangeError or SyntaxError', () => {
    const r = rng(7);
    for (const codec of ['structured', 'json']) {
      for (let i = 0; i < 3000; i++) {
        const q = new Queue({ codec, maxBytes: 1024 });
        q.syncQ.putNowait(codec === 'json' ? { a: [1, 'x', null], b: 'text' } : { a: new Int16Array([1, 2, 3]), d: new Date(0), re: /x/g, m: new Map([[1, [2n]]]), e: new RangeError('r') });
        const len = new Int32Array(q.handle.buffer)[recordWord(0, R_LEN)];
        const u8 = new Uint8Array(q.handle.buffer);
        for (let k = 0, n = 1 + r.int(3); k < n; k++) u8[ARENA_OFFSET + HEADER_PLAIN + r.int(len)] = r.int(256);
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
