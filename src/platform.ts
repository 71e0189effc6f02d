/** Facts about the running thread and runtime, probed once and lazily (no side effects on import). */

let blocking: boolean | undefined;

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
