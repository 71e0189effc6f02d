import { now } from './clock.js';
import { CANCELLED, LIST_HEAD, type ListId, SIGNALLED, SLOT_COUNT, S_STATE, WAITING, slotWord } from './layout.js';
import { holdEventLoop, releaseEventLoop, waitAsyncFn } from './platform.js';
import type { WaiterLists } from './waiters.js';

/**
 * The spin before a sleep on the slot, in ms: a waiter first watches its
 * slot's word for up to this long, and sleeps only if no signal came. A
 * signal that comes during the spin costs neither side a futex call: the
 * waiter is not asleep, and the notify finds nobody to wake (on the event
 * loop, no task is posted to it). The spin adapts to the waits this waiter
 * met: SLOT_SPIN.minMs … SLOT_SPIN.maxMs, twice the running average of
 * the short waits' lengths; a long wait (past SLOT_SPIN.maxMs) moves the
 * average toward 0, so a waiter that waits long spins the least. It also
 * stops after SLOT_SPIN.maxLoads reads of the word, whatever the clock
 * says (a browser's clock may be coarser than the spin). Only the first
 * waiter of a list spins (others are not signalled next), so that threads
 * beyond the cores (4 producers and 4 consumers on 2 cores) do not spend
 * the time the running ones need.
 *
 * A blocked thread (sleep()) learns from every wait: only another thread
 * can have signalled it. An asyncQ pump (settled()) learns from a wait
 * unless its own thread ended the wait of a slot of its index meanwhile (ownEnds):
 * that signal may be the one it waited for, which could not come while it
 * spun, so the wait looks short because of the spin; such a wait counts as
 * a long one.
 */
export const SLOT_SPIN = { minMs: 0.001, maxMs: 0.025, maxLoads: 4000 };

/** How long to spin, in ms, for a running average of `average` ms. */
export const slotSpinMs = (average: number): number => Math.min(SLOT_SPIN.maxMs, Math.max(SLOT_SPIN.minMs, average * 2));

/** The running average after a wait that took `took` ms (Infinity: a spin of a pump that ran out): an eighth of the way to it, or to 0 if it was long. */
export const nextSlotSpinAverage = (average: number, took: number): number => average + ((took <= SLOT_SPIN.maxMs ? took : 0) - average) / 8;

const POLL_MIN_MS = 1;
const POLL_MAX_MS = 8;
const longer = (ms: number): number => Math.min(ms * 2, POLL_MAX_MS);

let sleeper: Int32Array | undefined;

/**
 * Per slot index, how many times this thread ended the wait of a slot of its
 * own with that index, in any queue (signalled or withdrawn; counted by
 * src/waiters.ts): a pump whose slot's count changed during its wait may
 * have been woken by its own thread, which could not run while it spun
 * (see settled()). Two queues' slots of one index share a count, which can
 * only make a spin shorter.
 */
export const ownEnds = new Int32Array(SLOT_COUNT);

/**
 * The slot-wait protocol (docs/design.md, "Waiting: one slot per waiter"),
 * written once for both faces: a blocking syncQ call (src/sync-wait.ts) and
 * one direction's pump of asyncQ (src/async-wait.ts) each own one SlotWait
 * and differ only in how they sleep (sleep()/poll() block the thread with
 * Atomics.wait, settled()/pollSoon() are promises over Atomics.waitAsync and
 * timers). In this order:
 *
 * 1. registerLocked() (lock held) when an attempt must wait: a free slot,
 *    WAITING, on the list; false when every slot is taken, and then the
 *    waiter polls instead of sleeping.
 * 2. After the release, sleep while the slot's state is WAITING: the sleep
 *    itself checks the word, so a signal stored in between is not lost.
 * 3. endLocked() (lock held), in the same critical section as the next
 *    attempt: frees the slot (unlinked first if nobody signalled it) and
 *    says whether it was signalled. A signalled waiter that must wait again
 *    registers at the head of its list, keeping its place; one that no
 *    longer needs the signal passes it on (passOnLocked()) in that section.
 *    A signal never lives only in a thread's memory, where a thread killed
 *    between two sections would take it along.
 *
 * A pump that will not use its place (its calls are gone, or its thread is
 * about to block or exit) withdraws it (withdrawLocked()); its sleep then
 * settles at once, and it still ends the wait itself: a slot has one owner.
 */
