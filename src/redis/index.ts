/**
 * The same two faces over Redis: a queue that several processes and
 * machines share, with `maxsize` backpressure, `taskDone`/`join`, shutdown
 * that wakes every waiter, and leases that return the items of a consumer
 * that died. Needs `ioredis` (an optional peer dependency). The contract and
 * its differences from the in-memory queue are in the repository's
 * `docs/redis.md`.
 *
 * @module janus-queue/redis
 */
export { RedisQueue, RedisLifoQueue, RedisPriorityQueue } from './queue.js';
export { RedisAsyncQueue } from './async-queue.js';
export { RedisSyncQueue } from './sync-queue.js';
export { RedisTimeout } from './errors.js';
export type { RedisQueueOptions } from './options.js';
export type { RedisConnection } from './connection.js';
export type { Snapshot } from './core.js';
