import type { Journal } from './journal.js';
import { CANCELLED_PUT, J_LEN, LOCK, RESERVED, S_STATE, slotWord } from './layout.js';
import { now } from './clock.js';
import { LOCK_SPIN, acquire, newSpinEstimate, takeOver, unlock } from './lock.js';

/**
 * The buffer whose lock this thread holds while it lends a record to a
 * caller's function (getView / putView): a section of that queue started
 * from the function would find its own lock taken (and take it as left by an
 * exception: lock.ts acquire), so it is refused instead.
 */
let lentBuffer: ArrayBufferLike | undefined;

/**
 * The buffer whose critical section this thread is running. The section
 * calls no code of the caller's, but a caller may have replaced a built-in it
 * uses (Array.prototype.push, say); a call of the same queue made from there
 * would find its own lock taken (and take it as left by an exception), so it
 * is refused instead, and the section goes on.
 */
let insideBuffer: ArrayBufferLike | undefined;

/** run(): the lock could not be had within its patience. */
export const NO_LOCK = -1;

/**
 * The longest a caller that must not stall its event loop (the async face,
 * recovery, a pump's withdrawal) waits for the lock at once: a lock held that
 * long has a holder that was descheduled, paused, or killed inside it, and
 * then recover() must get to run on this event loop (docs/design.md, "Dead
 * peers"). Past it the caller tries again soon (retrySoon).
 */
export const LOCK_PATIENCE_MS = 50;

/**
 * How long the calls that have no timeout of their own and must not wait
 * for ever (taskDone, shutdown, close) wait for the lock at most before
 * they throw LockTimeout. Longer than STOP_GRACE_MS plus a probe, so that
 * such a call on the thread that watches a dead holder recovers it first.
 */
export const SYNC_LOCK_LIMIT_MS = 1000;

/** How often a caller waiting for the lock looks whether its holder is a watched thread that stopped. */
const PROBE_MS = 20;

/** How soon a caller that must not block tries the lock again. */
const RETRY_MS = 1;

/**
 * Calls `attempt` from a timer every RETRY_MS until it returns true: the one
 * way a caller that must not block its thread waits for the lock. `attempt`
 * must not wait for the lock at all (patience 0): timer callbacks that each
 * blocked longer than the timer's delay would keep libuv in its timer phase
 * for ever (each makes the next one due), starving I/O, a Worker's 'exit'
 * event included. An exception from `attempt` rejects.
 */
export async function retrySoon(attempt: () => boolean): Promise<void> {
  do await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  while (!attempt());
}

/**
 * The critical section, written once: take the lock (within a patience),
 * start the journal, run the section, commit, release, then send the
 * notifications it decided on; or, if it throws, undo it and release. Every
 * change to the queue's state runs inside run() (recovery: runRecovering());
 * nothing else takes the lock, so how long a caller waits for it is decided
 * here, by the patience it passes: a call with a timeout what is left of
 * it (try-once calls LOCK_PATIENCE_MS), the synchronous calls with no
 * timeout Infinity (taskDone and shutdown SYNC_LOCK_LIMIT_MS), the callers
 * that must not stall an event loop LOCK_PATIENCE_MS, and their retries 0.
 * While it waits it recovers a holder this thread watches that has
 * certainly stopped (src/dead-threads.ts).
 *
 * One Section per attached queue instance (per thread).
 */
export class Section {
  /** The slots whose waiters this section signalled: notified after the release (WaiterLists adds to it). */
  readonly toNotify: number[] = [];

  /**
   * @param begun - called with the lock just taken and the journal begun:
   *   checks the state words (throws on garbage) and reads what the section
   *   caches (the arena half in use).
   */
  constructor(
    private readonly w: Int32Array,
    private readonly me: number,
    private readonly j: Journal,
    private readonly begun: () => void,
  ) {
    this.buffer = w.buffer;
  }

  /** The queue's buffer (read once: a typed array's `buffer` is a getter). */
  private readonly buffer: ArrayBufferLike;

  /** How long this thread spins for this queue's lock before it sleeps (src/lock.ts). */
  private readonly spin = newSpinEstimate();

  /** Whether this thread may start a section of this queue now (it is not inside one, nor lending its bytes). */
  free(): boolean {
    return lentBuffer !== this.buffer && insideBuffer !== this.buffer;
  }

  /**
   * Runs `body` as one critical section, waiting for the lock at most
   * `patience` ms (Infinity: as long as it takes); NO_LOCK if it could not
   * have it. What `body` returns is returned after the commit and release.
   * If it throws, everything it wrote is undone before the release, the
   * wake-ups it decided on are not sent, and the exception propagates: a
   * failed call leaves the queue as it was.
   */
  run<R>(patience: number, body: () => R): R | typeof NO_LOCK {
    if (lentBuffer !== undefined && lentBuffer === this.buffer)
      throw new TypeError('janus-queue: the function given to getView() or putView() called the same queue; it runs with the queue locked, so it may only use the bytes');
    if (insideBuffer !== undefined && insideBuffer === this.buffer)
      throw new TypeError('janus-queue: a call of this queue was made from inside its own critical section (by code that replaced a built-in the queue uses?): refused');
    if (!acquire(this.w, this.me, Math.min(patience, PROBE_MS), this.spin) && !this.lockSlow(patience)) return NO_LOCK;
    const r = this.held(true, body);
    const after = this.after;
    if (after !== undefined) {
      this.after = undefined;
      try {
        after();
      } catch (e) {
        // Thrown before it could say so itself (no stack left even to enter
        // it): its reservation, still RESERVED, is given up, calling
        // nothing but the built-in; the next section rolls it back.
        Atomics.compareExchange(this.w, this.afterWord, RESERVED, CANCELLED_PUT);
        this.afterThrew = true;
        throw e;
      }
    }
    return r;
  }

