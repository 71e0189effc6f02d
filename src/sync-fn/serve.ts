import { workerData } from 'node:worker_threads';
import { type ChannelOptions, type SyncFnHandle, WORKER_KEY, createHandle, openChannel } from './protocol.js';
import { type AsyncServer, type ServeOptions, serve } from './server.js';

/** How long a createSyncFn worker blocks for the next call before it waits on its event loop. */
const WORKER_BLOCK_MS = 1;

/**
 * In a worker started by createSyncFn: serves `fn` to the blocking caller.
 * Elsewhere it does nothing (as synckit's does), so the module can also be
 * imported on the main thread.
 *
 * @example
 * // format-worker.mjs
 * import { runAsWorker } from 'janus-queue/sync-fn';
 * runAsWorker(async (code) => (await import('prettier')).format(code, { parser: 'babel' }));
 */
export function runAsWorker(fn: (...args: any[]) => unknown): void {
  const mine = (workerData as Record<string, { handle: SyncFnHandle } | undefined> | null | undefined)?.[WORKER_KEY];
  if (mine === undefined) return;
  const server = serve(openChannel(mine.handle, 'runAsWorker()'), fn, WORKER_BLOCK_MS);
  // The worker exists for this function alone: once it stops serving
  // (close(), or the caller's side shut down), the thread ends, even if the
  // module left a timer or a listener running.
  void server.done.then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

/**
 * A channel for synchronous calls between two threads you start yourself:
 * pass the handle to both, `serveAsync(handle, fn)` on the thread that runs
 * the async function, `connectSyncFn(handle)` on the thread that blocks.
 */
export function createSyncFnHandle(options?: ChannelOptions): SyncFnHandle {
  return createHandle(options);
}

/**
 * Serves `fn` on this thread's event loop to the thread that called
 * `connectSyncFn(handle)`: each call runs `fn(...args)`, awaits it, and sends
 * back the result or what it threw. Calls are served one at a time, in order.
 *
 * @example
 * // main thread: the worker calls lookup(key) synchronously
 * const handle = createSyncFnHandle();
 * const server = serveAsync(handle, async (key) => db.get(key));
 * new Worker('./worker.mjs', { workerData: handle });
 */
export function serveAsync(handle: SyncFnHandle, fn: (...args: any[]) => unknown, options?: ServeOptions): AsyncServer {
  return serve(openChannel(handle, 'serveAsync()'), fn, options?.blockMs ?? 0);
}
