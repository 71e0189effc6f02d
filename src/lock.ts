import { LOCK } from './layout.js';
import { canBlock } from './platform.js';

/**
 * Drepper's three-state futex mutex on the LOCK word: 0 free, 1 held,
 * 2 held and maybe contended. Held only for a bounded critical section
 * (check, copy bytes, update words), never across a wait for an item.
 */

const SPINS = 100;

export function lock(w: Int32Array): void {
  // Fast path: uncontended. compareExchange is a seq-cst read-modify-write, so
  // every plain write the previous holder made before releasing is visible.
  if (Atomics.compareExchange(w, LOCK, 0, 1) === 0) return;
  lockSlow(w);
}

function lockSlow(w: Int32Array): void {
  for (let i = 0; i < SPINS; i++) {
    if (Atomics.load(w, LOCK) === 0 && Atomics.compareExchange(w, LOCK, 0, 1) === 0) return;
  }
  const mayWait = canBlock();
  // Mark the lock contended (2) before sleeping, so the holder's release
  // knows to notify. We may take it in state 2 when the exchange returns 0;
  // that costs at most one needless notify at release.
  while (Atomics.exchange(w, LOCK, 2) !== 0) {
    // Sleep only while the word is still 2: a release that happened after the
    // exchange made it 0, and wait returns "not-equal" at once.
    if (mayWait) Atomics.wait(w, LOCK, 2);
  }
}

export function unlock(w: Int32Array): void {
  // Publish every write of the critical section with the seq-cst sub; if it
  // was contended (2), free it and wake one sleeper.
  if (Atomics.sub(w, LOCK, 1) !== 1) {
    Atomics.store(w, LOCK, 0);
    Atomics.notify(w, LOCK, 1);
  }
}
