// Counts this thread's futex calls on the queue's words, for the cost
// breakdown: Atomics.wait / waitAsync / notify are wrapped (before the queue
// is loaded; it calls them through the global Atomics) and counted per word
// kind, the lock word (index `lockIndex`) or a waiter slot, and per outcome.
export function countAtomics(lockIndex) {
  const c = {};
  const add = (k, n = 1) => (c[k] = (c[k] ?? 0) + n);
  const where = (ta, i) => (ta.length <= 64 ? 'other' : i === lockIndex ? 'lock' : 'slot');
  const { wait, notify, waitAsync } = Atomics;
  Atomics.wait = function (ta, i, v, t) {
    const r = wait.call(Atomics, ta, i, v, t);
    add(`wait ${where(ta, i)} ${r}`);
    return r;
  };
  Atomics.notify = function (ta, i, n) {
    const r = notify.call(Atomics, ta, i, n);
    add(`notify ${where(ta, i)} ${r > 0 ? 'woke' : 'none'}`);
    return r;
  };
  if (waitAsync)
    Atomics.waitAsync = function (ta, i, v, t) {
      const r = waitAsync.call(Atomics, ta, i, v, t);
      add(`waitAsync ${where(ta, i)} ${r.async ? 'slept' : r.value}`);
      return r;
    };
  return {
    reset: () => {
      for (const k of Object.keys(c)) delete c[k];
    },
    snapshot: () => ({ ...c }),
    /** Puts the built-ins back. */
    restore: () => Object.assign(Atomics, { wait, notify, waitAsync }),
  };
}