  /**
   * Set by the core inside a section that committed to work for right after
   * the release (a large put's copy, src/core.ts fillReserved): run() runs
   * it before it returns, outside the section. Cleared if the section
   * throws. `afterWord`: the flags word of the record it fills.
   */
  after: (() => void) | undefined = undefined;
  afterWord = 0;
  /** Set when `after` threw (its section had committed; a throw from the section itself undid it). Cleared by whoever reads it. */
  afterThrew = false;

  /** Runs `body` (inside a section) marked as lending this queue's bytes to a caller's function (see lentBuffer). */
  lend<R>(body: () => R): R {
    const before = lentBuffer;
    lentBuffer = this.buffer;
    try {
      return body();
    } finally {
      lentBuffer = before;
    }
  }

  /**
   * Set by the core: if the lock's holder `token` is a thread this thread
   * watches and that has certainly stopped, recovers it now, synchronously
   * (no event loop needed); returns whether it did.
   */
  recoverHolder: (token: number) => boolean = () => false;
  private probing = false;

  /**
   * The lock was not free within PROBE_MS (or `patience`, if shorter): keep
   * trying, within the rest of `patience`, and between tries recover a
   * holder that has certainly stopped (docs/design.md, "Dead peers").
   */
  private lockSlow(patience: number): boolean {
    const w = this.w;
    const deadline = patience === Infinity ? Infinity : now() + Math.max(0, patience - PROBE_MS);
    for (;;) {
      const holder = Atomics.load(w, LOCK) >>> 1;
      if (holder !== 0 && !this.probing) {
        // Not while a recovery of ours waits for the lock (no recursion).
        this.probing = true;
        try {
          if (this.recoverHolder(holder) && acquire(w, this.me, 0, this.spin)) return true;
        } finally {
          this.probing = false;
        }
      }
      const left = deadline - now();
      if (left <= 0) return false;
      if (acquire(w, this.me, Math.min(left, PROBE_MS), this.spin)) return true;
    }
  }

  /**
   * run() for recovery: if a thread known to have stopped (`dead`, or the
   * one whose recovery is `pending`, 0 if none) holds the lock, takes it over
   * (keeping its contended mark, so our release wakes whoever queued behind
   * it) and runs `body(true)` with that thread's half-done section still in
   * the journal, for `body` to roll back; else runs `body(false)` as run()
   * does.
   */
  runRecovering<R>(dead: number, pending: number, patience: number, body: (tookOver: boolean) => R): R | typeof NO_LOCK {
    const w = this.w;
    if (takeOver(w, this.me, dead) || (pending !== 0 && pending !== dead && takeOver(w, this.me, pending))) {
      // The spins that ran out behind the dead holder taught nothing about the lock's holds.
      this.spin.average = LOCK_SPIN.start;
      return this.held(false, () => body(true));
    }
    return this.run(patience, () => body(false));
  }

  private held<R>(fresh: boolean, body: () => R): R {
    // No call between taking the lock and this try, so whatever throws from
    // here on (a corrupted buffer, a stack overflow) releases the lock.
    let r: R;
    const outer = insideBuffer;
    try {
      insideBuffer = this.buffer;
      if (fresh) this.begin();
      r = body();
    } catch (e) {
      insideBuffer = outer;
      this.after = undefined;
      try {
        this.undo();
      } catch {
        // No stack left even for that: undo() runs at the depth where the
        // section overflowed. Release inline, calling nothing but the
        // Atomics built-ins; the section stays in the journal (J_LEN not 0)
        // and whoever takes the lock next undoes it (begin()).
        if ((Atomics.exchange(this.w, LOCK, 0) & 1) !== 0) Atomics.notify(this.w, LOCK, 1);
      }
      throw e;
    }
    try {
      this.end();
    } finally {
      insideBuffer = outer;
    }
    return r;
  }

  /**
   * Starts a section, the lock just taken. A section left without its commit
   * (J_LEN not 0: one whose undo could not run, or one an exception left
   * holding the lock, see lock.ts acquire) is undone first.
   */
  private begin(): void {
    if (this.w[J_LEN] !== 0) {
      this.toNotify.length = 0;
      this.j.rollback();
    }
    this.j.begin();
    this.begun();
  }

  /** Undoes a section that threw, then releases: the wake-ups it had decided on (now undone too) are not sent. */
  private undo(): void {
    this.toNotify.length = 0;
    try {
      this.j.rollback();
    } finally {
      unlock(this.w);
    }
  }

  /** Commits (the last write of the section), releases, then notifies the waiters the section signalled. */
  private end(): void {
    this.j.commit();
    unlock(this.w);
    const toNotify = this.toNotify;
    const n = toNotify.length;
    if (n === 0) return;
    for (let i = 0; i < n; i++) {
      // The slot's state was stored (SIGNALLED) under the lock; the waiter
      // re-checks it after any wake, so a notify that arrives late, even at a
      // slot since reused by another waiter, is only a spurious wake-up.
      Atomics.notify(this.w, slotWord(toNotify[i]!) + S_STATE, 1);
    }
    toNotify.length = 0;
  }
}
