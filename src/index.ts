export { Queue, LifoQueue, PriorityQueue } from './queue.js';
export type { PriorityQueueConstructor, WatchedWorker } from './queue.js';
export { QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
export type { Codec, CodecName } from './codec/index.js';
export type {
  AsyncOptions,
  AsyncQueue,
  AttachOptions,
  JoinOptions,
  QueueHandle,
  QueueOptions,
  SyncGetOptions,
  SyncPutOptions,
  SyncQueue,
} from './types.js';
