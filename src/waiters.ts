import {
  CANCELLED,
  COUNT,
  FREE_SLOT,
  GETTERS,
  JOINERS,
  LIST_HEAD,
  LIST_TAIL,
  type ListId,
  PASSED_ON,
  PUTTERS,
  RES_AT,
  S_ITEMS,
  S_LIST,
  S_NEED,
  S_NEXT,
  S_OWNER,
  S_PREV,
  S_STATE,
  SHUTDOWN,
  SIGNALLED,
  SLOT_COUNT,
  WAITING,
  slotWord,
} from './layout.js';
import { checkSlot, corrupted, tooManySteps } from './integrity.js';
import type { Journal } from './journal.js';
import type { Ring } from './ring.js';
import { ownEnds } from './slot-wait.js';

/**
 * The three waiter lists (getters, putters, joiners) and the free stack of
 * slots, in shared memory: who waits, in order, and whom to wake. Every
 * method runs with the lock held; the notifies it decides on are collected in
 * `toNotify` and sent by the Section after the release. CPython's queue has
 * one Condition per list; here each sleeping waiter owns a slot and sleeps on
 * its own futex word (S_STATE), so a signal wakes exactly the waiter chosen.
 */
export class WaiterLists {
  constructor(
    private readonly w: Int32Array,
    /** The section's list of slots to notify after the release. */
    private readonly toNotify: number[],
    private readonly j: Journal,
    private readonly ring: Ring,
    private readonly maxsize: number,
    private readonly arena: number,
    private readonly me: number,
  ) {}

  /**
   * Registers a waiter on `list`: a free slot, its state WAITING, linked at
   * the tail, or at the head for a waiter that was signalled and found its
   * chance taken, so it keeps its place. A putter's slot says the bytes and
   * items it needs. Returns -1 when no slot is free; the caller then polls.
   */
  registerLocked(list: ListId, need: number, items: number, atHead: boolean): number {
    const w = this.w;
    const j = this.j;
    const s = checkSlot(w[FREE_SLOT]!);
    if (s < 0) return -1;
    const sw = slotWord(s);
    j.set(FREE_SLOT, checkSlot(w[sw + S_NEXT]!));
    // Read only by whoever signals this waiter, after the register commits.
    w[sw + S_NEED] = need;
    w[sw + S_ITEMS] = items;
    // Journaled: a rollback must leave the slot exactly as it was on the free stack.
    j.setWord(sw + S_OWNER, this.me);
    j.setWord(sw + S_LIST, list);
    // The waiter reads its state with Atomics.load / Atomics.wait; the
    // signaller writes it only with the lock held.
    j.setAtomic(sw + S_STATE, WAITING);
    const head = checkSlot(w[LIST_HEAD + list]!);
    const tail = checkSlot(w[LIST_TAIL + list]!);
    if ((head < 0) !== (tail < 0)) throw corrupted(`waiter list ${list} has head ${head}, tail ${tail}`);
    if (head < 0) {
      j.setWord(sw + S_NEXT, -1);
      j.setWord(sw + S_PREV, -1);
      j.set(LIST_HEAD + list, s);
      j.set(LIST_TAIL + list, s);
    } else if (atHead) {
      j.setWord(sw + S_NEXT, head);
      j.setWord(sw + S_PREV, -1);
      j.setWord(slotWord(head) + S_PREV, s);
      j.set(LIST_HEAD + list, s);
    } else {
      j.setWord(sw + S_NEXT, -1);
      j.setWord(sw + S_PREV, tail);
      j.setWord(slotWord(tail) + S_NEXT, s);
      j.set(LIST_TAIL + list, s);
    }
    return s;
  }

  /**
   * Ends a wait: unlinks the slot if nobody signalled it (timeout), frees it,
   * and returns the state it ended in.
   */
  endWaitLocked(list: ListId, s: number): number {
    const sw = slotWord(s);
    const state = checkState(Atomics.load(this.w, sw + S_STATE));
    if (state === WAITING) this.leave(list, s);
    this.free(s);
    return state;
  }

  private free(s: number): void {
    this.j.setWord(slotWord(s) + S_OWNER, 0);
    this.j.setWord(slotWord(s) + S_NEXT, this.w[FREE_SLOT]!);
    this.j.set(FREE_SLOT, s);
  }

