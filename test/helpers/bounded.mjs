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
