export { createSyncFn, connectSyncFn } from './create.js';
export type { SyncFn, SyncFnOptions } from './create.js';
export { runAsWorker, serveAsync, createSyncFnHandle } from './serve.js';
export type { AsyncServer, ServeOptions } from './server.js';
export type { CallOptions } from './caller.js';
export type { SyncFnHandle, ChannelOptions } from './protocol.js';
export { CallTimeout, ServerGone } from './errors.js';
