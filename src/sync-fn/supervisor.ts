// One thread per process that starts the workers of createSyncFn and watches
// them. The caller blocks its own thread while it waits for a reply, so it
// cannot hear a worker's 'exit' event; this thread's event loop is free, so
// it hears every end (a module that fails to load before any of our code
// runs in the worker, an uncaught error, process.exit(), terminate(), running
// out of memory) and tells the blocked caller at once.
import { parentPort } from 'node:worker_threads';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { WORKER_KEY, type SyncFnHandle, openChannel } from './protocol.js';
import { farewellOf, sayGoodbye } from './farewell.js';

export interface SpawnRequest {
  handle: SyncFnHandle;
  entry: string;
  bootstrap: string;
  options: Pick<WorkerOptions, 'execArgv' | 'env' | 'resourceLimits'>;
  /** The flags are the process's own, not the caller's choice: drop those a worker refuses. */
  inheritedFlags: boolean;
}

/** Starts the worker; inherited flags that a worker thread does not accept (--max-old-space-size, --expose-gc, …) are left out, as Node names them. */
function start(bootstrap: string, options: SpawnRequest['options'], workerData: unknown, inheritedFlags: boolean): Worker {
  try {
    return new Worker(new URL(bootstrap), { ...options, workerData });
  } catch (e) {
    const m = /invalid execArgv flags: (.*)$/.exec(String((e as Error).message));
    if (!inheritedFlags || (e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !m) throw e;
    const refused = new Set(m[1]!.split(', '));
    const execArgv = (options.execArgv ?? []).filter((a) => !refused.has(a));
    return new Worker(new URL(bootstrap), { ...options, execArgv, workerData });
  }
}

parentPort!.on('message', ({ handle, entry, bootstrap, options, inheritedFlags }: SpawnRequest) => {
  const channel = openChannel(handle, 'the sync-fn supervisor');
  let error: unknown;
  let worker: Worker;
  try {
    worker = start(bootstrap, options, { [WORKER_KEY]: { handle, entry } }, inheritedFlags);
  } catch (e) {
    sayGoodbye(channel, farewellOf(`janus-queue/sync-fn: the worker could not be started (${entry})`, undefined, e));
    return;
  }
  worker.on('error', (e) => {
    error = e;
  });
  // The worker's own exit handler has usually said goodbye already, with
  // more to tell; this one speaks only when that one could not. First both
  // queues are repaired (watch): a worker killed inside a call may hold a
  // lock, which the farewell needs.
  const bye = (code: number) => sayGoodbye(channel, farewellOf(`janus-queue/sync-fn: the worker ended (code ${code}) (${entry})`, code, error));
  let ended: Promise<number>;
  try {
    ended = Promise.all([channel.requests.watch(worker), channel.replies.watch(worker)]).then(([code]) => code);
  } catch {
    // watch() is refused where a stopped thread cannot be told apart from a
    // running one (Deno): no repair, the farewell at the worker's 'exit'.
    ended = new Promise((resolve) => worker.once('exit', resolve));
  }
  ended.then(bye, () => bye(1));
});
