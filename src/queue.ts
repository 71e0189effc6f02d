import { AsyncFace } from './async-face.js';
import { type CodecName, type WireCodec, codecName, describe, isCustomCodec, makeCodec } from './codec/index.js';
import { Core } from './core.js';
import { Items } from './items.js';
import { KIND_FIFO, KIND_LIFO, KIND_NAMES, KIND_PRIORITY, type Kind } from './kinds.js';
import { checkHeader, createBuffer, maxBytesRange, readHeader } from './layout.js';

const [DEFAULT_MAX_BYTES, MAX_MAX_BYTES] = maxBytesRange();
import { unwatchThread, watchThread } from './dead-threads.js';
import { requireSharedMemory, threadToken, tokenOf } from './platform.js';
import { SyncFace } from './sync-face.js';
import type { AsyncQueue, AttachOptions, QueueHandle, QueueOptions, SyncQueue } from './types.js';

const OPTION_NAMES = new Set(['maxsize', 'maxBytes', 'codec']);

/** What {@link Queue.watch} needs of a Node `Worker` (a `node:worker_threads` `Worker` has both). */
export interface WatchedWorker {
  /** The worker's thread id, read when `watch` is called (Node sets it to -1 once the worker has exited). */
  readonly threadId: number;
  /** Registers the listener for the worker's `'exit'` event, which Node emits once the thread has stopped. */
  once(event: 'exit' | 'online', listener: (exitCode: number) => void): unknown;
  /**
   * A Node `Worker`'s `performance`: its `eventLoopUtilization().idle` reads
   * -1 once the worker's thread is gone, which a thread blocked in a
   * synchronous call can read without its event loop (then it recovers the
   * worker itself). Optional: without it only the `'exit'` event recovers.
   */
  readonly performance?: {
    /** Node's `worker.performance.eventLoopUtilization()`. */
    eventLoopUtilization?: () => {
      /** The worker's event loop idle time in ms; -1 once its thread is gone. */
      idle: number;
    };
  };
}

/**
 * What attach() hands the constructor in place of options: the checked buffer
 * and codec. A class of this module's own, so no caller's options can pass
 * for one.
 */
class Attaching {
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly codec: unknown,
  ) {}
}

/**
 * A FIFO queue in one SharedArrayBuffer, with a blocking face (`syncQ`) and a
 * promise face (`asyncQ`). Pass `handle` to another thread and `attach` it
 * there: every attached instance in every thread is the same queue, with one
 * capacity, one `unfinishedTasks` counter and one shutdown flag.
 *
 * @example
 * ```ts
 * // main thread
 * const results = new Queue<{ n: number }>({ maxsize: 100 });
 * const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: results.handle });
 * results.watch(worker).then(() => results.shutdown()); // repairs what a killed worker left, then ends the loop
 * for await (const r of results.asyncQ) console.log(r.n);
 *
 * // worker.js
 * const results = Queue.attach<{ n: number }>(workerData);
 * for (let n = 0; n < 10; n++) results.syncQ.put({ n }); // blocks while full
 * results.syncQ.shutdown();
 * ```
 */
export class Queue<T = unknown> {
  /** The kind a class makes and accepts at attach. */
  protected static readonly kind: Kind = KIND_FIFO;

  /** A plain, structured-cloneable description of this queue, for `workerData` or `postMessage`. */
  readonly handle: QueueHandle;
  /** The blocking face, for worker threads. */
  readonly syncQ: SyncQueue<T>;
  /** The promise face, for the event loop. */
  readonly asyncQ: AsyncQueue<T>;
  private readonly core: Core;

  /**
   * Attaches a queue created in any thread, from its `handle`: the result is
   * the same queue, not a copy.
   *
   * @param handle - `q.handle` of the queue, as received (`workerData`, a message).
   * @param options - the custom codec, for a queue made with one.
   * @throws `TypeError` when the handle is not a janus-queue handle, is of
   *   another kind of queue (use that class's `attach`) or layout version, or
   *   its custom codec is missing; the message says which.
   *
   * @example
   * ```ts
   * import { workerData } from 'node:worker_threads';
   * const jobs = Queue.attach<Job>(workerData);
   * ```
   */
  static attach<T = unknown>(handle: QueueHandle, options?: AttachOptions<T>): Queue<T> {
    const kind = (this as unknown as { kind: Kind }).kind;
    return new this<T>(checkHandle(handle, kind, options) as QueueOptions<T>);
  }

