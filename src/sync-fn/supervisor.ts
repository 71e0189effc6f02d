// One thread per process that starts the workers of createSyncFn and watches
// them. The caller blocks its own thread while it waits for a reply, so it
// cannot hear a worker's 'exit' event; this thread's event loop is free, so
// it hears every end (a module that fails to load before any of our code
// runs in the worker, an uncaught error, process.exit(), terminate(), running
// out of memory) and tells the blocked caller at once.
import { parentPort } from 'node:worker_threads';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { WORKER_KEY, type SyncFnHandle, openChannel } from './protocol.js';
import { farewellOf, sayGoodbye } from './server.js';

export interface SpawnRequest {
  handle: SyncFnHandle;
  entry: string;
  bootstrap: string;
  options: Pick<WorkerOptions, 'execArgv' | 'env' | 'resourceLimits'>;
}

parentPort!.on('message', ({ handle, entry, bootstrap, options }: SpawnRequest) => {
  const channel = openChannel(handle, 'the sync-fn supervisor');
  let error: unknown;
  let worker: Worker;
  try {
    worker = new Worker(new URL(bootstrap), { ...options, workerData: { [WORKER_KEY]: { handle, entry } } });
  } catch (e) {
    sayGoodbye(channel, farewellOf(`janus-queue/sync-fn: the worker could not be started (${entry})`, undefined, e));
    return;
  }
  worker.on('error', (e) => {
    error = e;
  });
  // The worker's own exit handler has usually said goodbye already, with
  // more to tell; this one speaks only when that one could not.
  worker.on('exit', (code) => sayGoodbye(channel, farewellOf(`janus-queue/sync-fn: the worker ended (code ${code}) (${entry})`, code, error)));
});
