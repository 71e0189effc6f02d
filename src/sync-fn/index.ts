/**
 * Synchronous calls into async code, on two janus-queue queues (Node only):
 * `createSyncFn` / `runAsWorker` block a thread until a worker's async
 * function settles (synckit's shape); `serveAsync` / `connectSyncFn` let a
 * worker call an async function of the main thread. See the repository's
 * `docs/sync-fn.md`.
 *
 * @module janus-queue/sync-fn
 */
export { createSyncFn, connectSyncFn } from './create.js';
export type { SyncFn, SyncFnOptions } from './create.js';
export { runAsWorker, serveAsync, createSyncFnHandle } from './serve.js';
export type { AsyncServer, ServeOptions } from './server.js';
export type { CallOptions } from './caller.js';
export type { SyncFnHandle, ChannelOptions } from './protocol.js';
export { CallTimeout, ServerGone } from './errors.js';
