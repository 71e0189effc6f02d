import type { Codec, CodecName } from './codec/index.js';

export type { Codec, CodecName };

/**
 * Options of `new Queue(options)` (and of `LifoQueue`, `PriorityQueue`).
 * An unknown option name is a `TypeError`; a bad value is a `TypeError` or
 * `RangeError` naming the option.
 *
 * @example
 * ```ts
 * const q = new Queue<Job>({ maxsize: 100, maxBytes: 1 << 16, codec: 'json' });
 * ```
 */
export interface QueueOptions<T = unknown> {
  /**
   * The most items the queue holds; `put` waits (or throws `QueueFull`) while
   * it holds that many. `<= 0`, `Infinity` or omitted: unbounded by count. An
   * integer from -2147483648 to 2147483647; reads back as given (`Infinity`
   * and omitted read back as `0`).
   */
  maxsize?: number;
  /**
   * The largest encoded item accepted (a larger one is a `RangeError` at
   * `put`), and the size of the item arena, which headers (16 bytes per item,
   * 24 in a priority queue) share. An integer from 1 to 1,073,700,704 (about 1 GiB).
   * Default 1 MiB.
   */
  maxBytes?: number;
  /** How items become bytes: `'structured'` (default), `'json'`, `'bytes'`, `'string'`, or a custom {@link Codec}. */
  codec?: CodecName | Codec<T>;
}

/** Options of `X.attach(handle, options)`. */
export interface AttachOptions<T = unknown> {
  /**
   * The custom codec the queue was created with: required for such a queue
   * (a `TypeError` without it). Built-in codecs travel with the handle; giving
   * another one here is a `TypeError`.
   */
  codec?: Codec<T>;
}

/**
 * A plain, frozen, structured-cloneable description of a queue: pass it to
 * another thread (`workerData`, `postMessage`) and `attach` it there. All of
 * the queue's state is in its `buffer`.
 */
export interface QueueHandle {
  /** Marks a janus-queue handle. */
  readonly janusQueue: 1;
  /** The class that made the queue, and the only one whose `attach` accepts the handle. */
  readonly kind: 'Queue' | 'LifoQueue' | 'PriorityQueue';
  /** The codec's name; `'custom'` means the codec must be given again at `attach`. */
  readonly codec: CodecName | 'custom';
  /** The shared memory that holds the items, the counters, the shutdown flag and the waiters' words. */
  readonly buffer: SharedArrayBuffer;
}

/** Options of `syncQ.put` and `syncQ.putMany`. */
export interface SyncPutOptions {
  /** Wait for room (default `true`). With `false` the call tries once and the timeout is ignored. */
  block?: boolean;
  /**
   * The most milliseconds to wait; `0` tries once; omitted or `Infinity`: no
   * limit. Negative or `NaN`: `RangeError` (a put on a queue with
   * `maxsize <= 0` ignores it, as Python does).
   */
  timeout?: number;
}

/** Options of `syncQ.get` and `syncQ.getMany`: as for put. */
export type SyncGetOptions = SyncPutOptions;

/** Options of `syncQ.join`. */
export interface JoinOptions {
  /** The most milliseconds to wait; `0` checks once; omitted or `Infinity`: no limit. Negative or `NaN`: `RangeError`. */
  timeout?: number;
}

/** Options of the waiting calls of `asyncQ`: put, get, putMany, getMany, join. */
export interface AsyncOptions {
  /**
   * The most milliseconds to wait; `0` tries once; omitted or `Infinity`: no
   * limit (any length: long timers re-arm). Negative or `NaN`: `RangeError`
   * (a put into a queue of `maxsize <= 0` never waits, and ignores it).
   */
  timeout?: number;
  /**
   * Aborting rejects the call with `signal.reason`; it inserted nothing and
   * took nothing, and leaves no waiter behind. An already-aborted signal
   * rejects without touching the queue.
   */
  signal?: AbortSignal;
}