export class SlotWait {
  /** The slot this waiter holds (listed, or settled and not yet ended), or -1. */
  slot = -1;
  /** The wait last ended was signalled: the next registration keeps its place at the head. */
  private atHead = false;
  private pollMs = POLL_MIN_MS;
  /** The running average of this waiter's waits that were short (see SLOT_SPIN), in ms. */
  private spinAverage = SLOT_SPIN.minMs;
  /** This waiter was first in its list when it registered (see spin()). */
  private first = false;

  /** The spin before the next sleep is skipped: a watch() just before it spun its share and ran out (cleared when its pump stops). */
  spun = false;

  constructor(
    private readonly w: Int32Array,
    private readonly lists: WaiterLists,
    readonly list: ListId,
    /** Lock held, right after a registration (the core's check for a large put filled meanwhile, src/core.ts). */
    private readonly registered: (list: ListId) => void,
  ) {}

  /** Starts afresh (a new call): no slot, no place kept, the shortest poll. */
  reset(): void {
    this.slot = -1;
    this.atHead = false;
    this.pollMs = POLL_MIN_MS;
  }

  /** Lock held. Registers for the next wake-up; a putter's slot says the bytes and items it needs. False if every slot is taken: poll. */
  registerLocked(need: number, items: number): boolean {
    const s = this.lists.registerLocked(this.list, need, items, this.atHead);
    this.slot = s;
    this.atHead = false;
    // Only the first waiter of its list spins before sleeping: the next signal is its own.
    this.first = s >= 0 && this.w[LIST_HEAD + this.list] === s;
    if (s >= 0) this.registered(this.list);
    return s >= 0;
  }

  /** Whether the next registration keeps its place at the head (saved with `slot` before a section that may be undone, see restore()). */
  get keepsPlace(): boolean {
    return this.atHead;
  }

  /** After a section that ended this wait was undone (a caller's function threw in it): the wait is as it was before. */
  restore(slot: number, keepsPlace: boolean): void {
    this.slot = slot;
    this.atHead = keepsPlace;
  }

  /** Lock held. Ends the wait whose sleep is over, if there is one; returns whether it was signalled. */
  endLocked(): boolean {
    const s = this.slot;
    this.atHead = s >= 0 && this.lists.endWaitLocked(this.list, s) === SIGNALLED;
    this.slot = -1;
    return this.atHead;
  }

  /** Lock held. Gives the signal endLocked() reported, which this waiter will not use, to whoever can use it. */
  passOnLocked(): void {
    this.lists.passOnLocked(this.list);
  }

  /** Lock held. Withdraws the slot (a pump's, see above): unlinked and CANCELLED, or its signal passed on; notified after the release. */
  withdrawLocked(): void {
    this.lists.withdrawLocked(this.list, this.slot);
  }

  /**
   * Without the lock, for a queue whose shared state was found corrupted:
   * ends the sleep on our own slot, so the waiter wakes, meets the error and
   * stops, instead of waiting for a signal that may never come.
   */
  abandon(): void {
    const i = slotWord(this.slot) + S_STATE;
    Atomics.store(this.w, i, CANCELLED);
    Atomics.notify(this.w, i);
  }

  /** Forgets the slot without touching shared memory (the queue was found corrupted). */
  drop(): void {
    this.slot = -1;
  }

  // ---- the sync face's sleep: Atomics.wait ----------------------------------

  /**
   * Watches the slot's word while WAITING, up to the adaptive spin (see
   * SLOT_SPIN) or `until`; returns the time it started, or -1 if the
   * word changed meanwhile (the wait is over, and the average learns its
   * length). After a spin that ran out, the caller sleeps and then tells
   * learn() when the wait ended.
   */
  private spin(i: number, until: number): number {
    const w = this.w;
    const t0 = now();
    // Behind other waiters, the next signal goes to them: sleep at once
    // (and leave the time the thread would spin to the threads that run).
    // After a watch() that ran out, the spin is spent.
    if (!this.first || this.spun) {
      this.spun = false;
      return t0;
    }
    const end = Math.min(until, t0 + slotSpinMs(this.spinAverage));
    for (let k = 1; k <= SLOT_SPIN.maxLoads; k++) {
      if (Atomics.load(w, i) !== WAITING) {
        this.learn(t0);
        return -1;
      }
      if ((k & 31) === 0 && now() >= end) break;
    }
    return t0;
  }

