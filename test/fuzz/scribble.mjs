// The scribble property: a queue with random contents, then garbage written
// into its state words, waiter slots or record headers (as a buggy thread
// could), then random calls. Every call must end in an item that was put, a
// normal outcome, or a clear error; never a hang (the test runs this in a
// worker under a time limit), a raw RangeError of a typed array, garbage,
// or the lock left held. White-box: the word indices mirror src/layout.ts.
import fc from 'fast-check';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
import { isClearError } from './clear.mjs';

const LOCK = 16;
const STATE_WORDS = [32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47];
const HEAD = 33;
const TAIL = 34;
const COUNT = 32;
const SLOT_BASE = 48;
const SLOT_WORDS = 16;
// After the 128 slots and the undo journal (src/layout.ts: J_ENTRIES + 2 * J_CAP words).
const ARENA_OFFSET = (SLOT_BASE + 128 * SLOT_WORDS + 16 + 2 * 1024) * 4;
const CLASSES = { Queue, LifoQueue, PriorityQueue };

/** Word indices of the record headers (size, len, prev, flags) of the records from HEAD to TAIL. */
function recordWords(w, arena) {
  const out = [];
  let off = w[HEAD];
  for (let i = 0; i < 64 && off >= 0 && off + 16 <= arena && (i === 0 || off !== w[TAIL]); i++) {
    const size = w[(ARENA_OFFSET + off) >> 2];
    if (size === -1) {
      off = 0;
      continue;
    }
    for (let k = 0; k < 4; k++) out.push(((ARENA_OFFSET + off) >> 2) + k);
    if (size < 16) break;
    off += size;
    if (off >= arena) off = 0;
    if (w[COUNT] === 0) break;
  }
  return out;
}

const value = fc.oneof(
  fc.constantFrom(-1, 0, 1, 2, 3, 4, 8, 16, 24, 127, 128, 129, 0x7fffffff, -0x80000000),
  fc.integer({ min: -2000, max: 2000 }),
  fc.integer(),
);

const op = fc.oneof(
  fc.constant({ op: 'put' }),
  fc.constant({ op: 'get' }),
  fc.constant({ op: 'getMany' }),
  fc.constant({ op: 'putMany' }),
  fc.constant({ op: 'asyncGet' }),
  fc.constant({ op: 'asyncPut' }),
  fc.constant({ op: 'taskDone' }),
  fc.constant({ op: 'join' }),
  fc.constant({ op: 'snapshots' }),
  fc.boolean().map((immediate) => ({ op: 'shutdown', immediate })),
);

export const scribbleCase = fc.record({
  kind: fc.constantFrom('Queue', 'LifoQueue', 'PriorityQueue'),
  maxsize: fc.constantFrom(0, 3, 8),
  maxBytes: fc.constantFrom(64, 200, 1000),
  before: fc.array(fc.constantFrom('put', 'put', 'get', 'asyncGetPending'), { maxLength: 12 }),
  where: fc.array(fc.tuple(fc.constantFrom('state', 'slot', 'record'), fc.nat(), value), { minLength: 1, maxLength: 3 }),
  after: fc.array(op, { minLength: 1, maxLength: 12 }),
});

/** Runs one case; resolves with null, or a string saying what went wrong. */
export async function runScribble(c) {
  const q = new CLASSES[c.kind]({ maxsize: c.maxsize, maxBytes: c.maxBytes, codec: 'json' });
  const w = new Int32Array(q.handle.buffer);
  const arena = w[5];
  const put = new Set();
  let n = 0;
  const item = () => {
    const v = `i${n++}`;
    put.add(v);
    return c.kind === 'PriorityQueue' ? [n % 3, v] : v;
  };
  const valueOf = (x) => (c.kind === 'PriorityQueue' ? (Array.isArray(x) ? x[1] : Symbol('not a pair')) : x);
  const pending = [];
  for (const b of c.before) {
    try {
      if (b === 'put') q.syncQ.putNowait(item());
      else if (b === 'get') q.syncQ.getNowait();
      else pending.push(q.asyncQ.get({ timeout: 5 }).catch((e) => e));
    } catch {
      // full or empty: fine
    }
  }
  for (const [where, at, v] of c.where) {
    let index;
    if (where === 'state') index = STATE_WORDS[at % STATE_WORDS.length];
    else if (where === 'slot') index = SLOT_BASE + (at % 4) * SLOT_WORDS + ((at >> 2) % 5);
    else {
      const words = recordWords(w, arena);
      if (words.length === 0) continue;
      index = words[at % words.length];
    }
    w[index] = v;
  }
  const problems = [];
  const outcome = (label, r) => {
    if (Atomics.load(w, LOCK) !== 0) problems.push(`${label}: left the lock word at ${Atomics.load(w, LOCK)}`);
    if (r.ok) {
      for (const x of r.items ?? []) if (!put.has(valueOf(x))) problems.push(`${label}: returned ${JSON.stringify(x)}, never put`);
    } else if (!isClearError(r.error)) problems.push(`${label}: threw ${r.error?.name}: ${r.error?.message}`);
  };
  const attempt = async (label, f, items) => {
    try {
      const v = await f();
      outcome(label, { ok: true, items: items ? items(v) : [] });
    } catch (error) {
      outcome(label, { ok: false, error });
    }
  };
  for (const a of c.after) {
    switch (a.op) {
      case 'put':
        await attempt('putNowait', () => q.syncQ.putNowait(item()));
        break;
      case 'get':
        await attempt('getNowait', () => q.syncQ.getNowait(), (x) => [x]);
        break;
      case 'getMany':
        await attempt('getMany', () => q.syncQ.getMany(4, { block: false }), (xs) => xs);
        break;
      case 'putMany':
        await attempt('putMany', () => q.syncQ.putMany([item(), item()], { block: false }));
        break;
      case 'asyncGet':
        await attempt('asyncQ.get', () => q.asyncQ.get({ timeout: 0 }), (x) => [x]);
        break;
      case 'asyncPut':
        await attempt('asyncQ.put', () => q.asyncQ.put(item(), { timeout: 0 }));
        break;
      case 'taskDone':
        await attempt('taskDone', () => q.syncQ.taskDone());
        break;
      case 'join':
        await attempt('join', () => q.syncQ.join({ timeout: 0 }));
        break;
      case 'snapshots':
        await attempt('snapshots', () => {
          const s = [q.syncQ.qsize(), q.syncQ.unfinishedTasks];
          if (!(s[0] >= 0 && s[1] >= 0)) throw new Error(`snapshot garbage ${s}`);
          q.syncQ.empty();
          q.syncQ.full();
          return q.closed;
        });
        break;
      case 'shutdown':
        await attempt('shutdown', () => q.shutdown(a.immediate));
        break;
    }
  }
  for (const p of pending) {
    const r = await p;
    if (typeof r === 'string' || Array.isArray(r)) outcome('pending asyncQ.get', { ok: true, items: [r] });
    else outcome('pending asyncQ.get', { ok: false, error: r });
  }
  return problems.length ? problems.join('; ') : null;
}
