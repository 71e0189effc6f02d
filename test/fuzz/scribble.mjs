// The scribble property: a queue with random contents, then garbage written
// into its state words, waiter slots or record headers (as a buggy thread
// could), then random calls. Every call must end in an item that was put, a
// normal outcome, or a clear error; never a hang (the test runs this in a
// worker under a time limit), a raw RangeError of a typed array, garbage,
// or the lock left held. White-box: the word indices come from the build
// (../helpers/layout.mjs).
import fc from 'fast-check';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
import { ARENA_BYTES, COUNT, HEAD, HEADER_PLAIN, LOCK, R_SIZE, STATE_FIRST, STATE_WORDS, TAIL, WRAP_MARKER, recordWord, slotWord } from '../helpers/layout.mjs';
import { isClearError } from './clear.mjs';

/** The words of the state line, COUNT … ABASE. */
const STATE = Array.from({ length: STATE_WORDS }, (_, k) => STATE_FIRST + k);
const CLASSES = { Queue, LifoQueue, PriorityQueue };

/** Word indices of the record headers (size, len, prev, flags) of the records from HEAD to TAIL. */
function recordWords(w, arena) {
  const out = [];
  let off = w[HEAD];
  for (let i = 0; i < 64 && off >= 0 && off + HEADER_PLAIN <= arena && (i === 0 || off !== w[TAIL]); i++) {
    const size = w[recordWord(off, R_SIZE)];
    if (size === WRAP_MARKER) {
      off = 0;
      continue;
    }
    for (let k = 0; k < 4; k++) out.push(recordWord(off, R_SIZE) + k);
    if (size < HEADER_PLAIN) break;
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
  const arena = w[ARENA_BYTES];
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
    if (where === 'state') index = STATE[at % STATE.length];
    else if (where === 'slot') index = slotWord(at % 4, (at >> 2) % 5);
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