  /** Whether watch() would watch: this waiter's average has grown past its least. */
  get watches(): boolean {
    return this.spinAverage > SLOT_SPIN.minMs;
  }

  /**
   * Before a registration (an asyncQ get that found the queue empty, with
   * nobody waiting ahead of it): watches the shared state with `ready`, a
   * read of a few words without the lock, for up to the spin this waiter's
   * average allows (as spin()); true once it says an attempt may succeed.
   * If it runs out, the sleep that follows does not spin again. A waiter
   * whose average has not grown past its least (no short waits met yet, or
   * long ones since: items that come from its own thread, say) does not
   * watch at all (see `watches`, which the caller checks first).
   */
  watch(ready: () => boolean): boolean {
    const t0 = now();
    const end = t0 + slotSpinMs(this.spinAverage);
    // `ready` reads about three words: the clock is read every 8 calls,
    // and the reads stop near SLOT_SPIN.maxLoads, as spin()'s do.
    for (let k = 1; k <= SLOT_SPIN.maxLoads / 3; k++) {
      if (ready()) {
        this.learn(t0);
        return true;
      }
      if ((k & 7) === 0 && now() >= end) break;
    }
    this.spun = true;
    return false;
  }

  /** The wait that started at `t0` is over: its length (or 0 for a long one) moves the spin's average an eighth of the way. */
  private learn(t0: number): void {
    this.spinAverage = nextSlotSpinAverage(this.spinAverage, now() - t0);
  }

  /** Blocks until the slot's state is no longer WAITING, or until `until` (a now() time). */
  sleep(until: number): void {
    const w = this.w;
    const i = slotWord(this.slot) + S_STATE;
    const t0 = this.spin(i, until);
    if (t0 < 0) return;
    // Sleep only while the state is WAITING: a signal stored between the
    // release and this wait makes Atomics.wait return at once.
    while (Atomics.load(w, i) === WAITING) {
      const left = until - now();
      if (left <= 0 || Atomics.wait(w, i, WAITING, left) === 'timed-out') return;
    }
    this.learn(t0);
  }

  /** Blocks for the next poll delay (every slot is taken), at most `limit` ms. */
  poll(limit: number): void {
    sleeper ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(sleeper, 0, 0, Math.min(this.nextPoll(), limit));
  }

  // ---- the async face's sleep: Atomics.waitAsync ----------------------------

  /** Resolves when the slot's state is no longer WAITING. */
  async settled(): Promise<void> {
    const w = this.w;
    const slot = this.slot;
    const i = slotWord(slot) + S_STATE;
    const t0 = this.spin(i, Infinity);
    if (t0 < 0) return;
    const own = ownEnds[slot]!;
    let poll = POLL_MIN_MS;
    while (Atomics.load(w, i) === WAITING) {
      const waitAsync = waitAsyncFn();
      if (!waitAsync) {
        // No Atomics.waitAsync (older browsers): poll the word. The timer keeps Node alive by itself.
        await pause(poll);
        poll = longer(poll);
        continue;
      }
      // Waits only while the word is WAITING: a signal stored after our check
      // settles it at once ("not-equal", returned synchronously).
      const res = waitAsync(w, i, WAITING);
      if (!res.async) continue;
      // Node does not keep its event loop alive for a pending waitAsync.
      holdEventLoop();
      try {
        await res.value;
      } finally {
        releaseEventLoop();
      }
    }
    // Woken by another thread: the wait's length teaches the spin, as a
    // blocked thread's does. If this thread signalled a slot of its own
    // meanwhile, the signal may be its own, which the spin kept from coming
    // (the wait would look short because of the spin): spin less.
    if (this.first) {
      if (ownEnds[slot]! === own) this.learn(t0);
      else this.spinAverage = nextSlotSpinAverage(this.spinAverage, Infinity);
    }
  }

  /** Resolves after the next poll delay (every slot is taken). */
  pollSoon(): Promise<void> {
    return pause(this.nextPoll());
  }

  /** 1 ms, doubling up to 8 ms: polling is slower than a wake-up, never wrong. */
  private nextPoll(): number {
    const ms = this.pollMs;
    this.pollMs = longer(ms);
    return ms;
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
