import { provenStopped } from './dead-threads.js';
import { corrupted, stateOk, stateProblem } from './integrity.js';
import { Journal } from './journal.js';
import { KIND_PRIORITY } from './kinds.js';
import { COUNT, GETTERS, J_CAP, JOINERS, type ListId, PUTTERS, SHUTDOWN, SLOT_COUNT, UNFINISHED, headerBytes, readHeader } from './layout.js';
import { threadToken } from './platform.js';
import { Records } from './records.js';
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

/** What a get took: the item's bytes, outside shared memory, and its priority (0 but in a PriorityQueue). One object per instance, refilled by every get: valid until the instance's next get. */
export interface Taken {
  /** The item is `bytes[0 … len)`: the instance's scratch buffer. */
  readonly bytes: Uint8Array;
  readonly len: number;
  readonly priority: number;
}

/** What a getMany took, in the order single gets would have taken it: the items' bytes one after another in `bytes`, each from a 4-byte boundary (src/copy.ts wordEnd; the scratch buffer, valid until the next get, as for Taken), and per item its length and priority. */
export interface TakenMany {
  readonly bytes: Uint8Array;
  readonly lens: number[];
  readonly priorities: number[];
}

/** A putMany batch, encoded: the items' bytes one after another, each from a 4-byte boundary (src/copy.ts wordEnd), and per item its length, record size and priority. */
export interface Batch {
  bytes: Uint8Array;
  /** The Int32 view of `bytes`' buffer (which it starts). */
  words: Int32Array;
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
 * The items themselves, as records in the arena, are src/records.ts's.
 *
 * One Core per attached queue instance (per thread).
 */
export class Core {
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
  private readonly j: Journal;
  private readonly ring: Ring;
  private readonly records: Records;
  private readonly lists: WaiterLists;

  constructor(buffer: SharedArrayBuffer) {
    this.w = new Int32Array(buffer);
    const u8 = new Uint8Array(buffer);
    const f64 = new Float64Array(buffer, 0, buffer.byteLength >> 3);
    const h = readHeader(buffer);
    this.isPriority = h.kind === KIND_PRIORITY;
    this.maxsize = h.maxsize;
    this.maxBytes = h.maxBytes;
    this.arena = h.arenaBytes;
    this.header = headerBytes(h.kind);
    this.j = new Journal(this.w);
    const me = threadToken();
    this.section = new Section(this.w, me, this.j, () => this.begun());
    this.ring = new Ring(this.w, u8, f64, this.arena, this.j);
    this.records = new Records(this.w, u8, f64, this.j, this.ring, h.kind, this.arena);
    this.lists = new WaiterLists(this.w, this.section.toNotify, this.j, this.ring, this.maxsize, this.arena, me);
    this.recovery = new Recovery(this.w, this.section, this.j, this.ring, this.lists);
    // A lock holder this thread watches (Queue.watch) that has certainly
    // stopped is recovered by whoever of this thread waits for the lock.
    this.section.recoverHolder = (token) => provenStopped(token) && this.recovery.recoverNow(token);
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
    return this.records.size(len);
  }

  // ---- items (CPython's put / get, with the queue's own checks) -------------

  /**
   * Python's order: shut down first, then full (by count, then by room).
   * `len` is the byte length of `bytes`, read once by the caller through the
   * intrinsic getter.
   */
  putLocked(bytes: Uint8Array, len: number, priority: number): Result {
    const w = this.w;
    if (w[SHUTDOWN]) return CLOSED;
    if (this.maxsize > 0 && w[COUNT]! >= this.maxsize) return BLOCKED;
    if (!this.records.append(bytes, len, priority)) return BLOCKED;
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
    if (!this.records.appendAll(batch)) return BLOCKED;
    this.added(n);
    return OK;
  }

  /** Counts `n` items just added as unfinished tasks, and wakes a getter for each. */
  private added(n: number): void {
    const w = this.w;
    // A 31-bit counter: it saturates rather than wrap (README, Limitations).
    this.j.set(UNFINISHED, Math.min(0x7fffffff, w[UNFINISHED]! + n));
    // Notify one getter whenever an item is added.
    for (let i = 0; i < n && this.lists.has(GETTERS); i++) this.lists.signalFirst(GETTERS);
  }

  /** Whether the instance's scratch buffer is being decoded in place (see Records.lent). */
  lendScratch(lent: boolean): void {
    this.records.lent = lent;
  }

  /** Takes one item. Python's order: an item if any, then shut down, then empty. */
  getLocked(): Taken | typeof BLOCKED | typeof CLOSED {
    const w = this.w;
    if (w[COUNT] === 0) return w[SHUTDOWN] ? CLOSED : BLOCKED;
    const taken = this.records.takeOne();
    // Notify putters whenever room is freed.
    this.lists.signalPutters();
    return taken;
  }

  /**
   * getLocked that lends the item's bytes to `fn` in place (the bytes
   * codec's zero-copy read) and returns what `fn` returns. `fn` runs with
   * the lock held: while it runs, no other call of this queue proceeds, in
   * any thread (src/section.ts refuses a call of this queue from `fn`).
   */
  getViewLocked<R>(fn: (view: Uint8Array) => R): { value: R } | typeof BLOCKED | typeof CLOSED {
    const w = this.w;
    if (w[COUNT] === 0) return w[SHUTDOWN] ? CLOSED : BLOCKED;
    const value = this.section.lend(() => this.records.lendOne(fn));
    this.lists.signalPutters();
    return { value };
  }

  /** putLocked of `len` bytes that `fill` writes in place (the zero-copy write); as getViewLocked, `fill` runs with the lock held. */
  putViewLocked(len: number, fill: (view: Uint8Array) => void): Result {
    const w = this.w;
    if (w[SHUTDOWN]) return CLOSED;
    if (this.maxsize > 0 && w[COUNT]! >= this.maxsize) return BLOCKED;
    if (!this.section.lend(() => this.records.appendFilled(len, fill))) return BLOCKED;
    this.added(1);
    return OK;
  }

  /** getLocked for up to `max` items, in the order single gets would take them. */
  getManyLocked(max: number): TakenMany | typeof BLOCKED | typeof CLOSED {
    const w = this.w;
    if (w[COUNT] === 0) return w[SHUTDOWN] ? CLOSED : BLOCKED;
    const taken = this.records.take(Math.min(max, w[COUNT]!, this.isPriority ? PRIORITY_BATCH : Infinity));
    this.lists.signalPutters();
    return taken;
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
      this.records.clear();
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
