// The entry of every createSyncFn worker: it makes sure the caller hears of
// every way the worker can end before answering (the module failed to load,
// an uncaught error, process.exit(), the module never called runAsWorker),
// then loads the user's module, which calls runAsWorker(fn).
import { workerData } from 'node:worker_threads';
import { C_SERVING, type SyncFnHandle, WORKER_KEY, openChannel } from './protocol.js';
import { farewellOf, sayGoodbye } from './farewell.js';

const { handle, entry } = (workerData as Record<string, { handle: SyncFnHandle; entry: string }>)[WORKER_KEY]!;
const channel = openChannel(handle, 'the sync-fn worker');
let uncaught: unknown;
process.on('uncaughtExceptionMonitor', (error) => {
  uncaught = error;
});
process.on('exit', (code) => {
  const message =
    uncaught !== undefined
      ? Atomics.load(channel.control, C_SERVING) === 0
        ? `janus-queue/sync-fn: the worker failed to start (${entry})`
        : 'janus-queue/sync-fn: the worker threw an uncaught error'
      : Atomics.load(channel.control, C_SERVING) === 0
        ? `janus-queue/sync-fn: the worker exited (code ${code}) without calling runAsWorker() (${entry})`
        : `janus-queue/sync-fn: the worker exited (code ${code})`;
  sayGoodbye(channel, farewellOf(message, code, uncaught));
});
await import(entry);
// A module that did not call runAsWorker while it loaded never will (as
// synckit's, it is called at the top level): say so now, even if the module
// keeps the thread alive (a listener of another library's runAsWorker, say).
if (Atomics.load(channel.control, C_SERVING) === 0) {
  sayGoodbye(channel, farewellOf(`janus-queue/sync-fn: the worker's module loaded without calling runAsWorker() from 'janus-queue/sync-fn' (${entry})`, undefined, undefined));
  process.exit(1);
}