  /**
   * Creates an empty queue in a new SharedArrayBuffer.
   *
   * @throws `TypeError` for options that are not an object, an unknown option
   *   name, or a value of the wrong type; `RangeError` for a value out of range
   *   (each names the option).
   */
  constructor(options?: QueueOptions<T>) {
    const kind = (new.target as unknown as { kind: Kind }).kind;
    let buffer: SharedArrayBuffer;
    let codec: WireCodec;
    if (options instanceof Attaching) {
      buffer = options.buffer;
      codec = makeCodec(options.codec);
    } else {
      requireSharedMemory(`new ${KIND_NAMES[kind]}()`);
      const o = checkOptions(options);
      codec = makeCodec(o.codec); // throws a TypeError naming the option
      buffer = createBuffer(kind, codec.id, o.maxsize, o.maxBytes);
    }
    const name = codecName(codec.id)!;
    this.handle = Object.freeze({ janusQueue: 1, kind: KIND_NAMES[kind] as QueueHandle['kind'], codec: name, buffer });
    const core = new Core(buffer);
    const items = new Items(codec, core);
    this.core = core;
    this.syncQ = new SyncFace<T>(core, items);
    this.asyncQ = new AsyncFace<T>(core, items);
  }

  /**
   * Watches a Node `Worker` that uses this queue: when its thread stops, for
   * whatever reason (`terminate()` at any point, a crash, `process.exit()`),
   * repairs what it left in the queue (see `recover`). Resolves with the
   * worker's exit code once that is done: the moment to decide what its
   * death means, e.g. `shutdown()` when the last consumer is gone. Call it
   * when you create the worker (Node clears `worker.threadId` at exit).
   * Until then, a synchronous call of this thread (`syncQ`, `*Nowait`,
   * `taskDone`, `shutdown`) that meets the lock held by the worker after it
   * has stopped recovers it itself, without waiting for the `'exit'` event
   * (docs/semantics.md, "A thread that dies inside a call").
   *
   * @throws `TypeError` at once for an object whose `threadId` is not a
   *   running worker's, or is the calling thread's own.
   */
  watch(worker: WatchedWorker): Promise<number> {
    const threadId = (worker as WatchedWorker | null)?.threadId;
    const token = tokenOf(threadId);
    if (typeof (worker as { once?: unknown }).once !== 'function')
      throw new TypeError(`janus-queue: watch() needs a node:worker_threads Worker (with threadId and once('exit')), got ${describe(worker)}; a web Worker has no 'exit' event`);
    // The repair of a running thread would free the slots it waits on.
    if (token === threadToken()) throw new TypeError(`janus-queue: watch() was given an object whose threadId (${threadId}) is the calling thread's own; pass the Worker of another thread`);
    // Until its 'exit', a call of this thread that waits for a lock the
    // worker holds recovers it as soon as it has certainly stopped, without
    // the event loop (src/dead-threads.ts).
    watchThread(token, worker);
    return new Promise((resolve, reject) => {
      worker.once('exit', (code: number) => {
        this.core.recovery.recover(token).then(
          () => {
            unwatchThread(token);
            resolve(code);
          },
          (e: unknown) => {
            unwatchThread(token);
            reject(e);
          },
        );
      });
    });
  }

