import {
  ARENA_BYTES,
  ARENA_OFFSET,
  CANCELLED,
  COUNT,
  FREE_SLOT,
  GETTERS,
  HEAD,
  JOINERS,
  KIND,
  KIND_FIFO,
  KIND_LIFO,
  LAST,
  LIST_HEAD,
  LIST_TAIL,
  LIVE,
  type Kind,
  type ListId,
  MAXSIZE,
  PASSED_ON,
  PUTTERS,
  R_FLAGS,
  R_LEN,
  R_PREV,
  R_PRIORITY,
  R_SIZE,
  S_ITEMS,
  S_NEED,
  S_NEXT,
  S_PREV,
  S_STATE,
  SHUTDOWN,
  SIGNALLED,
  SLOT_BASE,
  SLOT_COUNT,
  SLOT_WORDS,
  TAIL,
  UNFINISHED,
  USED,
  WAITING,
  align8,
  headerBytes,
} from './layout.js';
import { checkRecord, checkSlot, corrupted, stateOk, stateProblem, tooManySteps } from './integrity.js';
import { lock, unlock } from './lock.js';
import { Ring } from './ring.js';

/** A putMany batch, encoded: the items' bytes end to end, and per item its length, record size and priority. */
export interface Batch {
  bytes: Uint8Array;
  lens: number[];
  sizes: number[];
  priorities: number[];
  /** The arena bytes of all its records. */
  need: number;
}

/** Results of the core's operations. */
export const OK = 0;
export const BLOCKED = 1; // empty for a get, full for a put, unfinished tasks for a join
export const CLOSED = 2; // shut down
export type Result = typeof OK | typeof BLOCKED | typeof CLOSED;

/**
 * Every rule of the queue, in one place that never waits. Both faces call
 * these methods; they only add the waiting. Methods named `…Locked` must be
 * called with the lock held (`lock()` … `unlock()`); `unlock()` then sends
 * the notifications the critical section decided on, after the release, so a
 * woken thread does not at once block on the lock.
 *
 * One Core per attached queue instance (per thread): it owns that instance's
 * scratch buffer for item bytes and its list of slots to notify.
 */
export class Core {
  readonly w: Int32Array;
  readonly kind: Kind;
  readonly maxsize: number;
  readonly arena: number;
  readonly header: number;
  private readonly u8: Uint8Array;
  private readonly f64: Float64Array;
  private readonly toNotify: number[] = [];
  private scratch = new Uint8Array(256);
  private readonly ring: Ring;

  /** The item the last successful getLocked() took: its bytes (outside shared memory) and priority. */
  taken: Uint8Array = this.scratch;
  takenPriority = 0;
  /** The items the last successful getManyLocked() took, and their priorities. */
  readonly takenMany: Uint8Array[] = [];
  readonly takenPriorities: number[] = [];
  private readonly takenLens: number[] = [];

  constructor(
    buffer: SharedArrayBuffer,
    private readonly freshCopy: boolean,
  ) {
    this.w = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.f64 = new Float64Array(buffer, 0, buffer.byteLength >> 3);
    this.kind = this.w[KIND] as Kind;
    this.maxsize = this.w[MAXSIZE]!;
    this.arena = this.w[ARENA_BYTES]!;
    this.header = headerBytes(this.kind);
    this.ring = new Ring(this.w, this.u8, this.f64, this.arena);
  }

  lock(): void {
    lock(this.w);
    // Check the state words before any is trusted as an offset or a count
    // (src/integrity.ts); on garbage, release the lock and refuse.
    if (!stateOk(this.w, this.arena, this.header, this.maxsize)) {
      unlock(this.w);
      throw corrupted(stateProblem(this.w, this.arena, this.header, this.maxsize) ?? 'the state words changed while checked');
    }
  }

