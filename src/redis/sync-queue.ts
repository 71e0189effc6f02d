import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { type SyncFn, createSyncFn } from '../sync-fn/index.js';
import type { JoinOptions, SyncPutOptions } from 'janus-queue';
import type { CoreConfig, Snapshot } from './core.js';
import { RedisTimeout } from './errors.js';
import type { Items } from './items.js';
import { JOIN_OPTIONS, SYNC_OPTIONS, checkOptions } from '../checks.js';
import { checkMax, checkTimeout } from './options.js';

// The errors a call of the worker may end with, rebuilt as their classes (they cross as name + message).
const CLASSES: Record<string, new (message: string) => Error> = { QueueEmpty, QueueFull, QueueShutDown };

/**
 * The blocking face of a Redis queue, `q.syncQ`, on any thread (the main
 * thread too): each call blocks while a worker thread that owns the
 * connections runs it (janus-queue/sync-fn). The in-memory `syncQ`'s API
 * but `getView`/`putView`, with a `timeout` checked even where a put never
 * waits;
 * `qsize()`, `empty()`, `full()`, `unfinishedTasks` and `closed` ask Redis
 * (a round trip each). `taskDone()` marks the oldest item *this face* took.
 */
export class RedisSyncQueue<T> implements Iterable<T> {
  private readonly call: SyncFn<(op: string, a?: unknown, b?: unknown, c?: unknown) => unknown>;
  /** taskDone calls not yet applied by the worker: this thread adds, the worker takes (see taskDone). */
  private readonly dones = new Int32Array(new SharedArrayBuffer(4 * SHARED_WORDS));
  /** The id of this face's last get (see takeItems). */
  private getSeq = 0;
  /** Items this face took and has not marked done. */
  private held = 0;

  /** @internal */
  constructor(
    private readonly config: CoreConfig,
    private readonly items: Items<T>,
  ) {
    this.call = createSyncFn(new URL('./redis-sync-worker.js', import.meta.url));
    // The counter reaches the worker on a BroadcastChannel (sync-fn's values are copied, not shared).
    const channel = `janus-queue/redis:${randomUUID()}`;
    const bc = new BroadcastChannel(channel);
    try {
      this.run('open', config, channel);
      bc.postMessage(this.dones.buffer);
      this.run('attach');
    } catch (e) {
      try {
        this.disconnect(); // a refused configuration (TypeError): no worker left behind
      } catch {}
      throw e;
    } finally {
      bc.close();
    }
  }

/** Puts an item, blocking while the queue is full (`QueueFull` with `block: false` or at the timeout, `QueueShutDown`, `RedisTimeout`). */
  put(item: T, options?: SyncPutOptions): void {
    const timeout = this.timeout(options, 'put');
    this.run('put', [this.items.encode(item)], timeout, timeout);
  }

/** Takes the next item, blocking while the queue is empty (`QueueEmpty`, `QueueShutDown` once shut down and empty, `RedisTimeout`). */
  get(options?: SyncPutOptions): T {
    const [[bytes, score]] = this.takeItems(1, this.timeout(options, 'get')) as [[Uint8Array, number]];
    this.held++;
    return this.items.decode(bytes, score);
  }

/** All items or none, blocking until there is room for all of them. */
  putMany(items: Iterable<T>, options?: SyncPutOptions): void {
    const timeout = this.timeout(options, 'putMany');
    const entries = this.items.encodeAll(items);
    if (this.config.maxsize > 0 && entries.length > this.config.maxsize) throw new RangeError(`janus-queue: putMany() of ${entries.length} items can never fit in a queue of maxsize ${this.config.maxsize}`);
    if (entries.length === 0) {
      if (this.closed) throw new QueueShutDown();
      return;
    }
    this.run('put', entries, timeout, timeout);
  }

/** Blocks for at least one item, then takes up to `max` of those there. */
  getMany(max: number, options?: SyncPutOptions): T[] {
    const n = checkMax(max);
    const taken = this.takeItems(n, this.timeout(options, 'getMany'));
    this.held += taken.length;
    return taken.map(([bytes, score]) => this.items.decode(bytes, score));
  }

/** `put(item, { block: false })`. */
  putNowait(item: T): void {
    this.put(item, { block: false });
  }

/** `get({ block: false })`. */
  getNowait(): T {
    return this.get({ block: false });
  }

/** Blocks until every item put has been marked done; `false` if the timeout passed first. */
  join(options?: JoinOptions): boolean {
    const timeout = checkTimeout(checkOptions(options, 'syncQ.join()', JOIN_OPTIONS)?.timeout);
    return this.run('join', timeout, undefined, timeout) as boolean;
  }

/** Marks the oldest item this face took and has not marked yet as done; `RangeError` when it holds none. */
  taskDone(): void {
    if (this.held === 0) throw new RangeError('janus-queue: taskDone() called more times than this face took items');
    this.held--;
    // No round trip: the worker applies it at once (it waits on this word),
    // and in any case before this face's next call.
    Atomics.add(this.dones, 0, 1);
    Atomics.notify(this.dones, 0);
  }

/** Shuts the queue down for every process; every waiting call anywhere wakes. */
  shutdown(immediate = false): void {
    this.run('shutdown', immediate === true);
  }

