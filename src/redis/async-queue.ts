import { QueueShutDown } from 'janus-queue';
import type { AsyncOptions, ReadableOptions, WritableOptions } from 'janus-queue';
import type { RedisCore, Snapshot } from './core.js';
import type { Items } from './items.js';
import { ASYNC_OPTIONS, checkOptions } from '../checks.js';
import { checkMax, checkTimeout } from './options.js';
import { redisReadable, redisWritable } from './streams.js';

/**
 * The promise face of a Redis queue, `q.asyncQ`: the in-memory `asyncQ`'s
 * calls but `getView`/`putView`, over the network. What the network changes (docs/redis.md):
 * `putNowait`, `getNowait`, `taskDone` and `shutdown` return promises (await
 * them; awaiting works on the in-memory queue too), and `qsize()`, `empty()`,
 * `full()`, `unfinishedTasks` and `closed` are as of the last answer this
 * object got from Redis (`stats()` asks afresh).
 */
export class RedisAsyncQueue<T> implements AsyncIterable<T> {
  /** @internal */
  constructor(
    private readonly core: RedisCore,
    private readonly items: Items<T>,
  ) {}

  /** Puts an item, waiting while the queue is full (rejects as the in-memory put, or with `RedisTimeout`). */
  async put(item: T, options?: AsyncOptions): Promise<void> {
    const timing = this.timing(options, 'put');
    await this.core.put([this.items.encode(item)], timing);
  }

  /** Takes the next item, waiting while the queue is empty. */
  async get(options?: AsyncOptions): Promise<T> {
    const [t] = await this.core.get(1, this.timing(options, 'get'));
    return this.items.decode(t!.bytes, t!.score);
  }

  /** All items or none, waiting for room for all of them. */
  async putMany(items: Iterable<T>, options?: AsyncOptions): Promise<void> {
    const timing = this.timing(options, 'putMany');
    const entries = this.items.encodeAll(items);
    const max = this.core.config.maxsize;
    if (max > 0 && entries.length > max) throw new RangeError(`janus-queue: putMany() of ${entries.length} items can never fit in a queue of maxsize ${max}`);
    if (entries.length === 0) {
      if ((await this.core.stats()).closed) throw new QueueShutDown();
      return;
    }
    await this.core.put(entries, timing);
  }

  /** Waits for at least one item, then takes up to `max` of those there. */
  async getMany(max: number, options?: AsyncOptions): Promise<T[]> {
    const n = checkMax(max);
    const taken = await this.core.get(n, this.timing(options, 'getMany'));
    return taken.map((t) => this.items.decode(t.bytes, t.score));
  }

  /** `put(item, { timeout: 0 })`: rejects with `QueueFull` at once when there is no room. */
  putNowait(item: T): Promise<void> {
    return this.put(item, { timeout: 0 });
  }

  /** `get({ timeout: 0 })`: rejects with `QueueEmpty` at once when there is no item. */
  getNowait(): Promise<T> {
    return this.get({ timeout: 0 });
  }

  /** Resolves `true` once every item put has been marked done; `false` at the timeout. */
  async join(options?: AsyncOptions): Promise<boolean> {
    return this.core.join(this.timing(options, 'join'));
  }

  /**
   * Marks the oldest item this queue object took and has not marked yet as
   * done (its lease ends). Rejects with `RangeError` when this object holds
   * none. Like `syncQ.taskDone()`, no round trip of its own: it resolves at
   * once, and the mark rides on this object's next get of the same turn of
   * the event loop (or leaves alone at the end of the turn); every later
   * call of this object is applied after it. If the lease had already
   * expired, the item was given out again and this call counts nothing
   * (at-least-once delivery).
   */
  taskDone(): Promise<void> {
    try {
      this.core.taskDone();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Shuts the queue down for every process (Python 3.13 semantics); every waiting call anywhere wakes. */
  shutdown(immediate = false): Promise<void> {
    return this.core.shutdown(immediate === true);
  }

  /** A fresh read of the queue's numbers from Redis (and the snapshot below updated). */
  stats(): Promise<Snapshot> {
    return this.core.stats();
  }

  /** Items waiting, as of the last answer this object got from Redis. */
  qsize(): number {
    return this.core.snapshot.qsize;
  }

  /** `qsize() === 0`, as of the last answer. */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /** `0 < maxsize <= qsize()`, as of the last answer. */
  full(): boolean {
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

  /** The `maxsize` option (`0` when unbounded). */
  get maxsize(): number {
    return this.core.config.maxsize;
  }

  /** Items put and not yet marked done, as of the last answer. */
  get unfinishedTasks(): number {
    return this.core.snapshot.unfinished;
  }

  /** True once this object has seen the queue shut down (by any process). */
  get closed(): boolean {
    return this.core.snapshot.closed;
  }

  /**
   * A new `ReadableStream` of the queue's items, as the in-memory
   * `asyncQ.readable()`: it gets only for a pending read (`highWaterMark` 0),
   * ends once the queue is shut down and drained, and `cancel()` withdraws a
   * pending get (an item taken as the cancel ran goes back to the queue).
   * Reading does not mark items done: call `taskDone()` per item handled.
   * `shutdownOnCancel: true` shuts the queue down (immediately) on cancel.
   */
  readable(options?: ReadableOptions): ReadableStream<T> {
    return redisReadable(this.core, this.items, options);
  }

  /**
   * A new `WritableStream` into the queue: `write()` is `put` (a full queue
   * holds the writer). `close()` shuts the queue down (soft) unless
   * `shutdownOnClose: false`; `abort()` withdraws a pending put and shuts the
   * queue down immediately unless `shutdownOnAbort: false`. Both resolve once
   * Redis applied the shutdown.
   */
  writable(options?: WritableOptions): WritableStream<T> {
    return redisWritable(this.core, this.items, options);
  }

  /** Yields items until the queue is shut down and drained (without calling taskDone). */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      try {
        yield await this.get();
      } catch (e) {
        if (e instanceof QueueShutDown) return;
        throw e;
      }
    }
  }

  private timing(options: AsyncOptions | undefined, call: string) {
    checkOptions(options, `asyncQ.${call}()`, ASYNC_OPTIONS);
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('janus-queue: option "signal" must be an AbortSignal');
    if (signal?.aborted) throw signal.reason;
    return { timeout: checkTimeout(options?.timeout), signal, commandTimeout: this.core.config.commandTimeout };
  }
}