/** What both faces share: snapshots, taskDone and shutdown, all of which never wait. */
interface QueueState {
  /** Items in the queue now: a snapshot, since other threads may change it at once. */
  qsize(): number;
  /** `qsize() === 0`, a snapshot. */
  empty(): boolean;
  /** `0 < maxsize <= qsize()`, a snapshot. A queue can also be full by bytes while this is false. */
  full(): boolean;
  /** The `maxsize` option, as given (`0` when omitted or `Infinity`). */
  readonly maxsize: number;
  /** Items put and not yet marked done with `taskDone()`: a snapshot. */
  readonly unfinishedTasks: number;
  /** True once the queue is shut down, by any thread. */
  readonly closed: boolean;
  /**
   * Shuts the queue down for every thread (Python 3.13): from then on `put`
   * throws `QueueShutDown`; `get` returns what is left, then throws
   * `QueueShutDown`. Every blocked putter and getter in every thread wakes.
   * With `immediate`, what is left is discarded and `unfinishedTasks` goes
   * down by one per discarded item. Calling it again is harmless.
   */
  shutdown(immediate?: boolean): void;
  /**
   * Marks one item taken earlier as processed; the last one releases every
   * `join`. Throws `RangeError('janus-queue: taskDone() called more times than items were put (unfinishedTasks is already 0)')` when
   * called more times than items were put. Never throws `QueueShutDown`.
   */
  taskDone(): void;
}

/**
 * The blocking face, `q.syncQ`: for worker threads (and Node's main thread).
 * Its waiting calls block the thread with `Atomics.wait`; on a browser's main
 * thread they throw a `TypeError` (the non-blocking calls work everywhere).
 * Iterating it yields items until the queue is shut down and drained
 * (without calling `taskDone`).
 *
 * @example
 * ```ts
 * const q = Queue.attach<Job>(workerData);
 * for (const job of q.syncQ) {      // blocks between items
 *   run(job);
 *   q.syncQ.taskDone();
 * }
 * ```
 */
export interface SyncQueue<T> extends QueueState, Iterable<T> {
  /**
   * Puts an item, waiting while the queue is full.
   *
   * @throws `QueueFull` with `block: false`, or once the timeout passed.
   * @throws `QueueShutDown` once the queue is shut down (even when full).
   * @throws `TypeError` for an item the codec cannot encode; `RangeError` for
   *   one larger than `maxBytes`. Nothing is put then.
   */
  put(item: T, options?: SyncPutOptions): void;
  /**
   * Takes the next item (FIFO, LIFO or lowest priority), waiting while the
   * queue is empty.
   *
   * @throws `QueueEmpty` with `block: false`, or once the timeout passed.
   * @throws `QueueShutDown` once the queue is shut down and empty.
   */
  get(options?: SyncGetOptions): T;
  /**
   * Puts all `items` (any iterable), one after the other, or none: waits
   * (like put) until there is room for all of them.
   *
   * @throws `RangeError` for a batch that could never fit (more items than
   *   maxsize, or more bytes than the arena); otherwise as `put`.
   */
  putMany(items: Iterable<T>, options?: SyncPutOptions): void;
  /**
   * Waits (like get) for at least one item, then takes up to `max` of those
   * there, in get order.
   *
   * @throws `RangeError` if `max` is not an integer >= 1 (`TypeError` if it is not a number); otherwise as `get`.
   */
  getMany(max: number, options?: SyncGetOptions): T[];
  /**
   * Zero-copy read, for a queue made with `{ codec: 'bytes' }` (not a
   * PriorityQueue): waits like `get` for an item, then lends its bytes to
   * `fn` as a view of the shared buffer, takes the item once `fn` returns,
   * and returns what `fn` returned. The view is valid only while `fn` runs:
   * copy what you keep. `fn` runs with the queue locked for every thread, so
   * keep it short, and it may not call this queue (a `TypeError`). If `fn`
   * throws, the item stays in the queue and the error propagates.
   *
   * @throws `TypeError` on a queue of another codec, or a PriorityQueue; otherwise as `get`.
   */
  getView<R>(fn: (view: Uint8Array) => R, options?: SyncGetOptions): R;
  /**
   * Zero-copy write, for a queue made with `{ codec: 'bytes' }` (not a
   * PriorityQueue): waits like `put` for room for `byteLength` bytes, then
   * lets `fill` write them in place, in a view of the shared buffer (e.g.
   * `TextEncoder.encodeInto`, a file read, an encoder of your own); the item
   * is put once `fill` returns. The view is valid only while `fill` runs.
   * `fill` may not call this queue. In a `Queue` (FIFO) it runs on a record
   * reserved for it, outside the lock: gets go on meanwhile, other puts wait
   * for it; in a `LifoQueue` it runs with the queue locked for every thread.
   * If `fill` throws, nothing is put and the error propagates.
   *
   * @throws `RangeError` for a `byteLength` over `maxBytes`; `TypeError` as `getView`; otherwise as `put`.
   */
  putView(byteLength: number, fill: (view: Uint8Array) => void, options?: SyncPutOptions): void;
  /** `put(item, { block: false })`: throws `QueueFull` at once when there is no room. */
  putNowait(item: T): void;
  /** `get({ block: false })`: throws `QueueEmpty` at once when there is no item. */
  getNowait(): T;
  /** Blocks until every item put has been marked done (`unfinishedTasks` is 0); `false` if the timeout passed first. */
  join(options?: JoinOptions): boolean;
}