  /** A fresh read of the queue's numbers. */
  stats(): Snapshot {
    return this.run('stats') as Snapshot;
  }

/** Items waiting now (a round trip; a snapshot all the same). */
  qsize(): number {
    return this.stats().qsize;
  }

/** `qsize() === 0`. */
  empty(): boolean {
    return this.qsize() === 0;
  }

/** `0 < maxsize <= qsize()`. */
  full(): boolean {
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

/** The `maxsize` option (`0` when unbounded). */
  get maxsize(): number {
    return this.config.maxsize;
  }

/** Items put and not yet marked done (a round trip). */
  get unfinishedTasks(): number {
    return this.stats().unfinished;
  }

/** True once the queue is shut down (a round trip). */
  get closed(): boolean {
    return this.stats().closed;
  }

  /** Closes this face's connections and stops its worker. */
  disconnect(): void {
    try {
      this.run('disconnect');
    } finally {
      this.call.close();
    }
  }

/** Yields items until the queue is shut down and drained (without calling taskDone). */
  *[Symbol.iterator](): Iterator<T> {
    for (;;) {
      try {
        yield this.get();
      } catch (e) {
        if (e instanceof QueueShutDown) return;
        throw e;
      }
    }
  }

  private timeout(options: SyncPutOptions | undefined, call: string): number {
    checkOptions(options, `syncQ.${call}()`, SYNC_OPTIONS);
    if (options?.block === false) return 0;
    return checkTimeout(options?.timeout);
  }

  /**
   * A get through the worker that is never lost to a timeout of this thread's
   * wait for the worker's answer (the worker may be taking the items just
   * then). A handshake on a shared word decides who owns the items: this
   * thread stores the get's id before the call; the worker, once it holds
   * the items, swaps the id for 0 (it will deliver them) and, finding
   * something else there, hands them back to the queue instead. This thread,
   * giving up, swaps the id for -id: when that succeeds the worker hands the
   * items back; when the worker got there first, the answer is on its way,
   * and this thread asks for it again ('reclaim'). If even that gets no
   * answer, it records the id as abandoned, and the worker hands the items
   * back before it serves the next call.
   */
  private takeItems(n: number, timeout: number): [Uint8Array, number][] {
    const id = (this.getSeq = (this.getSeq % 0x7fffffff) + 1);
    Atomics.store(this.dones, W_CLAIM, id);
    let gaveUp: unknown;
    try {
      return this.run('get', n, timeout, timeout, id) as [Uint8Array, number][];
    } catch (e) {
      if (!(e instanceof RedisTimeout && e.cause === CALLER) || Atomics.compareExchange(this.dones, W_CLAIM, id, -id) === id) throw e;
      gaveUp = e;
    }
    let items: [Uint8Array, number][];
    try {
      items = this.run('reclaim', id) as [Uint8Array, number][];
    } catch (e) {
      Atomics.store(this.dones, W_ABANDONED, id);
      throw e;
    }
    if (items.length === 0) throw gaveUp; // the worker's get ended without items after all
    return items;
  }

  /**
   * One call of the worker. A waiting call (`wait`: its timeout) is given its
   * own deadline plus a margin for the worker's answer; the others
   * commandTimeout plus that margin.
   */
  private run(op: string, a?: unknown, b?: unknown, wait?: number, c?: unknown): unknown {
    const limit = wait === undefined ? this.config.commandTimeout : wait === Infinity ? Infinity : Math.max(wait, this.config.commandTimeout);
    try {
      return this.call.callWith({ timeout: limit + 5000 }, op, a, b, c);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      const Class = CLASSES[e.name];
      if (Class) throw new Class(e.message);
      if (e.name === 'RedisTimeout' || e.name === 'CallTimeout') {
        const timeout = new RedisTimeout(limit);
        if (e.name === 'RedisTimeout') timeout.message = e.message;
        else (timeout as { cause?: unknown }).cause = CALLER; // this thread gave up waiting for the worker
        throw timeout;
      }
      throw e;
    }
  }
}

/** The words shared with the worker: taskDone calls not yet applied, the get handshake (see takeItems). */
const W_CLAIM = 1;
const W_ABANDONED = 2;
const SHARED_WORDS = 3;
/** The cause of a RedisTimeout of this thread's own wait for the worker (not the worker's answer). */
const CALLER = Symbol('caller');
