import { KIND_FIFO, KIND_LIFO, KIND_PRIORITY, type Kind } from './kinds.js';

/**
 * The shared-memory layout, declared once. Only the core and its helpers
 * (section, recovery, records, ring, journal, waiters, slot-wait, integrity)
 * name these constants, and none uses a raw offset; the faces never touch
 * one, and queue.ts uses the header functions at the end of this file. The
 * white-box tests read them from the build (test/helpers/layout.mjs). See
 * docs/design.md for the same table.
 *
 * | line | words     | what                                                  |
 * |------|-----------|-------------------------------------------------------|
 * | 0    | 0–8       | header, written once by the constructor               |
 * | 1    | 16–31     | LOCK (owner token, contended bit), J_LEN, PENDING_DEAD, |
 * |      |           | and the journal's saved values of state words 0–12    |
 * | 2    | 32–47     | queue state, read and written only with LOCK held     |
 * | 3…   | 16/slot   | one waiter slot per 64-byte line (S_STATE is a futex) |
 * | …    | 2096–4143 | the other saved values (state words 13–15), a large   |
 * |      |           | put's reservation (RES_AT…), the journal's entries    |
 * | …    | bytes     | the arena of item records (two halves for a PriorityQueue) |
 */

export const MAGIC_VALUE = 0x4a4e5351; // "JNSQ"
export const LAYOUT_VERSION = 5;

// Line 0: header.
export const MAGIC = 0;
export const VERSION = 1;
export const KIND = 2;
export const CODEC = 3;
export const MAXSIZE = 4; // as given; <= 0 means no limit by count
export const ARENA_BYTES = 5;
export const NSLOTS = 6;
export const BYTE_LENGTH = 7;
export const MAX_BYTES = 8;

// Line 1: the lock word: 0 free, else the holder's thread token << 1, | 1
// when it may be contended (docs/design.md, "Dead peers"); and beside it the
// journal's commit word, J_LEN, and the saved old values of the state words
// a put or a get changes (below), which every section writes too: one cache
// line moves between threads for all of them.
export const LOCK = 16;

// Line 2: state, only with LOCK held (or Atomics.load for a snapshot).
export const COUNT = 32;
export const HEAD = 33;
export const TAIL = 34;
export const LAST = 35;
export const DEAD = 36;
export const UNFINISHED = 37;
export const FREE_SLOT = 38;
export const USED = 39; // bytes of the records in the arena, live and taken (not wrap padding)
export const LIST_HEAD = 40; // + list id
export const LIST_TAIL = 43; // + list id
export const SHUTDOWN = 46;
export const ABASE = 47; // byte offset of the arena half in use: 0, or ARENA_BYTES (priority queues, after a compaction)
export const STATE_FIRST = COUNT;

/** Waiter lists. */
export const GETTERS = 0;
export const PUTTERS = 1;
export const JOINERS = 2;
export type ListId = typeof GETTERS | typeof PUTTERS | typeof JOINERS;

// Slots: one per 64-byte line.
export const SLOT_BASE = 48; // word index of slot 0
export const SLOT_WORDS = 16;
export const SLOT_COUNT = 128;
export const S_STATE = 0; // futex word: see below
export const S_NEXT = 1;
export const S_PREV = 2;
export const S_NEED = 3; // putters: the bytes of arena their item (or batch) needs
export const S_ITEMS = 4; // putters: how many items (1, or a putMany batch's length)
export const S_OWNER = 5; // the thread token of the slot's owner
export const S_LIST = 6; // the list it was registered on

/** The word index of slot `s` (add S_STATE, S_NEXT, … for its words). */
export function slotWord(s: number): number {
  return SLOT_BASE + s * SLOT_WORDS;
}

/** S_STATE values. */
export const WAITING = 0;
export const SIGNALLED = 1;
export const CANCELLED = 2;
export const PASSED_ON = 3;

