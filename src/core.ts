import { isWatched, provenStopped } from './dead-threads.js';
import { corrupted, stateOk, stateProblem } from './integrity.js';
import { Journal } from './journal.js';
import { KIND_FIFO, KIND_PRIORITY } from './kinds.js';
import { CANCELLED_PUT, COUNT, FILLED, GETTERS, J_CAP, JOINERS, LIST_HEAD, LOCK, type ListId, PUTTERS, RESERVE_MIN, RES_AT, RES_OWNER, SHUTDOWN, SLOT_COUNT, UNFINISHED, headerBytes, readHeader } from './layout.js';
import { threadToken } from './platform.js';
import { Records } from './records.js';
import { Recovery } from './recovery.js';
import { Ring } from './ring.js';
import { NO_LOCK, Section, retrySoon } from './section.js';
import { SlotWait } from './slot-wait.js';
import { WaiterLists } from './waiters.js';

const nothing = (): void => {};

/**
 * How long a large put waits for the lock to publish its item once copied:
 * briefly (the lock is held for short sections only); past it the item is
 * published by a retry from the event loop or by the next section of any
 * thread.
 */
const PUBLISH_PATIENCE_MS = 1;

/** The waiter lists (getters, putters, joiners): what a face waits on (slotWait()). */
export { GETTERS, JOINERS, PUTTERS, type ListId } from './layout.js';

/** Results of the core's operations. */
export const OK = 0;
export const BLOCKED = 1; // empty for a get, full for a put, unfinished tasks for a join
export const CLOSED = 2; // shut down
export type Result = typeof OK | typeof BLOCKED | typeof CLOSED;