  /**
   * Withdraws a waiter that will not use a wake-up (an async pump whose calls
   * were all cancelled). If it was still listed it is unlinked and marked
   * CANCELLED; if a signal had already reached it, the signal is passed on to
   * the next waiter of the list, so no wake-up is ever absorbed. The slot is
   * notified after unlocking, so its own wait settles now; it stays its
   * owner's until that owner calls endWaitLocked.
   */
  withdrawLocked(list: ListId, s: number): void {
    const sw = slotWord(s);
    const state = checkState(Atomics.load(this.w, sw + S_STATE));
    if (state === WAITING) {
      this.leave(list, s);
      this.j.setAtomic(sw + S_STATE, CANCELLED);
    } else if (state === SIGNALLED) {
      this.j.setAtomic(sw + S_STATE, PASSED_ON);
      this.passOnLocked(list);
    }
    this.toNotify.push(s);
    this.endedHere(s);
  }

  /** Counts the end of slot `s`'s wait by this thread, if the slot is this thread's (src/slot-wait.ts ownEnds). */
  private endedHere(s: number): void {
    if (this.w[slotWord(s) + S_OWNER] === this.me) ownEnds[s]!++;
  }

  /** Gives a wake-up that its receiver will not use to whoever can use it. */
  passOnLocked(list: ListId): void {
    if (list === GETTERS) {
      if (this.w[COUNT]! > 0 || this.w[SHUTDOWN]) this.signalFirst(GETTERS);
    } else if (list === PUTTERS) this.signalPutters();
    // Joiners are all signalled at once: there is nothing to pass on.
  }

  /**
   * Frees every slot the dead thread `owner` held (recovery): unlinked if
   * still listed, its signal passed on if it had one. Returns how many.
   */
  releaseSlotsOf(owner: number): number {
    const w = this.w;
    let released = 0;
    for (let s = 0; s < SLOT_COUNT; s++) {
      const sw = slotWord(s);
      // A free slot's owner is 0 (free() clears it, journaled).
      if (w[sw + S_OWNER] !== owner) continue;
      const list = w[sw + S_LIST]!;
      if (list !== GETTERS && list !== PUTTERS && list !== JOINERS) throw corrupted(`waiter slot ${s} is on list ${list}`);
      const state = checkState(Atomics.load(w, sw + S_STATE));
      if (state === WAITING) this.leave(list, s);
      else if (state === SIGNALLED) this.passOnLocked(list);
      this.j.setAtomic(sw + S_STATE, CANCELLED);
      this.free(s);
      released++;
    }
    return released;
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
    const j = this.j;
    const sw = slotWord(s);
    const prev = checkSlot(w[sw + S_PREV]!);
    const next = checkSlot(w[sw + S_NEXT]!);
    if (prev < 0) j.set(LIST_HEAD + list, next);
    else j.setWord(slotWord(prev) + S_NEXT, next);
    if (next < 0) j.set(LIST_TAIL + list, prev);
    else j.setWord(slotWord(next) + S_PREV, prev);
  }

  private signal(list: ListId, s: number): void {
    this.unlink(list, s);
    // The waiter checks this word before and after sleeping; the notify that
    // wakes it is sent by the Section, after the release.
    this.j.setAtomic(slotWord(s) + S_STATE, SIGNALLED);
    this.toNotify.push(s);
    this.endedHere(s);
  }

  signalFirst(list: ListId): void {
    const s = checkSlot(this.w[LIST_HEAD + list]!);
    if (s >= 0) this.signal(list, s);
  }

  signalAll(list: ListId): void {
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
  signalPutters(): void {
    const w = this.w;
    let s = checkSlot(w[LIST_HEAD + PUTTERS]!);
    if (s < 0) return;
    if (w[SHUTDOWN]) return this.signalAll(PUTTERS);
    // No put goes in until a large put's reservation is settled, which walks them then (src/core.ts).
    if (w[RES_AT] !== 0) return;
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

  /** Whether the list has a waiter. */
  has(list: ListId): boolean {
    return this.w[LIST_HEAD + list]! >= 0;
  }
}

/** A slot's state word: one of WAITING, SIGNALLED, CANCELLED, PASSED_ON. */
function checkState(state: number): number {
  if (state < WAITING || state > PASSED_ON) throw corrupted(`a waiter slot's state is ${state}`);
  return state;
}
