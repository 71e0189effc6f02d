import { AsyncWait, type Call, finish } from './async-wait.js';
import { now } from './clock.js';
import { CLOSED, OK, type Result } from './core.js';
import { QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
import { Face, getFailure, putFailure } from './face.js';
import { GETTERS, JOINERS, PUTTERS } from './layout.js';
import { LOCK_PATIENCE_MS, NO_LOCK, retrySoon } from './section.js';
import { type Shared, checkMax, checkTimeout, putTimeout } from './shared.js';
import { readableFrom, writableTo } from './streams.js';
import type { AsyncOptions, AsyncQueue, ReadableOptions, WritableOptions } from './types.js';

/**
 * The promise face. A call first makes one attempt (when no call of its kind
 * is pending in this instance, so same-thread calls stay in order); if it
 * must wait, it joins its pump's FIFO. It never blocks the thread.
 */
export class AsyncFace<T> extends Face implements AsyncQueue<T> {
  private readonly getters: AsyncWait;
  private readonly putters: AsyncWait;
  private readonly joiners: AsyncWait;

  constructor(shared: Shared) {
    super(shared);
    const core = shared.core;
    this.getters = new AsyncWait(core, {
      list: GETTERS,
      attempt: (head) => (head.max === undefined ? core.getLocked() : core.getManyLocked(head.max)),
      settle: (r, calls) => {
        if (r !== OK) return rejectAll(calls, () => new QueueShutDown());
        const head = calls.shift()!;
        settleWith(head, () => (head.max === undefined ? shared.taken() : shared.takenMany()));
      },
    });
    this.putters = new AsyncWait(core, {
      list: PUTTERS,
      attempt: (head) => (head.batch ? core.putManyLocked(head.batch) : core.putLocked(head.bytes!, head.len!, head.priority!)),
      settle: (r, calls) => {
        if (r === OK) settleWith(calls.shift()!, () => undefined);
        else rejectAll(calls, () => new QueueShutDown());
      },
    });
    this.joiners = new AsyncWait(core, {
      list: JOINERS,
      attempt: () => core.joinLocked(),
      settle: (_r, calls) => {
        while (calls.length > 0) settleWith(calls.shift()!, () => true);
      },
    });
  }

  put(item: T, options?: AsyncOptions): Promise<void> {
    try {
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refusePutIfShutDown();
      const timeout = putTimeout(options?.timeout, this.shared.maxsize());
      const { bytes, len, priority, need } = this.shared.prepare(item);
      let patience = LOCK_PATIENCE_MS; // for the pump's first attempt: 0 after one in vain here
      if (this.putters.calls.length === 0 || timeout === 0) {
        const r = this.tryPut(bytes, len, priority, LOCK_PATIENCE_MS);
        if (r === NO_LOCK) patience = 0;
        if (r === OK) return Promise.resolve();
        if (r === NO_LOCK && timeout === 0) {
          // Later: a copy of its own (encode may have returned a scratch view).
          const own = bytes.slice(0, len);
          return this.onceLater(() => this.shared.core.putLocked(own, len, priority), settlePut, signal);
        }
        if (r === CLOSED || timeout === 0) throw putFailure(r as Result);
      }
      // It waits: keep a private copy of the bytes (encode may have returned
      // a scratch view, and the caller may change a Uint8Array it gave us).
      return this.pending(this.putters, { bytes: bytes.slice(0, len), len, priority, need }, timeout, signal, () => new QueueFull(), false, patience) as Promise<void>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  get(options?: AsyncOptions): Promise<T> {
    try {
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refuseGetIfShutDown();
      const timeout = checkTimeout(options?.timeout, 'get()');
      let patience = LOCK_PATIENCE_MS;
      if (this.getters.calls.length === 0 || timeout === 0) {
        const r = this.tryGet(LOCK_PATIENCE_MS);
        if (r === NO_LOCK) patience = 0;
        if (r === OK) return Promise.resolve(this.shared.taken() as T);
        if (r === NO_LOCK && timeout === 0) return this.onceLater(this.getAttempt, (r) => (r === OK ? (this.shared.taken() as T) : throwIt(getFailure(r))), signal);
        if (r === CLOSED || timeout === 0) throw getFailure(r as Result);
      }
      return this.pending(this.getters, {}, timeout, signal, () => new QueueEmpty(), false, patience) as Promise<T>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  putMany(items: Iterable<T>, options?: AsyncOptions): Promise<void> {
    try {
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refusePutIfShutDown();
      const timeout = putTimeout(options?.timeout, this.shared.maxsize());
      const batch = this.shared.prepareMany(items);
      if (batch.lens.length === 0) return Promise.resolve();
      let patience = LOCK_PATIENCE_MS;
      if (this.putters.calls.length === 0 || timeout === 0) {
        const attempt = (): Result => this.shared.core.putManyLocked(batch);
        const r = this.tryLocked(attempt);
        if (r === NO_LOCK) patience = 0;
        if (r === OK) return Promise.resolve();
        if (r === NO_LOCK && timeout === 0) return this.onceLater(attempt, settlePut, signal);
        if (r === CLOSED || timeout === 0) throw putFailure(r as Result);
      }
      // prepareMany's buffer is already this call's own.
      return this.pending(this.putters, { batch, need: batch.need }, timeout, signal, () => new QueueFull(), false, patience) as Promise<void>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  getMany(max: number, options?: AsyncOptions): Promise<T[]> {
    try {
      checkMax(max);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refuseGetIfShutDown();
      const timeout = checkTimeout(options?.timeout, 'getMany()');
      let patience = LOCK_PATIENCE_MS;
      if (this.getters.calls.length === 0 || timeout === 0) {
        const attempt = (): Result => this.shared.core.getManyLocked(max);
        const r = this.tryLocked(attempt);
        if (r === NO_LOCK) patience = 0;
        if (r === OK) return Promise.resolve(this.shared.takenMany() as T[]);
        if (r === NO_LOCK && timeout === 0) return this.onceLater(attempt, (r) => (r === OK ? (this.shared.takenMany() as T[]) : throwIt(getFailure(r))), signal);
        if (r === CLOSED || timeout === 0) throw getFailure(r as Result);
      }
      return this.pending(this.getters, { max }, timeout, signal, () => new QueueEmpty(), false, patience) as Promise<T[]>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  putNowait(item: T): void {
    this.refusePutIfShutDown();
    const { bytes, len, priority } = this.shared.prepare(item);
    const r = this.tryPut(bytes, len, priority, Infinity) as Result; // Infinity: never NO_LOCK
    if (r !== OK) throw putFailure(r);
  }

  getNowait(): T {
    const r = this.tryGet(Infinity) as Result; // Infinity: never NO_LOCK
    if (r !== OK) throw getFailure(r);
    return this.shared.taken() as T;
  }

  join(options?: AsyncOptions): Promise<boolean> {
    try {
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const timeout = checkTimeout(options?.timeout, 'join()');
      if (this.shared.core.unfinished() === 0) return Promise.resolve(true);
      if (timeout === 0) return Promise.resolve(false);
      return this.pending(this.joiners, {}, timeout, signal, () => false, true) as Promise<boolean>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (e) {
        if (e instanceof QueueShutDown) return;
        throw e;
      }
      yield item;
    }
  }

  readable(options?: ReadableOptions): ReadableStream<T> {
    return readableFrom(this, options);
  }

  writable(options?: WritableOptions): WritableStream<T> {
    return writableTo(this, options);
  }

  /** The first attempt of a get, within `patience` ms for the lock (see tryLocked). */
  private tryGet(patience: number): Result | typeof NO_LOCK {
    return this.tryLocked(this.getAttempt, patience);
  }

  private tryPut(bytes: Uint8Array, len: number, priority: number, patience: number): Result | typeof NO_LOCK {
    this.putBytes = bytes;
    this.putLen = len;
    this.putPriority = priority;
    try {
      return this.tryLocked(this.putAttempt, patience);
    } finally {
      this.putBytes = NO_BYTES; // keep no reference to the item past the attempt
    }
  }

  // The first attempts of get and put, made once per face so that a call
  // that needs no wait allocates nothing but its promise. An attempt runs
  // synchronously, so one set of fields is enough.
  private putBytes: Uint8Array = NO_BYTES;
  private putLen = 0;
  private putPriority = 0;
  private readonly putAttempt = (): Result => this.shared.core.putLocked(this.putBytes, this.putLen, this.putPriority);
  private readonly getAttempt = (): Result => this.shared.core.getLocked();

  /**
   * One core attempt under the lock for a promise call, which waits for the
   * lock at most LOCK_PATIENCE_MS: NO_LOCK if it could not have it (its
   * holder may have died, and this event loop must keep turning to learn it
   * and recover, docs/design.md). A call that may wait then joins its pump;
   * one with timeout 0 tries again later (onceLater). The synchronous
   * *Nowait calls pass Infinity: they wait for the lock as long as it takes.
   */
  private tryLocked(attempt: () => Result, patience = LOCK_PATIENCE_MS): Result | typeof NO_LOCK {
    // A failed attempt changes nothing (src/section.ts).
    return this.shared.core.section.run(patience, attempt);
  }

  /**
   * A timeout-0 promise call that did not get the lock: retried from a timer
   * until it does, then tried once; `settle` turns the result into the
   * value (read at once, before another call reuses the core's buffers) or
   * throws. An abort meanwhile rejects with the signal's reason.
   */
  private async onceLater<V>(attempt: () => Result, settle: (r: Result) => V, signal: AbortSignal | undefined): Promise<V> {
    let r: Result | typeof NO_LOCK = NO_LOCK;
    await retrySoon(() => {
      if (signal?.aborted) throw signal.reason;
      r = this.tryLocked(attempt, 0);
      return r !== NO_LOCK;
    });
    return settle(r as Result);
  }

  /**
   * Queues a call on a pump. On timeout it settles with `onTimeout()`
   * (rejected for get/put, resolved false for join); on abort it rejects with
   * `signal.reason`. Either way it is removed before it touched the queue.
   */
  private pending(
    pump: AsyncWait,
    fields: Partial<Call>,
    timeout: number,
    signal: AbortSignal | undefined,
    onTimeout: () => unknown,
    timeoutResolves = false,
    patience = LOCK_PATIENCE_MS,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call: Call = { ...fields, resolve, reject };
      if (timeout !== Infinity) {
        // setTimeout fires at once for delays past 2^31-1 ms: re-arm in steps.
        const deadline = now() + timeout;
        const arm = (): void => {
          const left = deadline - now();
          if (left > MAX_TIMER_MS) {
            call.timer = setTimeout(arm, MAX_TIMER_MS);
            return;
          }
          call.timer = setTimeout(() => {
            call.timer = undefined;
            pump.remove(call, () => (timeoutResolves ? resolve(onTimeout()) : reject(onTimeout())));
          }, left);
        };
        arm();
      }
      if (signal) {
        call.signal = signal;
        call.onAbort = () => pump.remove(call, () => reject(signal.reason));
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      pump.add(call, patience);
    });
  }
}

const MAX_TIMER_MS = 0x7fffffff;
const NO_BYTES: Uint8Array = new Uint8Array(0);

const settlePut = (r: Result): void => {
  if (r !== OK) throw putFailure(r);
};

function throwIt(e: Error): never {
  throw e;
}

function settleWith(call: Call, value: () => unknown): void {
  finish(call);
  try {
    call.resolve(value());
  } catch (e) {
    call.reject(e);
  }
}

function rejectAll(calls: Call[], error: () => Error): void {
  while (calls.length > 0) {
    const call = calls.shift()!;
    finish(call);
    call.reject(error());
  }
}

function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).addEventListener !== 'function' || !('aborted' in signal))
    throw new TypeError('janus-queue: option "signal" must be an AbortSignal');
  return signal as AbortSignal;
}
