import {
  COUNT,
  GETTERS,
  HEAD,
  J_CAP,
  JOINERS,
  KIND_FIFO,
  KIND_LIFO,
  KIND_PRIORITY,
  LAST,
  LIVE,
  type Kind,
  type ListId,
  PUTTERS,
  R_FLAGS,
  R_LEN,
  R_PREV,
  R_PRIORITY,
  R_SIZE,
  SHUTDOWN,
  SLOT_COUNT,
  TAIL,
  UNFINISHED,
  USED,
  align8,
  headerBytes,
  readHeader,
} from './layout.js';
import { checkRecord, corrupted, stateOk, stateProblem } from './integrity.js';
import { Journal } from './journal.js';
import { threadToken } from './platform.js';
import { Recovery } from './recovery.js';
import { Ring } from './ring.js';
import { Section } from './section.js';
import { SlotWait } from './slot-wait.js';
import { WaiterLists } from './waiters.js';

/** The waiter lists (getters, putters, joiners): what a face waits on (slotWait()). */
export { GETTERS, JOINERS, PUTTERS, type ListId } from './layout.js';

/** Results of the core's operations. */
export const OK = 0;
export const BLOCKED = 1; // empty for a get, full for a put, unfinished tasks for a join
export const CLOSED = 2; // shut down
export type Result = typeof OK | typeof BLOCKED | typeof CLOSED;

/** What a get took: the item's bytes, outside shared memory, and its priority (0 but in a PriorityQueue). */
export interface Taken {
  /** A view of the instance's scratch buffer, valid until its next get; a fresh array for a codec that keeps it. */
  readonly bytes: Uint8Array;
  readonly priority: number;
}

/** What a getMany took, in the order single gets would have taken it (views valid until the next get, as for Taken). */
export interface TakenMany {
  readonly items: Uint8Array[];
  readonly priorities: number[];
}

/** A putMany batch, encoded: the items' bytes end to end, and per item its length, record size and priority. */
export interface Batch {
  bytes: Uint8Array;
  lens: number[];
  sizes: number[];
  priorities: number[];
  /** The arena bytes of all its records. */
  need: number;
}

/**
 * A priority getMany takes at most this many items per lock hold: each one
 * journals its record's flag, and the journal must also hold a full wake-up
 * walk (docs/design.md, "Dead peers").
 */
const PRIORITY_BATCH = J_CAP - 4 * SLOT_COUNT;

/**
 * Every rule of the queue, in one place that never waits: what put, get,
 * taskDone, shutdown and join do to the shared state, and whom they wake
 * (CPython's `_put` / `_get`, plus the notifies). Both faces call these
 * steps; they only add the waiting. A step named `…Locked` runs inside a
 * critical section (`section.run()`), which commits it and sends the
 * notifications it decided on after the release, or undoes it if it throws.
 * The shared words and the waiter lists are this class's own: the faces see
 * the steps, the snapshots, and a slot handle (slotWait()) for waiting.
 *
 * One Core per attached queue instance (per thread): it owns that instance's
 * scratch buffer for item bytes.
 */
export class Core {
  private readonly kind: Kind;
  /** A PriorityQueue: every item carries a priority. */
  readonly isPriority: boolean;
  /** As given; <= 0 means no limit by count. */
  readonly maxsize: number;
  readonly maxBytes: number;
  /** The arena's size in bytes. */
  readonly arena: number;
  /** Every critical section on this queue instance runs through it. */
  readonly section: Section;
  /** Dead-peer recovery, for Queue.watch / Queue.recover. */
  readonly recovery: Recovery;
  private readonly header: number;
  private readonly w: Int32Array;
  private readonly u8: Uint8Array;
  private readonly f64: Float64Array;
  private readonly j: Journal;
  private readonly ring: Ring;
  private readonly lists: WaiterLists;
  private scratch = new Uint8Array(256);

  constructor(
    buffer: SharedArrayBuffer,
    private readonly freshCopy: boolean,
  ) {
    this.w = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.f64 = new Float64Array(buffer, 0, buffer.byteLength >> 3);
    const h = readHeader(buffer);
    this.kind = h.kind;
    this.isPriority = h.kind === KIND_PRIORITY;
    this.maxsize = h.maxsize;
    this.maxBytes = h.maxBytes;
    this.arena = h.arenaBytes;
    this.header = headerBytes(this.kind);
    this.j = new Journal(this.w);
    const me = threadToken();
    this.section = new Section(this.w, me, this.j, () => this.begun());
    this.ring = new Ring(this.w, this.u8, this.f64, this.arena, this.j);
    this.lists = new WaiterLists(this.w, this.section.toNotify, this.j, this.ring, this.maxsize, this.arena, me);
    this.recovery = new Recovery(this.w, this.section, this.j, this.ring, this.lists);
  }