/**
 * The promise face, `q.asyncQ`: never blocks its thread, and every error of a
 * promise-returning method, bad arguments included, is a rejected promise.
 * Async iteration yields items until the queue is shut down and drained.
 *
 * @example
 * ```ts
 * const q = new Queue<Result>({ maxsize: 100 });
 * new Worker(url, { workerData: q.handle });
 * for await (const r of q.asyncQ) console.log(r);
 * ```
 */
export interface AsyncQueue<T> extends QueueState, AsyncIterable<T> {
  /**
   * Puts an item, waiting while the queue is full.
   *
   * Rejects with `QueueFull` once the timeout passed, `QueueShutDown` once the
   * queue is shut down, `signal.reason` when aborted, and `TypeError` /
   * `RangeError` for an item that cannot be encoded or is larger than
   * `maxBytes`. A rejected put inserted nothing.
   */
  put(item: T, options?: AsyncOptions): Promise<void>;
  /**
   * Takes the next item, waiting while the queue is empty.
   *
   * Rejects with `QueueEmpty` once the timeout passed, `QueueShutDown` once
   * the queue is shut down and empty, `signal.reason` when aborted. A
   * rejected get took nothing.
   *
   * @example
   * ```ts
   * const item = await q.asyncQ.get({ timeout: 1000, signal: AbortSignal.timeout(5000) });
   * ```
   */
  get(options?: AsyncOptions): Promise<T>;
  /** `syncQ.putMany` as a promise: all items or none, waiting for room for all of them. */
  putMany(items: Iterable<T>, options?: AsyncOptions): Promise<void>;
  /** `syncQ.getMany` as a promise: at least one item, up to `max`. */
  getMany(max: number, options?: AsyncOptions): Promise<T[]>;
  /**
   * Zero-copy read, for a queue made with `{ codec: 'bytes' }` (not a
   * PriorityQueue): waits like `get` (resolving when it has one) for an item, then lends its bytes to
   * `fn` as a view of the shared buffer, takes the item once `fn` returns,
   * and returns what `fn` returned. The view is valid only while `fn` runs:
   * copy what you keep. `fn` runs with the queue locked for every thread, so
   * keep it short, and it may not call this queue (a `TypeError`). If `fn`
   * throws, the item stays in the queue and the error propagates.
   *
   * Rejects with `TypeError` on a queue of another codec, or a PriorityQueue; otherwise as `get`.
   */
  getView<R>(fn: (view: Uint8Array) => R, options?: AsyncOptions): Promise<R>;
  /**
   * Zero-copy write, for a queue made with `{ codec: 'bytes' }` (not a
   * PriorityQueue): waits like `put` for room for `byteLength` bytes, then
   * lets `fill` write them in place, in a view of the shared buffer (e.g.
   * `TextEncoder.encodeInto`, a file read, an encoder of your own); the item
   * is put once `fill` returns. The view is valid only while `fill` runs.
   * `fill` may not call this queue. In a `Queue` (FIFO) it runs on a record
   * reserved for it, outside the lock: gets go on meanwhile, other puts wait
   * for it; in a `LifoQueue` it runs with the queue locked for every thread.
   * If `fill` throws, nothing is put and the error propagates.
   *
   * Rejects with `RangeError` for a `byteLength` over `maxBytes`, `TypeError` as `getView`; otherwise as `put`.
   */
  putView(byteLength: number, fill: (view: Uint8Array) => void, options?: AsyncOptions): Promise<void>;
  /** Puts at once, synchronously; throws `QueueFull` when there is no room, `QueueShutDown` once shut down. */
  putNowait(item: T): void;
  /** Takes at once, synchronously; throws `QueueEmpty` when there is no item, `QueueShutDown` once shut down and empty. */
  getNowait(): T;
  /** Resolves `true` once every item put has been marked done; `false` if the timeout passed first; rejects with `signal.reason` when aborted. */
  join(options?: AsyncOptions): Promise<boolean>;
  /**
   * A new `ReadableStream` of the queue's items. It calls `get` only for a
   * pending read (`highWaterMark` 0 by default), so unread items stay in the
   * queue, and it closes once the queue is shut down and drained.
   * `cancel()` withdraws a pending get and leaves the queue open, unless
   * `shutdownOnCancel`. Bad options: `TypeError` / `RangeError`, thrown.
   *
   * @example
   * ```ts
   * await q.asyncQ.readable().pipeThrough(new TextEncoderStream()).pipeTo(file);
   * ```
   */
  readable(options?: ReadableOptions): ReadableStream<T>;
  /**
   * A new `WritableStream` into the queue: `write()` is `put`, so a full queue
   * holds the writer (`writer.ready` stays pending). `close()` shuts the
   * queue down (soft) unless `shutdownOnClose: false`; `abort()` withdraws a
   * pending put and shuts the queue down immediately unless
   * `shutdownOnAbort: false`. Bad options: `TypeError` / `RangeError`, thrown.
   *
   * @example
   * ```ts
   * await ReadableStream.from(jobs).pipeTo(q.asyncQ.writable());
   * ```
   */
  writable(options?: WritableOptions): WritableStream<T>;
}