/** What a get took: the item's bytes, outside shared memory, and its priority (0 but in a PriorityQueue). One object per instance, refilled by every get: valid until the instance's next get. */
export interface Taken {
  /** The item is `bytes[0 … len)`: the instance's scratch buffer, or, when `fresh`, an array of exactly its bytes made for it. */
  readonly bytes: Uint8Array;
  /** `bytes` is the item's own fresh array (Records.spare). */
  readonly fresh: boolean;
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
  /** A FIFO queue: large puts and putView copy outside the lock (reserve, fill, publish). */
  private readonly reserves: boolean;
  /** This thread's token (a reservation's owner). */
  private readonly me: number;
  // The reservation this instance made in the section that is ending, for
  // fillReserved() right after the release: its offset, and the bytes to
  // copy or the caller's fill.
  private resOff = -1;
  private resLen = 0;
  private resBytes: Uint8Array | undefined;
  private resFill: ((view: Uint8Array) => void) | undefined;

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
    this.me = me;
    this.reserves = h.kind === KIND_FIFO;
    this.section = new Section(this.w, me, this.j, () => this.begun());
    this.ring = new Ring(this.w, u8, f64, this.arena, this.j);
    this.records = new Records(this.w, u8, f64, this.j, this.ring, h.kind, this.arena);
    this.lists = new WaiterLists(this.w, this.section.toNotify, this.j, this.ring, this.maxsize, this.arena, me);
    this.recovery = new Recovery(this.w, this.section, this.j, this.ring, this.lists, (dead) => this.settleReservationLocked(dead));
    // A lock holder this thread watches (Queue.watch) that has certainly
    // stopped is recovered by whoever of this thread waits for the lock.
    this.section.recoverHolder = (token) => provenStopped(token) && this.recovery.recoverNow(token);
  }

  /** Called by the section with the lock just taken: the state words are checked before any is used (src/integrity.ts). */
  private begun(): void {
    if (!stateOk(this.w, this.arena, this.header, this.maxsize))
      throw corrupted(stateProblem(this.w, this.arena, this.header, this.maxsize) ?? 'the state words changed while checked');
    this.ring.sync();
    if (this.w[RES_AT] !== 0) this.settleReservationLocked(0);
  }

  /** A waiter's handle on one list's slots (src/slot-wait.ts): one per waiting party. */
  slotWait(list: ListId): SlotWait {
    return new SlotWait(this.w, this.lists, list, this.registeredLocked);
  }

  /**
   * Lock held, a getter or putter just listed: a large put filled meanwhile
   * and left to the next section (fillReserved) is published now. Its
   * putter stored FILLED, then looked whether anybody waits; this waiter
   * stores its listing, then looks at FILLED (both sequentially
   * consistent): one of the two sees the other, so the item is never left
   * uncounted while somebody sleeps for it (docs/design.md, "Publish when
   * somebody waits").
   */
  private readonly registeredLocked = (list: ListId): void => {
    const w = this.w;
    if (w[RES_AT] === 0 || list === JOINERS) return;
    Atomics.store(w, LIST_HEAD + list, w[LIST_HEAD + list]!);
    this.settleReservationLocked(0);
  };

  /** Without the lock, a hint: a large put's item is filled and waits for a section to count it. */
  reservedFilled(): boolean {
    const w = this.w;
    const at = Atomics.load(w, RES_AT);
    return at > 0 && at - 1 + this.header <= this.arena && Atomics.load(w, this.records.flagsWord(at - 1)) === FILLED;
  }

  /** Without the lock, a hint: an attempt to get may succeed now (an item, a filled large put, or a shutdown). */
  readonly itemReady = (): boolean => Atomics.load(this.w, COUNT) !== 0 || Atomics.load(this.w, SHUTDOWN) !== 0 || this.reservedFilled();

  /** Without the lock: nobody is listed as waiting for an item. */
  noGetterWaits(): boolean {
    return Atomics.load(this.w, LIST_HEAD + GETTERS) < 0;
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
    // Behind another thread's large put, still being copied: as full.
    if (w[RES_AT] !== 0) return BLOCKED;
    if (this.reserves && len >= RESERVE_MIN) return this.reserveLocked(len, bytes, undefined);
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
    if (w[RES_AT] !== 0) return BLOCKED;
    if (!this.records.appendAll(batch)) return BLOCKED;
    this.added(n);
    return OK;
  }

  // ---- large puts: reserve, copy outside the lock, publish -----------------
  // (docs/design.md, "Large puts: reserve, copy, publish")

  /**
   * Reserves the record of a FIFO put of `len` bytes (its bytes, or what
   * `fill` writes) and leaves the copy to fillReserved(), which the section
   * runs right after its release (Section.after). OK: the put will happen
   * (unless fill throws); BLOCKED if it does not fit now.
   */
  private reserveLocked(len: number, bytes: Uint8Array | undefined, fill: ((view: Uint8Array) => void) | undefined): Result {
    const off = this.records.reserve(len, this.me);
    if (off < 0) return BLOCKED;
    // Counted as unfinished now, so that join() waits for it (a rollback gives it back).
    this.j.set(UNFINISHED, Math.min(0x7fffffff, this.w[UNFINISHED]! + 1));
    this.resOff = off;
    this.resLen = len;
    this.resBytes = bytes;
    this.resFill = fill;
    this.section.afterWord = this.records.flagsWord(off);
    this.section.after = this.fillReserved;
    return OK;
  }

  /**
   * After the release: copies the reserved put's bytes (or runs its fill,
   * marked as lending the buffer), says FILLED (or CANCELLED_PUT if the copy
   * or fill threw, rethrown after), then settles it in a section of its own
   * (settleSoon). Any section that finds it FILLED publishes it first
   * (begun()), so if the lock is not free within PUBLISH_PATIENCE_MS the put
   * is done all the same: a retry from the event loop, or the next section
   * of any thread, counts it and wakes a getter.
   */
  private readonly fillReserved = (): void => {
    const off = this.resOff;
    const bytes = this.resBytes;
    const fill = this.resFill;
    const len = this.resLen;
    this.resBytes = undefined;
    this.resFill = undefined;
    const records = this.records;
    const section = this.section;
    const w = this.w;
    // Found in the section, so that the store after the copy calls nothing
    // but the built-in: a copy that ran out of stack still says CANCELLED_PUT.
    const flagsWord = section.afterWord;
    let filled = false;
    try {
      // Marked as lending the buffer: code that runs meanwhile (fill, or a
      // patched built-in) may not call this queue (src/section.ts lend()).
      section.lend(() => (fill === undefined ? records.fillReserved(off, bytes!, len) : fill(records.reservedView(off, len))));
      filled = true;
    } finally {
      Atomics.store(w, flagsWord, filled ? FILLED : CANCELLED_PUT);
      // A filled item is published by the next section of any thread
      // (begun()): now only if somebody is listed as waiting, for an item
      // or behind this reservation. A waiter that lists itself after these
      // loads sees FILLED and publishes it (registeredLocked).
      if (!filled || Atomics.load(w, LIST_HEAD + GETTERS) >= 0 || Atomics.load(w, LIST_HEAD + PUTTERS) >= 0) this.settleSoon();
    }
  };

  /**
   * After fillReserved: a section that publishes the put (done: its caller
   * must not see it fail, or it would put it again) or rolls it back; if the
   * lock is busy, a retry from the event loop, or the next section of any
   * thread, does it. Never throws.
   */
  private settleSoon(): void {
    const section = this.section;
    try {
      if (section.run(PUBLISH_PATIENCE_MS, nothing) === NO_LOCK) retrySoon(() => section.run(0, nothing) !== NO_LOCK).catch(nothing);
    } catch {
      // A corrupted buffer (the next call meets it) or no stack left: the next section settles it.
    }
  }

  /**
   * Lock held, a reservation outstanding (begun(), recovery): publishes it
   * if its putter filled it, rolls it back if the putter gave up or is the
   * stopped thread `dead` (0: none), else leaves it to its putter.
   */
  private settleReservationLocked(dead: number): void {
    const w = this.w;
    if (w[RES_AT] === 0) return;
    let s = this.records.reservedState(dead);
    // A putter this thread watches that has certainly stopped, found by any
    // section (a thread that only makes synchronous calls hears no 'exit'):
    // as the lock's holder is (src/section.ts recoverHolder).
    if (s === 'wait' && provenStopped(w[RES_OWNER]!)) s = this.records.reservedState(w[RES_OWNER]!);
    if (s === 'wait') return;
    if (s === 'publish') {
      this.records.publish();
      // Counted in unfinishedTasks since its reservation.
      if (this.lists.has(GETTERS)) this.lists.signalFirst(GETTERS);
    } else {
      this.records.unreserve(w[RES_AT]! - 1);
      this.unreserved();
    }
    // The putters that waited behind it.
    this.lists.signalPutters();
  }

  /** A reservation rolled back (or discarded by shutdown(true)): its unfinished task is given back; getters of a shut-down queue that waited for it re-check. */
  private unreserved(): void {
    const w = this.w;
    this.j.set(UNFINISHED, Math.max(0, w[UNFINISHED]! - 1));
    if (w[UNFINISHED] === 0) this.lists.signalAll(JOINERS);
    if (w[SHUTDOWN]) this.lists.signalAll(GETTERS);
  }

  /** Whether a large put's item is being copied (a snapshot): a shut-down queue is not drained until it is in. */
  reserving(): boolean {
    return Atomics.load(this.w, RES_AT) !== 0;
  }

  /** Whether a large put's reservation is outstanding whose putter this thread watches (its waits then probe it, src/sync-wait.ts). */
  reservedByWatched(): boolean {
    const at = Atomics.load(this.w, RES_AT);
    return at !== 0 && isWatched(Atomics.load(this.w, RES_OWNER));
  }

  /** Counts `n` items just added as unfinished tasks, and wakes a getter for each. */
  private added(n: number): void {
    const w = this.w;
    // A 31-bit counter: it saturates rather than wrap (README, Limitations).
    this.j.set(UNFINISHED, Math.min(0x7fffffff, w[UNFINISHED]! + n));
    // Notify one getter whenever an item is added.
    for (let i = 0; i < n && this.lists.has(GETTERS); i++) this.lists.signalFirst(GETTERS);
  }

  /** Without the lock: readies an array of `len` bytes for this instance's next get (see Records.spare). */
  spareFor(len: number): void {
    this.records.spareFor(len);
  }

  /** Whether the instance's scratch buffer is being decoded in place (see Records.lent). */
  lendScratch(lent: boolean): void {
    this.records.lent = lent;
  }

  /** COUNT is 0: shut down, and no large put that came before the shutdown is still being copied (its item is still to come). */
  private drained(): boolean {
    return this.w[SHUTDOWN] !== 0 && this.w[RES_AT] === 0;
  }

  /** Takes one item. Python's order: an item if any, then shut down, then empty. */
  getLocked(): Taken | typeof BLOCKED | typeof CLOSED {
    const w = this.w;
    if (w[COUNT] === 0) return this.drained() ? CLOSED : BLOCKED;
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
    if (w[COUNT] === 0) return this.drained() ? CLOSED : BLOCKED;
    const value = this.section.lend(() => this.records.lendOne(fn));
    this.lists.signalPutters();
    return { value };
  }

  /**
   * putLocked of `len` bytes that `fill` writes in place (the zero-copy
   * write). In a FIFO queue `fill` runs after the release, on the reserved
   * record (see reserveLocked); in a LIFO or priority queue, as for
   * getViewLocked, with the lock held. Either way no call of this queue may
   * be made from `fill` (src/section.ts lend()).
   */
  putViewLocked(len: number, fill: (view: Uint8Array) => void): Result {
    const w = this.w;
    if (w[SHUTDOWN]) return CLOSED;
    if (this.maxsize > 0 && w[COUNT]! >= this.maxsize) return BLOCKED;
    if (w[RES_AT] !== 0) return BLOCKED;
    if (this.reserves) return this.reserveLocked(len, undefined, fill);
    if (!this.section.lend(() => this.records.appendFilled(len, fill))) return BLOCKED;
    this.added(1);
    return OK;
  }

  /** getLocked for up to `max` items, in the order single gets would take them. */
  getManyLocked(max: number): TakenMany | typeof BLOCKED | typeof CLOSED {
    const w = this.w;
    if (w[COUNT] === 0) return this.drained() ? CLOSED : BLOCKED;
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
    if (immediate && (w[COUNT]! > 0 || w[RES_AT] !== 0)) {
      // A reservation's item is discarded too: its put came before the shutdown (and is counted unfinished).
      j.set(UNFINISHED, Math.max(0, w[UNFINISHED]! - w[COUNT]! - (w[RES_AT] !== 0 ? 1 : 0)));
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
    const w = this.w;
    // A large put's item filled and not yet counted (fillReserved): counted
    // first, in a short section, so a snapshot never misses a put that
    // returned; unless this thread holds the lock, through this instance
    // or another (a getView function, a second instance of the same buffer
    // in this thread, another build of the library).
    if (Atomics.load(w, RES_AT) !== 0 && this.reservedFilled() && this.section.free() && Atomics.load(w, LOCK) >>> 1 !== this.me) this.section.run(PUBLISH_PATIENCE_MS, nothing);
    const n = Atomics.load(w, COUNT);
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
