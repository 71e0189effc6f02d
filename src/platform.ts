/** Facts about the running thread and runtime, probed once and lazily (no side effects on import). */

let blocking: boolean | undefined;

/**
 * Throws a TypeError saying why when this runtime has no SharedArrayBuffer:
 * browsers hide it on pages that are not cross-origin isolated (without the
 * check, the first use is a bare ReferenceError). `what` names the call.
 */
export function requireSharedMemory(what: string): void {
  if (typeof SharedArrayBuffer === 'function') return;
  throw new TypeError(
    `janus-queue: ${what} needs SharedArrayBuffer, which this context does not have. In a browser, the page must be ` +
      'cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and ' +
      'Cross-Origin-Embedder-Policy: require-corp (self.crossOriginIsolated is then true).',
  );
}

/** Whether this thread may call Atomics.wait (false on a browser's main thread). */
export function canBlock(): boolean {
  if (blocking === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blocking = true;
    } catch {
      blocking = false;
    }
  }
  return blocking;
}

type WaitAsync = (typedArray: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: unknown };

/** Atomics.waitAsync where the runtime has it; looked up at each call so a test can remove it. */
export function waitAsyncFn(): WaitAsync | undefined {
  const f = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  return typeof f === 'function' ? f : undefined;
}

let keepAliveCount = 0;
let keepAliveTimer: ReturnType<typeof setInterval> | undefined;

/**
 * Node does not keep its event loop alive for a pending Atomics.waitAsync
 * (nodejs/node#44729). While any pump of this thread waits, hold one ref'd interval timer
 * in this thread; drop it when the last pump stops, so an idle queue never
 * keeps a process alive.
 */
export function holdEventLoop(): void {
  if (keepAliveCount++ === 0) keepAliveTimer = setInterval(noop, 0x7fffffff);
}

export function releaseEventLoop(): void {
  if (--keepAliveCount === 0) {
    clearInterval(keepAliveTimer);
    keepAliveTimer = undefined;
  }
}

function noop(): void {}

let token: number | undefined;
/** Whether this thread's token is its Node threadId + 1 (so recover() can name threads). */
let tokenIsThreadId = false;

/**
 * This thread's token, recorded in the lock word and in the waiter slots it
 * owns: Node's `threadId + 1` (so `recover(worker)` can name a thread by its
 * Worker), elsewhere a random number per realm. Always in [1, 2^30).
 */
export function threadToken(): number {
  if (token === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const threadId = (proc?.getBuiltinModule?.('node:worker_threads') as { threadId?: unknown } | undefined)?.threadId;
    tokenIsThreadId = typeof threadId === 'number' && threadId + 1 < 0x1000000;
    token = tokenIsThreadId ? (threadId as number) + 1 : 0x1000000 + Math.floor(Math.random() * 0x3effffff);
  }
  return token;
}

/** The token of the thread with this Node threadId. */
export function tokenOf(threadId: unknown): number {
  threadToken();
  if (!tokenIsThreadId)
    throw new TypeError('janus-queue: watch() and recover() need Node threads that know their threadId (process.getBuiltinModule, Node >= 20.16); this runtime has none');
  if (typeof threadId !== 'number' || !Number.isInteger(threadId) || threadId < 0 || threadId + 1 >= 0x1000000)
    throw new TypeError(
      `janus-queue: expected the threadId of a Node worker (an integer >= 0), got ${String(threadId)}; a Worker's threadId reads -1 once it has exited, so take it (or call watch()) while it runs`,
    );
  return threadId + 1;
}