  unlock(): void {
    unlock(this.w);
    const n = this.toNotify.length;
    if (n === 0) return;
    for (let i = 0; i < n; i++) {
      // The slot's state was stored (SIGNALLED) under the lock; the waiter
      // re-checks it after any wake, so a notify that arrives late, even at a
      // slot since reused by another waiter, is only a spurious wake-up.
      Atomics.notify(this.w, slotWord(this.toNotify[i]!) + S_STATE, 1);
    }
    this.toNotify.length = 0;
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

  /** Writes and counts one record at `off`, a place the ring has just given it (counted at once: place() resets an empty ring). */
  private write(off: number, size: number, bytes: Uint8Array, len: number, priority: number): void {
    const w = this.w;
    const b = ARENA_OFFSET + off;
    w[(b + R_SIZE) >> 2] = size;
    w[(b + R_LEN) >> 2] = len;
    w[(b + R_PREV) >> 2] = w[LAST]!;
    w[(b + R_FLAGS) >> 2] = LIVE;
    if (this.header > R_PRIORITY) this.f64[(b + R_PRIORITY) >> 3] = priority;
    this.u8.set(bytes, b + this.header);
    w[LAST] = off;
    w[USED]! += size;
    w[COUNT]!++;
  }

  /** Counts `n` items just written as unfinished tasks, and wakes a getter for each. */
  private added(n: number): void {
    const w = this.w;
    // A 31-bit counter: it saturates rather than wrap (README, Limitations).
    w[UNFINISHED] = Math.min(0x7fffffff, w[UNFINISHED]! + n);
    // Notify one getter whenever an item is added.
    for (let i = 0; i < n && w[LIST_HEAD + GETTERS]! >= 0; i++) this.signalFirst(GETTERS);
  }

  /** Takes one item into `taken`/`takenPriority`. Python's order: an item if any, then shut down, then empty. */
  getLocked(): Result {
    const w = this.w;
    if (w[COUNT] === 0) return w[SHUTDOWN] ? CLOSED : BLOCKED;
    const b = ARENA_OFFSET + this.pick();
    this.taken = this.copyOut(b + this.header, w[(b + R_LEN) >> 2]!, 0);
    this.takenPriority = this.header > R_PRIORITY ? this.f64[(b + R_PRIORITY) >> 3]! : 0;
    this.remove(b - ARENA_OFFSET);
    // Notify putters whenever room is freed.
    this.signalPutters();
    return OK;
  }

  /**
   * getLocked for up to `max` items, in the order single gets would take
   * them: into `takenMany` (views of the scratch buffer, or fresh arrays) and
   * `takenPriorities`.
   */
  getManyLocked(max: number): Result {
    const w = this.w;
    if (w[COUNT] === 0) return w[SHUTDOWN] ? CLOSED : BLOCKED;
    const k = Math.min(max, w[COUNT]!);
    const lens = this.takenLens;
    lens.length = 0;
    this.takenMany.length = 0;
    this.takenPriorities.length = 0;
    for (let i = 0, at = 0; i < k; i++) {
      const b = ARENA_OFFSET + this.pick();
      const len = w[(b + R_LEN) >> 2]!;
      const item = this.copyOut(b + this.header, len, at);
      if (this.freshCopy) this.takenMany.push(item);
      else at += len;
      lens.push(len);
      this.takenPriorities.push(this.header > R_PRIORITY ? this.f64[(b + R_PRIORITY) >> 3]! : 0);
      this.remove(b - ARENA_OFFSET);
    }
    if (!this.freshCopy) {
      // Views are made once all items are in: the scratch buffer may have grown meanwhile.
      for (let i = 0, at = 0; i < k; at += lens[i++]!) this.takenMany.push(this.scratch.subarray(at, at + lens[i]!));
    }
    this.signalPutters();
    return OK;
  }

  /** The offset of the record the next get takes: the oldest, the newest, or the first of the lowest priority. */
  private pick(): number {
    const off = this.kind === KIND_FIFO ? this.w[HEAD]! : this.kind === KIND_LIFO ? this.w[LAST]! : this.ring.findMin();
    checkRecord(this.w, ARENA_OFFSET + off, off, this.arena, this.header, true);
    return off;
  }

  /** Removes the record at `off` (just copied out) from the ring. */
  private remove(off: number): void {
    const w = this.w;
    const b = ARENA_OFFSET + off;
    if (--w[COUNT]! === 0) this.ring.reset();
    else if (this.kind === KIND_FIFO) {
      w[USED]! -= w[(b + R_SIZE) >> 2]!;
      w[HEAD] = this.ring.next(off);
    } else if (this.kind === KIND_LIFO) {
      w[USED]! -= w[(b + R_SIZE) >> 2]!;
      w[TAIL] = off;
      w[LAST] = w[(b + R_PREV) >> 2]!;
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
    // Notify every joiner when the last task is done.
    if (--w[UNFINISHED]! === 0) this.signalAll(JOINERS);
    return true;
  }

  joinLocked(): Result {
    return this.w[UNFINISHED] === 0 ? OK : BLOCKED;
  }

  shutdownLocked(immediate: boolean): void {
    const w = this.w;
    w[SHUTDOWN] = 1;
    if (immediate && w[COUNT]! > 0) {
      w[UNFINISHED] = Math.max(0, w[UNFINISHED]! - w[COUNT]!);
      w[COUNT] = 0;
      this.ring.reset();
      if (w[UNFINISHED] === 0) this.signalAll(JOINERS);
    }
    // Every getter and putter re-checks: putters throw, getters drain or throw.
    this.signalAll(GETTERS);
    this.signalAll(PUTTERS);
  }

  // ---- waiter slots --------------------------------------------------------

  /**
   * Registers a waiter on `list` (lock held): a free slot, its state WAITING,
   * linked at the tail, or at the head for a waiter that was signalled and
   * found its chance taken, so it keeps its place. Returns -1 when no slot is
   * free; the caller then polls.
   */
  registerLocked(list: ListId, need: number, items: number, atHead: boolean): number {
    const w = this.w;
    const s = checkSlot(w[FREE_SLOT]!);
    if (s < 0) return -1;
    const sw = slotWord(s);
    w[FREE_SLOT] = checkSlot(w[sw + S_NEXT]!);
    w[sw + S_NEED] = need;
    w[sw + S_ITEMS] = items;
    // Plain store is enough: the waiter reads it after taking the lock or via
    // Atomics.wait, and the signaller writes it only with the lock held.
    Atomics.store(w, sw + S_STATE, WAITING);
    const head = checkSlot(w[LIST_HEAD + list]!);
    const tail = checkSlot(w[LIST_TAIL + list]!);
    if ((head < 0) !== (tail < 0)) throw corrupted(`waiter list ${list} has head ${head}, tail ${tail}`);
    if (head < 0) {
      w[sw + S_NEXT] = -1;
      w[sw + S_PREV] = -1;
      w[LIST_HEAD + list] = s;
      w[LIST_TAIL + list] = s;
    } else if (atHead) {
      w[sw + S_NEXT] = head;
      w[sw + S_PREV] = -1;
      w[slotWord(head) + S_PREV] = s;
      w[LIST_HEAD + list] = s;
    } else {
      w[sw + S_NEXT] = -1;
      w[sw + S_PREV] = tail;
      w[slotWord(tail) + S_NEXT] = s;
      w[LIST_TAIL + list] = s;
    }
    return s;
  }

  /**
   * Ends a wait (lock held): unlinks the slot if nobody signalled it (timeout),
   * frees it, and returns the state it ended in.
   */
  endWaitLocked(list: ListId, s: number): number {
    const sw = slotWord(s);
    const state = checkState(Atomics.load(this.w, sw + S_STATE));
    if (state === WAITING) this.leave(list, s);
    this.w[sw + S_NEXT] = this.w[FREE_SLOT]!;
    this.w[FREE_SLOT] = s;
    return state;
  }

  /**
   * Withdraws a waiter that will not use a wake-up (an async pump whose calls
   * were all cancelled), lock held. If it was still listed it is unlinked and
   * marked CANCELLED; if a signal had already reached it, the signal is passed
   * on to the next waiter of the list, so no wake-up is ever absorbed. The
   * caller notifies the slot after unlocking, so its own wait settles now; the
   * slot stays its owner's until that owner calls endWaitLocked.
   */
  withdrawLocked(list: ListId, s: number): void {
    const sw = slotWord(s);
    const state = checkState(Atomics.load(this.w, sw + S_STATE));
    if (state === WAITING) {
      this.leave(list, s);
      Atomics.store(this.w, sw + S_STATE, CANCELLED);
    } else if (state === SIGNALLED) {
      Atomics.store(this.w, sw + S_STATE, PASSED_ON);
      this.passOnLocked(list);
    }
    this.toNotify.push(s);
  }

  /**
   * Ends the wait of this instance's own slot `s` without the lock, for a
   * queue whose shared state was found corrupted: the waiter wakes, meets
   * the error and stops, instead of waiting for a signal that may never come.
   */
  abandon(s: number): void {
    Atomics.store(this.w, slotWord(s) + S_STATE, CANCELLED);
    Atomics.notify(this.w, slotWord(s) + S_STATE);
  }

  /** Gives a wake-up that its receiver will not use to whoever can use it. */
  passOnLocked(list: ListId): void {
    if (list === GETTERS) {
      if (this.w[COUNT]! > 0 || this.w[SHUTDOWN]) this.signalFirst(GETTERS);
    } else if (list === PUTTERS) this.signalPutters();
    // Joiners are all signalled at once: there is nothing to pass on.
  }

  /**
   * Unlinks a waiter that leaves without a signal. A putter at the head may
   * have stopped the walk with an item that did not fit: the putters behind
   * it get their chance now.
   */
  private leave(list: ListId, s: number): void {
    this.unlink(list, s);
    if (list === PUTTERS) this.signalPutters();
  }

  private unlink(list: ListId, s: number): void {
    const w = this.w;
    const sw = slotWord(s);
    const prev = checkSlot(w[sw + S_PREV]!);
    const next = checkSlot(w[sw + S_NEXT]!);
    if (prev < 0) w[LIST_HEAD + list] = next;
    else w[slotWord(prev) + S_NEXT] = next;
    if (next < 0) w[LIST_TAIL + list] = prev;
    else w[slotWord(next) + S_PREV] = prev;
  }

  private signal(list: ListId, s: number): void {
    this.unlink(list, s);
    // The waiter checks this word before and after sleeping; the notify that
    // wakes it is sent in unlock(), after the release.
    Atomics.store(this.w, slotWord(s) + S_STATE, SIGNALLED);
    this.toNotify.push(s);
  }

  private signalFirst(list: ListId): void {
    const s = checkSlot(this.w[LIST_HEAD + list]!);
    if (s >= 0) this.signal(list, s);
  }

  private signalAll(list: ListId): void {
    for (let s = checkSlot(this.w[LIST_HEAD + list]!), n = 0; s >= 0; s = checkSlot(this.w[LIST_HEAD + list]!)) {
      if (++n > SLOT_COUNT) throw tooManySteps('a waiter list');
      this.signal(list, s);
    }
  }

  /**
   * Signals putters from the head of the list, in order, while their items
   * fit in the room left. The first one that does not fit stops the walk, so
   * putters are served in arrival order and a large item is not starved. A
   * batch at the head is signalled when its bytes could fit in all: the
   * putter then tries exactly, and waits again at the head if they do not.
   */
  private signalPutters(): void {
    const w = this.w;
    let s = checkSlot(w[LIST_HEAD + PUTTERS]!);
    if (s < 0) return;
    if (w[SHUTDOWN]) return this.signalAll(PUTTERS);
    let room = this.maxsize > 0 ? this.maxsize - w[COUNT]! : Infinity;
    let bytes = w[COUNT] === 0 ? this.arena : this.arena - this.ring.liveBytes();
    for (let first = true, n = 0; s >= 0; first = false) {
      if (++n > SLOT_COUNT) throw tooManySteps('the putter list');
      const need = w[slotWord(s) + S_NEED]!;
      const items = w[slotWord(s) + S_ITEMS]!;
      if (items > room) return;
      if (first && items === 1 ? !this.ring.couldPlace(need) : need > bytes) return;
      const next = checkSlot(w[slotWord(s) + S_NEXT]!);
      this.signal(PUTTERS, s);
      room -= items;
      bytes -= need;
      s = next;
    }
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

  /** The word index of slot `s`'s state, for waiting on it. */
  stateIndex(s: number): number {
    return slotWord(s) + S_STATE;
  }
}

/** A slot's state word: one of WAITING, SIGNALLED, CANCELLED, PASSED_ON. */
function checkState(state: number): number {
  if (state < WAITING || state > PASSED_ON) throw corrupted(`a waiter slot's state is ${state}`);
  return state;
}

function slotWord(s: number): number {
  return SLOT_BASE + s * SLOT_WORDS;
}