/** Options of `asyncQ.readable()`. */
export interface ReadableOptions {
  /**
   * Items the stream takes from the queue ahead of reads (default 0: only for
   * a pending read). Items buffered in the stream have left the queue: a
   * cancel drops them.
   */
  highWaterMark?: number;
  /**
   * On `cancel()`, also `shutdown(true)` the queue (default `false`): for a
   * stream that is the queue's only consumer, so that blocked producers wake
   * and a `join` returns.
   */
  shutdownOnCancel?: boolean;
}

/** Options of `asyncQ.writable()`. */
export interface WritableOptions {
  /** The stream's own buffer before `writer.ready` waits (default 1: one put in flight). */
  highWaterMark?: number;
  /** On `close()`, `shutdown(false)` the queue (default `true`): readers drain, then end. */
  shutdownOnClose?: boolean;
  /** On `abort()`, `shutdown(true)` the queue (default `true`): what was put is discarded. */
  shutdownOnAbort?: boolean;
}

// The well-known symbols of explicit resource management (`using`), declared
// for consumers whose TypeScript `lib` predates them: the same declarations
// as TypeScript's ESNext.Disposable lib and @types/node, with which they
// merge. Types only: Queue defines its dispose methods only on runtimes that
// have the symbols, and nothing global is defined at run time.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}
