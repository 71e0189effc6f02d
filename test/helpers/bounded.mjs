// Every wait in a test is bounded: a hang fails the test instead of stalling CI.
export const LIMIT_MS = 20000;

export function within(promise, what, ms = LIMIT_MS) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms (a hang)`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Settles a promise into { ok, value } / { ok: false, error } without throwing. */
export async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** True if the promise is still pending after every queued task has run once. */
export async function isPending(promise) {
  const marker = Symbol('pending');
  const r = await Promise.race([promise.then(() => 'settled', () => 'settled'), new Promise((res) => setImmediate(() => res(marker)))]);
  return r === marker;
}

/**
 * Blocks the thread until `condition()` holds, looking every millisecond,
 * for a handshake inside synchronous code (a getView or putView function)
 * that cannot await; throws after `ms` instead of hanging.
 */
export function blockUntil(condition, what, ms = LIMIT_MS) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`${what}: not so after ${ms} ms (a hang)`);
    Atomics.wait(pause, 0, 0, 1);
  }
}