  /** Called by the section with the lock just taken: the state words are checked before any is used (src/integrity.ts). */
  private begun(): void {
    if (!stateOk(this.w, this.arena, this.header, this.maxsize))
      throw corrupted(stateProblem(this.w, this.arena, this.header, this.maxsize) ?? 'the state words changed while checked');
    this.ring.sync();
  }

  /** A waiter's handle on one list's slots (src/slot-wait.ts): one per waiting party. */
  slotWait(list: ListId): SlotWait {
    return new SlotWait(this.w, this.lists, list);
  }

  /** The record size, header included, an item of `len` payload bytes takes. */
  recordSize(len: number): number {
    return align8(this.header + len);
  }

  // ---- items -------------------------------------------------------------

  /**
   * Python's order: shut down first, then full (by count, then by room).
   * `len` is the byte length of `bytes`, read once by the caller through the
   * intrinsic getter.
   */
  putLocked(bytes: Uint8Array, len: number, priority: number): Result {
    const w = this.w;
    if (w[SHUTDOWN]) return CLOSED;
    if (this.maxsize > 0 && w[COUNT]! >= this.maxsize) return BLOCKED;
    const size = this.recordSize(len);
    const off = this.ring.place(size);
    if (off < 0) return BLOCKED;
    this.write(off, size, bytes, len, priority);
    this.added(1);
    return OK;
  }

  /**
   * putLocked for a batch: all its items, one after the other in order, or
   * none (BLOCKED) until there is room for all of them.
   */
  putManyLocked(batch: Batch): Result {
    const w = this.w;
    const n = batch.lens.length;
    if (w[SHUTDOWN]) return CLOSED;
    if (this.maxsize > 0 && w[COUNT]! + n > this.maxsize) return BLOCKED;
    if (!this.ring.fitsAll(batch.sizes) && !(this.ring.compactHoles() && this.ring.fitsAll(batch.sizes))) return BLOCKED;
    for (let i = 0, at = 0; i < n; i++) {
      const len = batch.lens[i]!;
      const size = batch.sizes[i]!;
      this.write(this.ring.place(size), size, batch.bytes.subarray(at, at + len), len, batch.priorities[i] ?? 0);
      at += len;
    }
    this.added(n);
    return OK;
  }

  /**
   * Writes and counts one record at `off`, a place the ring has just given
   * it (counted at once: place() resets an empty ring). The record is in free
   * space, so only the state words go through the journal.
   */
  private write(off: number, size: number, bytes: Uint8Array, len: number, priority: number): void {
    const w = this.w;
    const b = this.ring.at(off);
    w[(b + R_SIZE) >> 2] = size;
    w[(b + R_LEN) >> 2] = len;
    w[(b + R_PREV) >> 2] = w[LAST]!;
    w[(b + R_FLAGS) >> 2] = LIVE;
    if (this.header > R_PRIORITY) this.f64[(b + R_PRIORITY) >> 3] = priority;
    this.u8.set(bytes, b + this.header);
    const j = this.j;
    j.set(LAST, off);
    j.set(USED, w[USED]! + size);
    j.set(COUNT, w[COUNT]! + 1);
  }

  /** Counts `n` items just written as unfinished tasks, and wakes a getter for each. */
  private added(n: number): void {
    const w = this.w;
    // A 31-bit counter: it saturates rather than wrap (README, Limitations).
    this.j.set(UNFINISHED, Math.min(0x7fffffff, w[UNFINISHED]! + n));
    // Notify one getter whenever an item is added.
    for (let i = 0; i < n && this.lists.has(GETTERS); i++) this.lists.signalFirst(GETTERS);
  }

  /** Takes one item. Python's order: an item if any, then shut down, then empty. */
  getLocked(): Taken | typeof BLOCKED | typeof CLOSED {
    const w = this.w;
    if (w[COUNT] === 0) return w[SHUTDOWN] ? CLOSED : BLOCKED;
    const off = this.pick();
    const b = this.ring.at(off);
    const taken: Taken = { bytes: this.copyOut(b + this.header, w[(b + R_LEN) >> 2]!, 0), priority: this.priorityAt(b) };
    this.remove(off);
    // Notify putters whenever room is freed.
    this.lists.signalPutters();
    return taken;
  }

