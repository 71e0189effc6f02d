import {
  COUNT,
  DEAD,
  HEAD,
  LAST,
  LIVE,
  R_FLAGS,
  R_LEN,
  R_PREV,
  R_SIZE,
  SHUTDOWN,
  SLOT_COUNT,
  TAIL,
  TAKEN,
  UNFINISHED,
  USED,
  align8,
} from './layout.js';

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
export function corrupted(what: string): TypeError {
  return new TypeError(`janus-queue: the shared buffer is corrupted: ${what}`);
}

const isOffset = (v: number, arena: number): boolean => v >= 0 && v <= arena && (v & 7) === 0;
const isSlotOrNone = (v: number): boolean => v >= -1 && v < SLOT_COUNT;

/**
 * The state words, checked after taking the lock, before any is used.
 * Returns what is wrong, or null. `header`: the record header bytes (the
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
  if (count === 0 && used !== 0) return `COUNT is 0 but USED is ${used}`;
  if (w[UNFINISHED]! < 0) return `UNFINISHED is ${w[UNFINISHED]}`;
  const shut = w[SHUTDOWN]!;
  if (shut !== 0 && shut !== 1) return `SHUTDOWN is ${shut}`;
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
  if (!(isOffset(off, arena) && off < arena)) throw corrupted(`a record offset is ${off}`);
  const size = w[(b + R_SIZE) >> 2]!;
  const len = w[(b + R_LEN) >> 2]!;
  const flags = w[(b + R_FLAGS) >> 2]!;
  const prev = w[(b + R_PREV) >> 2]!;
  if (!(len >= 0 && size === align8(header + len) && off + size <= arena))
    throw corrupted(`the record at arena offset ${off} has size ${size} and length ${len}`);
  if (live ? flags !== LIVE : flags !== LIVE && flags !== TAKEN) throw corrupted(`the record at arena offset ${off} has flags ${flags}`);
  if (prev !== -1 && !(isOffset(prev, arena) && prev < arena)) throw corrupted(`the record at arena offset ${off} links to ${prev}`);
}

/** A slot index read from a waiter list or the free stack: -1 (none) or a slot. */
export function checkSlot(s: number): number {
  if (!isSlotOrNone(s)) throw corrupted(`a waiter list links to slot ${s}`);
  return s;
}

/** A bound on a walk that must end: over waiter lists (a slot is visited once) or records. */
export function tooManySteps(what: string): TypeError {
  return corrupted(`${what} does not end (a cycle)`);
}