// The undo journal (docs/design.md, "Dead peers"), written only by the lock
// holder. J_LEN is the one commit word: (entries << 16) | mask, where bit k
// of the mask says backupWord(k) holds the old value of state word
// STATE_FIRST + k, and the entries, (word index, old value) pairs from
// J_ENTRIES on, hold the old values of other words (slot links and states,
// record flags). 0 = no section half done.
export const J_LEN = LOCK + 1;
/** The token of a dead thread whose recovery is announced and not yet finished: set by recover() from 0 before it takes the lock, cleared when that thread's slots are freed (not journaled: see docs/design.md). */
export const PENDING_DEAD = LOCK + 2;
/** The first word after the slots. */
export const SLOTS_END = SLOT_BASE + SLOT_COUNT * SLOT_WORDS;
export const STATE_WORDS = 16;
/** How many state words (from STATE_FIRST: every word a put, a get or a getter's or putter's registration changes) have their saved value on the lock's line. */
const NEAR_BACKUPS = 13;
/** The saved old values of the other state words (the joiners' list tail, SHUTDOWN, ABASE), after the slots. */
const FAR_BACKUP = SLOTS_END;
/** The word that holds the saved old value of state word STATE_FIRST + k. */
export function backupWord(k: number): number {
  return k < NEAR_BACKUPS ? LOCK + 3 + k : FAR_BACKUP + k - NEAR_BACKUPS;
}
/**
 * A FIFO queue's large put in progress (docs/design.md, "Large puts: reserve,
 * copy, publish"): RES_AT is 0 when there is none, else 1 + the arena offset
 * of the record reserved for it; RES_TAIL is TAIL before the reservation (a
 * rollback restores it) and RES_OWNER the reserving thread's token. Written
 * only with LOCK held, through the journal's entries; after the saved state
 * words, on their line (rarely written: a reservation and its publish).
 */
export const RES_AT = FAR_BACKUP + 4;
export const RES_TAIL = FAR_BACKUP + 5;
export const RES_OWNER = FAR_BACKUP + 6;
export const J_ENTRIES = FAR_BACKUP + STATE_WORDS;
export const J_CAP = 1016;

/** Byte offset of the arena: after the journal, 64-aligned. */
export const ARENA_OFFSET = (J_ENTRIES + 2 * J_CAP) * 4;

// Records in the arena (byte offsets inside a record).
export const R_SIZE = 0; // i32 total bytes, 8-aligned; WRAP_MARKER = jump to 0
export const R_LEN = 4; // i32 payload bytes
export const R_PREV = 8; // i32 offset of the record put before this one, -1 if none
export const R_FLAGS = 12; // i32 LIVE or TAKEN
export const R_PRIORITY = 16; // f64, priority queues only
export const HEADER_PLAIN = 16;
export const HEADER_PRIORITY = 24;
export const WRAP_MARKER = -1;
export const LIVE = 1;
export const TAKEN = 2;
/** R_FLAGS of the record a large put reserved: its bytes are being written outside the lock (RESERVED), then FILLED (publish it) or CANCELLED_PUT (roll it back), stored by the putter with Atomics.store. */
export const RESERVED = 4;
export const FILLED = 5;
export const CANCELLED_PUT = 6;
/** A FIFO put of at least this many encoded bytes copies them outside the lock (RES_AT). */
export const RESERVE_MIN = 16384;

export const DEFAULT_MAX_BYTES = 1 << 20;
/** Largest maxBytes accepted: the offsets into both arena halves of a priority queue are int32. */
export const MAX_MAX_BYTES = ((0x7fff0000 - ARENA_OFFSET) >> 1) - 64;

export const align8 = (n: number): number => (n + 7) & ~7;

export function headerBytes(kind: Kind): number {
  return kind === KIND_PRIORITY ? HEADER_PRIORITY : HEADER_PLAIN;
}

/** Arena size for a maxBytes: one item of exactly maxBytes always fits in an empty queue. */
export function arenaBytesFor(maxBytes: number): number {
  return align8(maxBytes) + HEADER_PRIORITY;
}

/** The buffer's size: a priority queue has two arena halves, so that compaction never overwrites live records. */
export function byteLengthFor(kind: Kind, arena: number): number {
  return ARENA_OFFSET + (kind === KIND_PRIORITY ? 2 * arena : arena);
}

