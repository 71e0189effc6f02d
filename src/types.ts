import type { Codec, CodecName } from './codec/index.js';

export type { Codec, CodecName };

/** Options of `new Queue(options)`. */
export interface QueueOptions<T = unknown> {
  /** Most items the queue holds; `<= 0` or omitted: unbounded by count. */
  maxsize?: number;
  /** The largest encoded item accepted, and the size of the item arena that headers (16–24 bytes per item) share. Default 1 MiB. */
  maxBytes?: number;
  /** How items become bytes: 'structured' (default), 'json', 'bytes', 'string', or a custom codec. */
  codec?: CodecName | Codec<T>;
}

/** Options of `X.attach(handle, options)`. */
export interface AttachOptions<T = unknown> {
  /** The custom codec the queue was created with (required for such a queue; built-in codecs travel with the handle). */
  codec?: Codec<T>;
}

/** A plain, structured-cloneable description of a queue; pass it to another thread and `attach` it there. */
export interface QueueHandle {
  readonly janusQueue: 1;
  readonly kind: 'Queue' | 'LifoQueue' | 'PriorityQueue';
  readonly codec: CodecName | 'custom';
  readonly buffer: SharedArrayBuffer;
}

export interface SyncPutOptions {
  /** Wait for room (default true). */
  block?: boolean;
  /** Most ms to wait; 0 tries once; omitted or Infinity: no limit. */
  timeout?: number;
}

export type SyncGetOptions = SyncPutOptions;

export interface JoinOptions {
  timeout?: number;
}

export interface AsyncOptions {
  /** Most ms to wait; 0 tries once; omitted or Infinity: no limit. */
  timeout?: number;
  /** Aborting rejects the call with `signal.reason`; the queue is left as it was. */
  signal?: AbortSignal;
}

interface QueueState {
  /** Items in the queue now: a snapshot, since other threads may change it at once. */
  qsize(): number;
  /** `qsize() === 0`, a snapshot. */
  empty(): boolean;
  /** `0 < maxsize <= qsize()`, a snapshot. A queue can also be full by bytes while this is false. */
  full(): boolean;
  readonly maxsize: number;
  /** Items put and not yet marked done with `taskDone()`: a snapshot. */
  readonly unfinishedTasks: number;
  /** True once the queue is shut down, by any thread. */
  readonly closed: boolean;
  /** Shuts the queue down for every thread: see the README. */
  shutdown(immediate?: boolean): void;
  /** Marks one item taken earlier as processed. Throws RangeError when called more times than items were put. */
  taskDone(): void;
}

/** The blocking face: for worker threads (and Node's main thread). */
export interface SyncQueue<T> extends QueueState, Iterable<T> {
  put(item: T, options?: SyncPutOptions): void;
  get(options?: SyncGetOptions): T;
  /**
   * Puts all `items` (any iterable), one after the other, or none: waits
   * (like put) until there is room for all of them. RangeError for a batch
   * that could never fit (more items than maxsize, or more bytes than the arena).
   */
  putMany(items: Iterable<T>, options?: SyncPutOptions): void;
  /** Waits (like get) for at least one item, then takes up to `max` of those there, in get order. */
  getMany(max: number, options?: SyncGetOptions): T[];
  putNowait(item: T): void;
  getNowait(): T;
  /** Blocks until every item put has been marked done; false if the timeout passed first. */
  join(options?: JoinOptions): boolean;
}

/** The promise face: never blocks its thread; every error is a rejected promise. */
export interface AsyncQueue<T> extends QueueState, AsyncIterable<T> {
  put(item: T, options?: AsyncOptions): Promise<void>;
  get(options?: AsyncOptions): Promise<T>;
  /** putMany of the blocking face, as a promise: all items or none. */
  putMany(items: Iterable<T>, options?: AsyncOptions): Promise<void>;
  /** getMany of the blocking face, as a promise: at least one item, up to `max`. */
  getMany(max: number, options?: AsyncOptions): Promise<T[]>;
  putNowait(item: T): void;
  getNowait(): T;
  join(options?: AsyncOptions): Promise<boolean>;
  readable(options?: ReadableOptions): ReadableStream<T>;
  writable(options?: WritableOptions): WritableStream<T>;
}

export interface ReadableOptions {
  highWaterMark?: number;
  shutdownOnCancel?: boolean;
}

export interface WritableOptions {
  highWaterMark?: number;
  shutdownOnClose?: boolean;
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