  /** getLocked for up to `max` items, in the order single gets would take them. */
  getManyLocked(max: number): TakenMany | typeof BLOCKED | typeof CLOSED {
    const w = this.w;
    if (w[COUNT] === 0) return w[SHUTDOWN] ? CLOSED : BLOCKED;
    const k = Math.min(max, w[COUNT]!, this.kind === KIND_PRIORITY ? PRIORITY_BATCH : Infinity);
    const items: Uint8Array[] = [];
    const priorities: number[] = [];
    const lens: number[] = [];
    for (let i = 0, at = 0; i < k; i++) {
      const off = this.pick();
      const b = this.ring.at(off);
      const len = w[(b + R_LEN) >> 2]!;
      const item = this.copyOut(b + this.header, len, at);
      if (this.freshCopy) items.push(item);
      else at += len;
      lens.push(len);
      priorities.push(this.priorityAt(b));
      this.remove(off);
    }
    if (!this.freshCopy) {
      // Views are made once all items are in: the scratch buffer may have grown meanwhile.
      for (let i = 0, at = 0; i < k; at += lens[i++]!) items.push(this.scratch.subarray(at, at + lens[i]!));
    }
    this.lists.signalPutters();
    return { items, priorities };
  }

  /** The priority of the record at byte `b` (0 but in a priority queue). */
  private priorityAt(b: number): number {
    return this.header > R_PRIORITY ? this.f64[(b + R_PRIORITY) >> 3]! : 0;
  }

  /** The offset of the record the next get takes: the oldest, the newest, or the first of the lowest priority. */
  private pick(): number {
    const off = this.kind === KIND_FIFO ? this.w[HEAD]! : this.kind === KIND_LIFO ? this.w[LAST]! : this.ring.findMin();
    checkRecord(this.w, this.ring.at(off), off, this.arena, this.header, true);
    return off;
  }

  /** Removes the record at `off` (just copied out) from the ring. */
  private remove(off: number): void {
    const w = this.w;
    const j = this.j;
    const b = this.ring.at(off);
    j.set(COUNT, w[COUNT]! - 1);
    if (w[COUNT] === 0) this.ring.reset();
    else if (this.kind === KIND_FIFO) {
      j.set(USED, w[USED]! - w[(b + R_SIZE) >> 2]!);
      j.set(HEAD, this.ring.next(off));
    } else if (this.kind === KIND_LIFO) {
      j.set(USED, w[USED]! - w[(b + R_SIZE) >> 2]!);
      j.set(TAIL, off);
      j.set(LAST, w[(b + R_PREV) >> 2]!);
    } else this.ring.takeFromMiddle(off);
  }

  /**
   * Copies an item's bytes out of shared memory: into a fresh array when the
   * codec keeps it, else into the scratch buffer at `at` (growing it, and
   * keeping its first `at` bytes).
   */
  private copyOut(from: number, len: number, at: number): Uint8Array {
    // A fresh copy: slice() allocates the non-shared array and copies in one
    // call, with no view of shared memory (about 20% faster for 64 KiB).
    if (this.freshCopy) return this.u8.slice(from, from + len);
    if (this.scratch.length < at + len) {
      const grown = new Uint8Array(Math.max(at + len, this.scratch.length * 2));
      grown.set(this.scratch.subarray(0, at));
      this.scratch = grown;
    }
    const dst = this.scratch.subarray(at, at + len);
    dst.set(this.u8.subarray(from, from + len));
    return dst;
  }

  // ---- tasks and shutdown --------------------------------------------------

  /** Returns false (and changes nothing) when called more times than items were put. */
  taskDoneLocked(): boolean {
    const w = this.w;
    if (w[UNFINISHED]! <= 0) return false;
    this.j.set(UNFINISHED, w[UNFINISHED]! - 1);
    // Notify every joiner when the last task is done.
    if (w[UNFINISHED] === 0) this.lists.signalAll(JOINERS);
    return true;
  }

  joinLocked(): Result {
    return this.w[UNFINISHED] === 0 ? OK : BLOCKED;
  }

  shutdownLocked(immediate: boolean): void {
    const w = this.w;
    const j = this.j;
    j.set(SHUTDOWN, 1);
    if (immediate && w[COUNT]! > 0) {
      j.set(UNFINISHED, Math.max(0, w[UNFINISHED]! - w[COUNT]!));
      j.set(COUNT, 0);
      this.ring.reset();
      if (w[UNFINISHED] === 0) this.lists.signalAll(JOINERS);
    }
    // Every getter and putter re-checks: putters throw, getters drain or throw.
    this.lists.signalAll(GETTERS);
    this.lists.signalAll(PUTTERS);
  }

  // ---- snapshots (no lock) -------------------------------------------------

  // Read without the lock, but checked as the lock holder would: a snapshot
  // of garbage is refused, not handed out.

  count(): number {
    const n = Atomics.load(this.w, COUNT);
    if (n >= 0 && n * this.header <= this.arena) return n;
    throw corrupted(`COUNT is ${n}`);
  }

  unfinished(): number {
    const n = Atomics.load(this.w, UNFINISHED);
    if (n < 0) throw corrupted(`UNFINISHED is ${n}`);
    return n;
  }

  isShutDown(): boolean {
    const v = Atomics.load(this.w, SHUTDOWN);
    if (v === 0 || v === 1) return v === 1;
    throw corrupted(`SHUTDOWN is ${v}`);
  }
}
