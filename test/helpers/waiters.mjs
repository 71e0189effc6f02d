// White-box barriers: how many waiters a queue's shared lists hold right now.
// A test waits until the other thread is registered as a waiter, so it knows
// that thread really blocked before it releases it: no sleeps. The word
// indices come from the build (./layout.mjs).
import { FREE_SLOT, LIST_HEAD, S_NEXT, slotWord } from './layout.mjs';

export { GETTERS, JOINERS, PUTTERS } from './layout.mjs';

export function waiterCount(handle, list) {
  const w = new Int32Array(handle.buffer);
  let n = 0;
  for (let s = Atomics.load(w, LIST_HEAD + list); s >= 0; s = w[slotWord(s, S_NEXT)]) {
    if (++n > 1000) throw new Error('waiter list is corrupt (cycle)');
  }
  return n;
}

/** How many waiter slots are on the free stack (128 when nobody waits). */
export function freeSlots(handle) {
  const w = new Int32Array(handle.buffer);
  let n = 0;
  for (let s = Atomics.load(w, FREE_SLOT); s >= 0; s = w[slotWord(s, S_NEXT)]) {
    if (++n > 1000) throw new Error('free-slot stack is corrupt (cycle)');
  }
  return n;
}

/** Resolves once `list` holds at least `n` waiters; rejects after `ms`. */
export async function untilWaiters(handle, list, n, ms = 20000) {
  const deadline = Date.now() + ms;
  while (waiterCount(handle, list) < n) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} waiter(s) on list ${list}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The same, blocking this thread (for a worker whose event loop is busy). */
export function untilWaitersSync(handle, list, n, ms = 20000) {
  const deadline = Date.now() + ms;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (waiterCount(handle, list) < n) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} waiter(s) on list ${list}`);
    Atomics.wait(nap, 0, 0, 1);
  }
}