/** Lays out a fresh buffer: header written, state reset, every slot on the free stack. */
export function createBuffer(kind: Kind, codecId: number, maxsize: number, maxBytes: number): SharedArrayBuffer {
  const arena = arenaBytesFor(maxBytes);
  const byteLength = byteLengthFor(kind, arena);
  const buffer = new SharedArrayBuffer(byteLength);
  const w = new Int32Array(buffer);
  w[VERSION] = LAYOUT_VERSION;
  w[KIND] = kind;
  w[CODEC] = codecId;
  w[MAXSIZE] = maxsize;
  w[ARENA_BYTES] = arena;
  w[NSLOTS] = SLOT_COUNT;
  w[BYTE_LENGTH] = byteLength;
  w[MAX_BYTES] = maxBytes;
  w[LAST] = -1;
  for (let l = 0; l < 3; l++) {
    w[LIST_HEAD + l] = -1;
    w[LIST_TAIL + l] = -1;
  }
  for (let s = 0; s < SLOT_COUNT; s++) {
    w[SLOT_BASE + s * SLOT_WORDS + S_NEXT] = s + 1 < SLOT_COUNT ? s + 1 : -1;
  }
  w[FREE_SLOT] = 0;
  // Publish the magic last: a buffer with the magic is fully laid out. The
  // buffer reaches other threads only through postMessage, which orders it
  // anyway; the store keeps the rule true for any other hand-off.
  Atomics.store(w, MAGIC, MAGIC_VALUE);
  return buffer;
}

/** What a queue buffer's header says (written once by createBuffer; read it after checkHeader found it sound). */
export interface Header {
  readonly kind: Kind;
  readonly codecId: number;
  /** As given; <= 0 means no limit by count. */
  readonly maxsize: number;
  readonly arenaBytes: number;
  readonly maxBytes: number;
}

export function readHeader(buffer: SharedArrayBuffer): Header {
  const w = new Int32Array(buffer, 0, MAX_BYTES + 1);
  return { kind: w[KIND] as Kind, codecId: w[CODEC]!, maxsize: w[MAXSIZE]!, arenaBytes: w[ARENA_BYTES]!, maxBytes: w[MAX_BYTES]! };
}

/** Checks a buffer's header; returns a reason it is not a usable queue buffer, or null. */
export function checkHeader(buffer: SharedArrayBuffer): string | null {
  if (buffer.byteLength < ARENA_OFFSET + HEADER_PRIORITY) return `its buffer is too small (${buffer.byteLength} bytes)`;
  if (buffer.byteLength % 8 !== 0) return `its buffer's size (${buffer.byteLength} bytes) is not a multiple of 8`;
  const w = new Int32Array(buffer);
  if (Atomics.load(w, MAGIC) !== MAGIC_VALUE) return 'its buffer does not start with the janus-queue magic word';
  if (w[VERSION] !== LAYOUT_VERSION) return `its layout version is ${w[VERSION]}, this library reads version ${LAYOUT_VERSION}`;
  if (w[KIND] !== KIND_FIFO && w[KIND] !== KIND_LIFO && w[KIND] !== KIND_PRIORITY) return `its kind word is ${w[KIND]}`;
  if (w[NSLOTS] !== SLOT_COUNT) return `its slot count is ${w[NSLOTS]}`;
  if (w[BYTE_LENGTH] !== buffer.byteLength || byteLengthFor(w[KIND] as Kind, w[ARENA_BYTES]!) !== buffer.byteLength)
    return `its size words (${w[BYTE_LENGTH]}, ${w[ARENA_BYTES]}) do not match the buffer (${buffer.byteLength} bytes)`;
  if (w[MAX_BYTES]! < 1 || arenaBytesFor(w[MAX_BYTES]!) !== w[ARENA_BYTES]) return `its maxBytes word (${w[MAX_BYTES]}) does not match its arena`;
  return null;
}

/** The default and the largest `maxBytes` a queue accepts: what queue.ts needs of the layout besides the header functions (it names no word). */
export function maxBytesRange(): readonly [defaultBytes: number, largest: number] {
  return [DEFAULT_MAX_BYTES, MAX_MAX_BYTES];
}
