import { LOCK } from './layout.js';
import { canBlock } from './platform.js';

/**
 * Drepper's futex mutex on the LOCK word, with the owner recorded: 0 free,
 * else `token << 1`, `| 1` when it may be contended. The token says which
 * thread holds it, so recover() can take over the lock of a thread that died
 * inside it (docs/design.md, "Dead peers"). Held only for a bounded critical
 * section (check, copy bytes, update words), never across a wait for an item.
 * Only the Section (src/section.ts) takes and releases it.
 */

/**
 * The spin before sleeping adapts, as glibc's adaptive mutex does: it runs
 * up to twice the running average of the queue's recent spins on this
 * thread, plus a few, within SPIN_MIN … SPIN_MAX loads (spinLimit). Each
 * spin that ran its course moves the average an eighth of the way to its
 * own length (nextSpinAverage): the loads it took to get the lock, or, when
 * it ran out, the whole limit. So a spin that ends without the lock
 * lengthens the next one (a thread that once slept behind a long hold, a 64
 * KiB copy, no longer sleeps at every later one), and spins that get the
 * lock at once shorten it again.
 *
 * Where it differs from glibc: the estimate is kept per queue and thread
 * (a Section's SpinEstimate), and capped at SPIN_MAX loads, about 30 µs on
 * the development machine (20,000 took 150 µs there), near what a futex
 * sleep and its wake-up cost the two threads; glibc caps its count at 100
 * pause instructions. A caller with no patience (a retry from a timer, a
 * probe) and a thread that may not block (it spins in its wait loop anyway)
 * spin SPIN_MIN loads and leave the estimate alone, and every spin counts
 * against the caller's patience.
 */
const SPIN_MIN = 100;
const SPIN_MAX = 4000;
/** The bounds and a first estimate's average (a thread that has not spun for the queue yet). */
export const LOCK_SPIN = { min: SPIN_MIN, max: SPIN_MAX, start: SPIN_MIN / 2 };

/** One queue's estimate, on one thread, of how long to spin for its lock (its Section owns it). */
export interface SpinEstimate {
  average: number;
}

export const newSpinEstimate = (): SpinEstimate => ({ average: LOCK_SPIN.start });

/** How many loads to spin before sleeping, for a running average of `average`. */
export const spinLimit = (average: number): number => Math.min(SPIN_MAX, Math.max(SPIN_MIN, average * 2 + 10));

/** The running average after a spin of `spun` loads (those it took to get the lock, or its whole limit when it ran out). */
export const nextSpinAverage = (average: number, spun: number): number => average + (spun - average) / 8;

/**
 * Takes the lock within `patience` ms; false if it could not. Where the
 * thread may not block (a browser's main thread) it spins instead of waiting.
 * `spin` is the caller's estimate of how long to spin first (above).
 *
 * A lock that already holds this thread's token counts as taken. No thread
 * takes the lock twice (no critical section calls out), so that lock was left
 * by an exception thrown between taking it and the code that releases it (a
 * stack overflow can land there); the section it left is still in the
 * journal, and the Section rolls it back (src/section.ts).
 */
export function acquire(w: Int32Array, me: number, patience: number, spin: SpinEstimate): boolean {
  // Fast path: uncontended. compareExchange is a seq-cst read-modify-write, so
  // every plain write the previous holder made before releasing is visible.
  const seen = Atomics.compareExchange(w, LOCK, 0, me << 1);
  if (seen === 0 || seen >>> 1 === me) return true;
  const mayWait = canBlock();
  const deadline = patience === Infinity ? Infinity : performance.now() + patience;
  const adaptive = mayWait && patience > 0;
  const limit = adaptive ? spinLimit(spin.average) : SPIN_MIN;
  let i = 0;
  for (; i < limit; i++) {
    if (Atomics.load(w, LOCK) === 0 && Atomics.compareExchange(w, LOCK, 0, me << 1) === 0) {
      if (adaptive) spin.average = nextSpinAverage(spin.average, i);
      return true;
    }
    // The spin counts against the patience: past the deadline, stop (and
    // learn nothing: the spin did not run its course).
    if ((i & 1023) === 1023 && performance.now() >= deadline) break;
  }
  if (adaptive && i >= limit) spin.average = nextSpinAverage(spin.average, limit);
  for (;;) {
    let v = Atomics.load(w, LOCK);
    if (v === 0) {
      // Taken after a wait, it stays marked contended: other sleepers may be
      // queued behind us, and our release must wake the next one.
      if (Atomics.compareExchange(w, LOCK, 0, (me << 1) | 1) === 0) return true;
      continue;
    }
    if ((v & 1) === 0) {
      // Mark it contended before sleeping, so the holder's release notifies.
      if (Atomics.compareExchange(w, LOCK, v, v | 1) !== v) continue;
      v |= 1;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      // Giving up: a release's single wake-up may have been ours. Pass it on,
      // so a sleeper behind us does not sleep on a free lock.
      Atomics.notify(w, LOCK, 1);
      return false;
    }
    // Sleep only while the word is still v: a release (or a new holder) in
    // between makes wait return "not-equal" at once.
    if (mayWait) Atomics.wait(w, LOCK, v, left);
  }
}

export function unlock(w: Int32Array): void {
  // The seq-cst exchange publishes every write of the critical section; if
  // the lock was marked contended, wake one sleeper.
  if ((Atomics.exchange(w, LOCK, 0) & 1) !== 0) Atomics.notify(w, LOCK, 1);
}

/**
 * Takes over the lock if the thread `dead` holds it (that thread is known to
 * have stopped); returns whether it did. The new value keeps the contended
 * mark, so our release wakes whoever queued behind the dead holder.
 */
export function takeOver(w: Int32Array, me: number, dead: number): boolean {
  for (;;) {
    const v = Atomics.load(w, LOCK);
    if (v >>> 1 !== dead) return false;
    if (Atomics.compareExchange(w, LOCK, v, (me << 1) | 1) === v) return true;
  }
}
