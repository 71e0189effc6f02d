/**
 * One queue in one `SharedArrayBuffer`, with two faces: `syncQ` blocks
 * (`Atomics.wait`) for worker threads, `asyncQ` returns promises for the
 * event loop. Start with {@link Queue}; the contract and every difference
 * from Python's janus / `queue.Queue` are in the repository's
 * `docs/semantics.md`.
 *
 * @module janus-queue
 */
export { Queue, LifoQueue, PriorityQueue } from './queue.js';
export type { WatchedWorker } from './queue.js';
export { LockTimeout, QueueCorrupted, QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
export type { Codec, CodecName } from './codec/index.js';
export type {
  AsyncOptions,
  AsyncQueue,
  AttachOptions,
  JoinOptions,
  QueueHandle,
  QueueOptions,
  ReadableOptions,
  SyncGetOptions,
  SyncPutOptions,
  SyncQueue,
  WritableOptions,
} from './types.js';
