import { RedisAsyncQueue } from './async-queue.js';
import { type CoreConfig, RedisCore } from './core.js';
import { Items } from './items.js';
import { type RedisQueueOptions, checkOptions } from './options.js';
import { RedisSyncQueue } from './sync-queue.js';

/**
 * A queue that lives in Redis, with the two faces of the in-memory `Queue`:
 * every object made with the same `name` on the same server, in any process
 * or machine, is the same queue. `asyncQ` connects at once; `syncQ` starts
 * its own worker thread (with its own connections) when first read.
 * `disconnect()` closes both; the queue stays in Redis until `destroy()`.
 *
 * @example
 * ```ts
 * const q = new RedisQueue<Job>({ name: 'jobs', connection: 'redis://127.0.0.1:6379', maxsize: 100 });
 * await q.asyncQ.put(job);
 * ```
 */
export class RedisQueue<T = unknown> {
  /** The promise face. */
  readonly asyncQ: RedisAsyncQueue<T>;
  private readonly core: RedisCore;
  private readonly items: Items<T>;
  private sync: RedisSyncQueue<T> | undefined;
  protected static readonly kind: 1 | 2 | 3 = 1;

  constructor(options: RedisQueueOptions<T>) {
    const { config, codec } = checkOptions(options, (new.target as typeof RedisQueue).kind);
    this.items = new Items<T>(codec, config.kind === 3);
    this.core = new RedisCore(config);
    this.asyncQ = new RedisAsyncQueue<T>(this.core, this.items);
  }

  /** The blocking face, for any thread: made (with its worker) at the first read. */
  get syncQ(): RedisSyncQueue<T> {
    this.sync ??= new RedisSyncQueue<T>(this.config, this.items);
    return this.sync;
  }

  /** The queue's name. */
  get name(): string {
    return this.config.name;
  }

  /** Closes this object's connections (and its syncQ's worker); its pending calls reject. The queue stays in Redis. */
  async disconnect(): Promise<void> {
    this.sync?.disconnect();
    await this.core.disconnect();
  }

  /** Deletes the queue's keys from Redis (items, counters, leases, the shutdown flag): the name can be used afresh. */
  destroy(): Promise<void> {
    return this.core.destroy();
  }

  private get config(): CoreConfig {
    return this.core.config;
  }
}

/** A Redis queue that gives the newest item first. */
export class RedisLifoQueue<T = unknown> extends RedisQueue<T> {
  protected static override readonly kind = 2 as const;
}

/**
 * A Redis queue of `[priority, value]` pairs: the lowest priority first,
 * equal priorities in put order (a sorted set scored by priority, with a
 * sequence number before the bytes).
 */
export class RedisPriorityQueue<T = unknown> extends RedisQueue<[priority: number, value: T]> {
  protected static override readonly kind = 3 as const;

  /** The options of `RedisQueue`; `codec` encodes the values (the priority is the item's score). */
  constructor(options: RedisQueueOptions<T>) {
    super(options as unknown as RedisQueueOptions<[priority: number, value: T]>);
  }
}
