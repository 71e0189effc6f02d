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

/** The constructors the probe below uses, as they were at load (a caller may replace the globals later). */
const Int32ArrayAtLoad = Int32Array;
const SharedArrayBufferAtLoad = globalThis.SharedArrayBuffer;

/** Whether this thread may call Atomics.wait (false on a browser's main thread). */
export function canBlock(): boolean {
  if (blocking === undefined) {
    try {
      Atomics.wait(new Int32ArrayAtLoad(new SharedArrayBufferAtLoad(4)), 0, 1, 0);
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

/** Tokens below this are `threadId + 1`; random tokens are drawn from here to 2^30 (the lock word keeps 30 bits). */
export const RANDOM_TOKENS = 0x1000000;

type Globals = {
  process?: { getBuiltinModule?: (id: string) => { threadId?: unknown; isMainThread?: unknown } | undefined };
  WorkerGlobalScope?: unknown;
  Deno?: unknown;
};
const G = globalThis as Globals;

/**
 * `threadId + 1` where this thread's threadId is known to be unique in the
 * process, else undefined: for a `worker_threads` thread (Node, Bun, Deno;
 * Bun's web Workers are such threads), whose threadId the runtime counts up
 * once per process, and for the main thread (threadId 0) when this realm is
 * not a web worker's global scope. A Deno web Worker reports threadId 0 and
 * isMainThread true, as the main thread does: it gets no threadId token.
 */
function threadIdToken(): number | undefined {
  const wt = G.process?.getBuiltinModule?.('node:worker_threads');
  const id = wt?.threadId;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id + 1 >= RANDOM_TOKENS) return undefined;
  const scope = G.WorkerGlobalScope;
  const webWorker = typeof scope === 'function' && globalThis instanceof scope;
  const unique = wt!.isMainThread === false ? id > 0 : wt!.isMainThread === true && id === 0 && !webWorker;
  return unique ? id + 1 : undefined;
}

/**
 * This thread's token, recorded in the lock word and in the waiter slots it
 * owns: `threadId + 1` where that is unique (so `recover(threadId)` can name
 * the thread), else a random number per realm in [2^24, 2^30), a range no
 * threadId token reaches. Always in [1, 2^30).
 */
export function threadToken(): number {
  token ??= threadIdToken() ?? RANDOM_TOKENS + Math.floor(Math.random() * (0x40000000 - RANDOM_TOKENS));
  return token;
}

/**
 * The token of the thread with this threadId. The runtime must have
 * `worker_threads` (its workers' tokens are then `threadId + 1`, whatever
 * the calling thread is), and a Worker's 'exit' event must mean that its
 * thread has stopped: not so on Deno (2.9.6), where a terminated worker
 * blocked in Atomics.wait runs on, and repairing it would break the queue.
 */
export function tokenOf(threadId: unknown): number {
  if (!G.process?.getBuiltinModule || G.Deno)
    throw new TypeError("janus-queue: watch() and recover() need Node >= 20.16 or Bun (threads that know their threadId and have stopped at their 'exit' event; on Deno a terminated worker runs on)");
  if (typeof threadId !== 'number' || !Number.isInteger(threadId) || threadId < 0 || threadId + 1 >= RANDOM_TOKENS)
    throw new TypeError(
      `janus-queue: expected the threadId of a worker_threads Worker (an integer >= 0), got ${String(threadId)}; a Worker's threadId reads -1 once it has exited, so take it (or call watch()) while it runs`,
    );
  return threadId + 1;
}