  /**
   * Repairs what the stopped thread `threadId` left in the queue: a critical
   * section it was killed in is undone and the lock released; its waiters are
   * removed, and any wake-up they had is passed on. Call it only once that
   * thread has certainly stopped (after its Worker's `'exit'` event; `watch`
   * does this for you). Resolves with whether the thread held anything. Items
   * the thread had already taken are gone, and `unfinishedTasks` still
   * counts them.
   */
  recover(threadId: number): Promise<boolean> {
    try {
      const token = tokenOf(threadId);
      if (token === threadToken()) throw new TypeError(`janus-queue: recover(${threadId}) names the calling thread, which is running; pass the threadId of a thread that has stopped`);
      return this.core.recovery.recover(token);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** True once the queue is shut down, by any thread. */
  get closed(): boolean {
    return this.syncQ.closed;
  }

  /** Same as `syncQ.shutdown(immediate)`: shuts the queue down for every thread (see {@link SyncQueue.shutdown}). */
  shutdown(immediate = false): void {
    this.syncQ.shutdown(immediate);
  }

  /** janus's `close()`: `shutdown(true)`, for every thread. */
  close(): void {
    this.syncQ.shutdown(true);
  }

  /**
   * janus's `wait_closed()`: resolves once the queue is shut down (at once,
   * since a shutdown wakes every waiter), rejects with an `Error` if it was
   * never shut down.
   */
  waitClosed(): Promise<void> {
    if (!this.closed) return Promise.reject(new Error('janus-queue: waitClosed() called on a queue that was not shut down; call close() or shutdown() first'));
    return Promise.resolve();
  }

  /** janus's `aclose()`: `close()` then `waitClosed()`. */
  aclose(): Promise<void> {
    this.close();
    return this.waitClosed();
  }

  // Defined in the static block below, only on runtimes that have the
  // symbols; declared here so that TypeScript knows them.
  /**
   * `using q = new Queue()`: `close()` at the end of the scope. The queue is
   * one for every thread, so disposing any instance, an attached one in a
   * worker too, shuts it down for all of them. Present only where the runtime
   * has `Symbol.dispose`.
   */
  declare [Symbol.dispose]: () => void;
  /**
   * `await using q = new Queue()`: `aclose()` at the end of the scope, for
   * every thread. Present only where the runtime has `Symbol.asyncDispose`.
   */
  declare [Symbol.asyncDispose]: () => Promise<void>;

  static {
    // Only where the runtime has the well-known symbols: no polyfill, and
    // nothing outside this class is touched on import.
    const proto = this.prototype;
    if (typeof Symbol.dispose === 'symbol')
      Object.defineProperty(proto, Symbol.dispose, { value: proto.close, writable: true, configurable: true });
    if (typeof Symbol.asyncDispose === 'symbol')
      Object.defineProperty(proto, Symbol.asyncDispose, { value: proto.aclose, writable: true, configurable: true });
  }
}

/** A LIFO queue: the item put last comes out first. Otherwise a {@link Queue}. */
export class LifoQueue<T = unknown> extends Queue<T> {
  protected static override readonly kind: Kind = KIND_LIFO;

  /** Attaches a LifoQueue created in any thread, from its `handle` (see {@link Queue.attach}). */
  static override attach<T = unknown>(handle: QueueHandle, options?: AttachOptions<T>): LifoQueue<T> {
    return super.attach<T>(handle, options) as LifoQueue<T>;
  }
}

/**
 * Queue's constructor, seen without Queue's static side: what
 * {@link PriorityQueue} extends. At run time it is `Queue` itself, so a
 * PriorityQueue is an `instanceof Queue` and its instances are
 * `Queue<[priority: number, value: T]>`. Seen through this type, TypeScript
 * does not check PriorityQueue's static `attach<T>(): PriorityQueue<T>`
 * against `Queue.attach<T>(): Queue<T>` (a queue of `[number, T]` pairs is not
 * a `Queue<T>`, so that check would refuse the class). The emitted
 * declarations say `declare const PriorityQueue_base: QueueOfItems` and
 * `class PriorityQueue<T> extends PriorityQueue_base<[priority: number, value: T]>`;
 * the API reference shows the base as `Queue<[priority: number, value: T]>`
 * (typedoc.plugin.mjs).
 */
type QueueOfItems = new <I = unknown>(options?: QueueOptions<I>) => Queue<I>;

/**
 * A priority queue of `[priority, value]` pairs: its items, as `put` takes
 * them and `get` returns them, are `[priority: number, value: T]`. The
 * lowest priority number comes out first, and equal priorities come out in
 * the order they were put (stable, unlike Python's heapq). The codec encodes
 * the value; the priority is kept as a number (any number but `NaN`).
 * Otherwise a {@link Queue} (and an `instanceof Queue`).
 *
 * @throws `TypeError` at `put` for an item that is not a `[number, value]` pair.
 *
 * @example
 * ```ts
 * const q = new PriorityQueue<string>();
 * q.syncQ.put([2, 'later']);
 * q.syncQ.put([1, 'first']);
 * const [priority, value] = q.syncQ.get(); // 1, 'first': get returns the pair
 * ```
 */
export class PriorityQueue<T = unknown> extends (Queue as QueueOfItems)<[priority: number, value: T]> {
  /** The kind a class makes and accepts at attach. */
  protected static readonly kind: Kind = KIND_PRIORITY;

  /**
   * Attaches a PriorityQueue created in any thread, from its `handle` (see
   * {@link Queue.attach}): a queue of `[priority, value]` pairs.
   *
   * @param handle - `q.handle` of the priority queue, as received.
   * @param options - the custom codec of the values, for a queue made with one.
   * @throws `TypeError` as {@link Queue.attach} does, and for the handle of a
   *   queue that is not a PriorityQueue.
   */
  static attach<T = unknown>(handle: QueueHandle, options?: AttachOptions<T>): PriorityQueue<T> {
    return Queue.attach.call(this, handle, options as AttachOptions<unknown>) as unknown as PriorityQueue<T>;
  }

  /**
   * Creates an empty priority queue in a new SharedArrayBuffer; the options
   * are those of {@link Queue}, and a custom `codec` encodes the values (the
   * priority is kept as a number).
   *
   * @throws as the {@link Queue} constructor does.
   */
  constructor(options?: QueueOptions<T>) {
    super(options as QueueOptions<[priority: number, value: T]>);
  }
}

function checkOptions(options: unknown): { maxsize: number; maxBytes: number; codec: unknown } {
  if (options === undefined) return { maxsize: 0, maxBytes: DEFAULT_MAX_BYTES, codec: undefined };
  if (typeof options !== 'object' || options === null) throw new TypeError(`janus-queue: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new TypeError(`janus-queue: unknown option "${key}" (expected maxsize, maxBytes or codec)`);
  }
  const o = options as QueueOptions;
  let maxsize = 0;
  if (o.maxsize !== undefined) {
    if (typeof o.maxsize !== 'number') throw new TypeError(`janus-queue: option "maxsize" must be a number, got ${describe(o.maxsize)}`);
    // Kept as given (Python's q.maxsize does too); Infinity means no limit and reads back as 0.
    if (o.maxsize !== Infinity && !(Number.isInteger(o.maxsize) && o.maxsize >= -0x80000000 && o.maxsize <= 0x7fffffff))
      throw new RangeError(`janus-queue: option "maxsize" must be an integer from -2147483648 to 2147483647 (<= 0 for no limit), got ${o.maxsize}`);
    maxsize = o.maxsize === Infinity ? 0 : o.maxsize;
  }
  let maxBytes = DEFAULT_MAX_BYTES;
  if (o.maxBytes !== undefined) {
    if (typeof o.maxBytes !== 'number') throw new TypeError(`janus-queue: option "maxBytes" must be a number, got ${describe(o.maxBytes)}`);
    if (!Number.isInteger(o.maxBytes) || o.maxBytes < 1 || o.maxBytes > MAX_MAX_BYTES)
      throw new RangeError(`janus-queue: option "maxBytes" must be an integer from 1 to ${MAX_MAX_BYTES}, got ${o.maxBytes}`);
    maxBytes = o.maxBytes;
  }
  return { maxsize, maxBytes, codec: o.codec };
}

function checkHandle(handle: unknown, kind: Kind, options: AttachOptions<unknown> | undefined): Attaching {
  const want = KIND_NAMES[kind];
  requireSharedMemory(`${want}.attach()`);
  const h = handle as Partial<QueueHandle> | null;
  if (typeof h !== 'object' || h === null || h.janusQueue !== 1)
    throw new TypeError(`janus-queue: ${want}.attach() needs the handle of a janus-queue queue (queue.handle), got ${describe(handle)}`);
  const buffer = h.buffer;
  if (Object.prototype.toString.call(buffer) !== '[object SharedArrayBuffer]')
    throw new TypeError(`janus-queue: ${want}.attach(): the handle has no SharedArrayBuffer (got ${describe(buffer)})`);
  const sab = buffer as SharedArrayBuffer;
  const problem = checkHeader(sab);
  if (problem) throw new TypeError(`janus-queue: ${want}.attach(): not a janus-queue buffer: ${problem}`);
  const header = readHeader(sab);
  const got = header.kind;
  if (h.kind !== KIND_NAMES[got]) throw new TypeError(`janus-queue: ${want}.attach(): the handle's kind (${describe(h.kind)}) does not match its buffer (a ${KIND_NAMES[got]})`);
  if (got !== kind) throw new TypeError(`janus-queue: ${want}.attach() was given the handle of a ${KIND_NAMES[got]}; use ${KIND_NAMES[got]}.attach()`);
  const codec = codecName(header.codecId);
  if (!codec || h.codec !== codec) throw new TypeError(`janus-queue: ${want}.attach(): the handle's codec (${String(h.codec)}) does not match its buffer`);
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new TypeError(`janus-queue: attach options must be an object, got ${describe(options)}`);
  const given = options?.codec as unknown;
  if (codec === 'custom') {
    if (!isCustomCodec(given))
      throw new TypeError(`janus-queue: this queue uses a custom codec; pass it again: ${want}.attach(handle, { codec: { encode, decode } })`);
    return new Attaching(sab, given);
  }
  if (given !== undefined && given !== codec)
    throw new TypeError(`janus-queue: this queue uses the built-in '${codec}' codec, which travels with the handle; do not pass another codec to attach()`);
  return new Attaching(sab, codec as CodecName);
}
