import {
  ABASE,
  COUNT,
  DEAD,
  HEAD,
  HEADER_PLAIN,
  LAST,
  LIVE,
  R_FLAGS,
  R_LEN,
  R_PREV,
  R_SIZE,
  RES_AT,
  SHUTDOWN,
  SLOT_COUNT,
  TAIL,
  TAKEN,
  UNFINISHED,
  USED,
  align8,
} from './layout.js';
import { QueueCorrupted } from './errors.js';

/**
 * Sanity checks of the shared words the core reads and then trusts as
 * offsets, lengths, counts and slot indices. A thread that scribbles on the
 * buffer must make the queue throw this clear error, not loop, read out of
 * bounds or hand out bytes that were never an item. Each check is a few
 * integer comparisons on words the core reads anyway, under the lock.
 *
 * What they cannot see: a scribble that leaves every word plausible (a count
 * one lower, an offset moved to another record's start), the payload bytes
 * of an item (the decoder may still refuse them), and the LOCK word (a
 * garbage value there looks like a held lock).
 */
export function corrupted(what: string): QueueCorrupted {
  return new QueueCorrupted(`janus-queue: the shared buffer is corrupted: ${what}`);
}

const isOffset = (v: number, arena: number): boolean => v >= 0 && v <= arena && (v & 7) === 0;

/**
 * The state words, checked after taking the lock, before any is used: the
 * hot path, one boolean expression (small enough to be inlined); the message
 * is built by stateProblem() only when it fails.
 */
export function stateOk(w: Int32Array, arena: number, header: number, maxsize: number): boolean {
  const head = w[HEAD]!;
  const tail = w[TAIL]!;
  const last = w[LAST]!;
  const count = w[COUNT]!;
  const used = w[USED]!;
  const dead = w[DEAD]!;
  // Unsigned compares fold "0 <= x" into "x <= limit"; LAST + 1 folds in its -1.
  return (
    ((head | tail | (last === -1 ? 0 : last)) & 7) === 0 &&
    head >>> 0 <= arena && tail >>> 0 <= arena && (last + 1) >>> 0 <= arena &&
    used >>> 0 <= arena && dead >>> 0 <= used >>> 0 &&
    count >>> 0 <= (maxsize > 0 ? maxsize : 0x7fffffff) && count * header <= used - dead && (count !== 0 || used === 0 || w[RES_AT] !== 0) && resOk(w[RES_AT]!, arena) &&
    w[UNFINISHED]! >= 0 && w[SHUTDOWN]! >>> 0 <= 1 && (w[ABASE] === 0 || (w[ABASE] === arena && header > HEADER_PLAIN))
  );
}

/** RES_AT: 0 (no reservation), or 1 + the 8-aligned arena offset of a record. */
const resOk = (at: number, arena: number): boolean => at === 0 || (at >= 1 && at <= arena && ((at - 1) & 7) === 0);

/**
 * What is wrong with the state words (the same rules as stateOk), or null. `header`: the record header bytes (the
 * smallest record is align8(header), so COUNT records need that much each).
 */
export function stateProblem(w: Int32Array, arena: number, header: number, maxsize: number): string | null {
  const count = w[COUNT]!;
  const used = w[USED]!;
  const dead = w[DEAD]!;
  if (!isOffset(w[HEAD]!, arena) || !isOffset(w[TAIL]!, arena)) return `HEAD ${w[HEAD]} or TAIL ${w[TAIL]} is not an offset in the arena of ${arena} bytes`;
  const last = w[LAST]!;
  if (last !== -1 && !(isOffset(last, arena) && last < arena)) return `LAST is ${last}`;
  if (!(used >= 0 && used <= arena && dead >= 0 && dead <= used)) return `USED ${used} / DEAD ${dead} out of range`;
  if (!(count >= 0 && count * header <= used - dead && (maxsize <= 0 || count <= maxsize)))
    return `COUNT ${count} does not fit the ${used - dead} live bytes (or maxsize ${maxsize})`;
  if (count === 0 && used !== 0 && w[RES_AT] === 0) return `COUNT is 0 but USED is ${used}`;
  if (!resOk(w[RES_AT]!, arena)) return `RES_AT is ${w[RES_AT]}`;
  if (w[UNFINISHED]! < 0) return `UNFINISHED is ${w[UNFINISHED]}`;
  const shut = w[SHUTDOWN]!;
  if (shut !== 0 && shut !== 1) return `SHUTDOWN is ${shut}`;
  const base = w[ABASE]!;
  if (!(base === 0 || (base === arena && header > HEADER_PLAIN))) return `ABASE is ${base}`;
  // FREE_SLOT and the list words are checked where they are read (checkSlot):
  // most operations find no waiter and read one list head only.
  return null;
}

/**
 * A record header about to be read (`b`: its byte offset in the buffer,
 * `off`: in the arena). Its size must be exactly what a payload of its length
 * takes, and lie inside the arena; `live`: a record get is about to take.
 */
export function checkRecord(w: Int32Array, b: number, off: number, arena: number, header: number, live: boolean): void {
  if (off >= 0 && off < arena && (off & 7) === 0) {
    const size = w[(b + R_SIZE) >> 2]!;
    const len = w[(b + R_LEN) >> 2]!;
    const flags = w[(b + R_FLAGS) >> 2]!;
    const prev = w[(b + R_PREV) >> 2]!;
    if (len >= 0 && size === ((header + len + 7) & ~7) && off + size <= arena && (flags === LIVE || (!live && flags === TAKEN)) && (prev === -1 || (prev >= 0 && prev < arena && (prev & 7) === 0)))
      return;
  }
  recordProblem(w, b, off, arena, header, live);
}

function recordProblem(w: Int32Array, b: number, off: number, arena: number, header: number, live: boolean): never {
  if (!(isOffset(off, arena) && off < arena)) throw corrupted(`a record offset is ${off}`);
  const size = w[(b + R_SIZE) >> 2]!;
  const len = w[(b + R_LEN) >> 2]!;
  const flags = w[(b + R_FLAGS) >> 2]!;
  const prev = w[(b + R_PREV) >> 2]!;
  if (!(len >= 0 && size === align8(header + len) && off + size <= arena))
    throw corrupted(`the record at arena offset ${off} has size ${size} and length ${len}`);
  if (live ? flags !== LIVE : flags !== LIVE && flags !== TAKEN) throw corrupted(`the record at arena offset ${off} has flags ${flags}`);
  throw corrupted(`the record at arena offset ${off} links to ${prev}`);
}

/** A slot index read from a waiter list or the free stack: -1 (none) or a slot. */
export function checkSlot(s: number): number {
  if (s >= -1 && s < SLOT_COUNT) return s;
  throw corrupted(`a waiter list links to slot ${s}`);
}

/** A bound on a walk that must end: over waiter lists (a slot is visited once) or records. */
export function tooManySteps(what: string): QueueCorrupted {
  return corrupted(`${what} does not end (a cycle)`);
}
