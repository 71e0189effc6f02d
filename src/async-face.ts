import { AsyncWait, type Call, finish } from './async-wait.js';
import { now } from './clock.js';
import { type Calls, guarded, unwrapped } from './calls.js';
import { ASYNC_OPTIONS, checkMax, checkOptions, checkSignal, checkTimeout, putTimeout } from './checks.js';
import { BLOCKED, CLOSED, type Core, GETTERS, JOINERS, OK, PUTTERS, type Taken, type TakenMany } from './core.js';
import { QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
import { Face, getFailure, putFailure } from './face.js';
import { type Items, ownCopy } from './items.js';
import { LOCK_PATIENCE_MS, NO_LOCK } from './section.js';
import { readableFrom, writableTo } from './streams.js';
import type { AsyncOptions, AsyncQueue, ReadableOptions, WritableOptions } from './types.js';

/**
 * The promise face. A call first makes one attempt (when no call of its kind
 * is pending in this instance, so same-thread calls stay in order); if it
 * must wait, it joins its pump's FIFO (src/async-wait.ts). It never blocks
 * the thread for long.
 */
export class AsyncFace<T> extends Face implements AsyncQueue<T> {
  private readonly getters: AsyncWait;
  private readonly putters: AsyncWait;
  private readonly joiners: AsyncWait;

  constructor(core: Core, items: Items) {
    super(core, items);
    this.getters = new AsyncWait(core, {
      list: GETTERS,
      attempt: (head, calls) => {
        if (head.view !== undefined) return core.getViewLocked(head.view);
        if (head.max !== undefined) return core.getManyLocked(head.max);
        // Several gets waiting in a row: as many items as are there, for
        // as many of them, in one lock hold (one item each, in their order).
        const k = calls.leading(isGet, SERVE_AT_ONCE);
        return k > 1 ? core.getManyLocked(k) : core.getLocked();
      },
      settle: (r, calls) => {
        if (typeof r === 'number') return rejectAll(calls, () => new QueueShutDown());
        if (calls.first()!.max === undefined && (r as Partial<TakenMany>).lens !== undefined) return settleGets(items, r as TakenMany, calls);
        const head = calls.shift()!;
        settleWith(head, () => (head.view !== undefined ? (r as { value: unknown }).value : head.max === undefined ? items.decode(r as Taken) : items.decodeMany(r as TakenMany)));
      },
    });
    this.putters = new AsyncWait(core, {
      list: PUTTERS,
      attempt: (head) =>
        head.fill !== undefined ? core.putViewLocked(head.len!, head.fill) : head.batch ? core.putManyLocked(head.batch) : core.putLocked(head.bytes!, head.len!, head.priority!),
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
      options = checkOptions(options, 'asyncQ.put()', ASYNC_OPTIONS);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refusePutIfShutDown();
      const timeout = putTimeout(options?.timeout, this.core.maxsize);
      this.load(this.items.prepare(item));
      try {
        return this.call(this.putters, timeout, signal, this.putAttempt, settlePut, this.putFields, full);
      } finally {
        this.unload();
      }
    } catch (e) {
      return Promise.reject(e);
    }
  }

  get(options?: AsyncOptions): Promise<T> {
    try {
      options = checkOptions(options, 'asyncQ.get()', ASYNC_OPTIONS);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refuseGetIfShutDown();
      const timeout = checkTimeout(options?.timeout, 'get()');
      return this.call(this.getters, timeout, signal, this.getAttempt, this.gotOne, noFields, empty);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  putMany(items: Iterable<T>, options?: AsyncOptions): Promise<void> {
    try {
      options = checkOptions(options, 'asyncQ.putMany()', ASYNC_OPTIONS);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refusePutIfShutDown();
      const timeout = putTimeout(options?.timeout, this.core.maxsize);
      const batch = this.items.prepareMany(items); // a buffer of its own
      if (batch.lens.length === 0) return Promise.resolve();
      const attempt = (): unknown => this.core.putManyLocked(batch);
      return this.call(this.putters, timeout, signal, attempt, settlePut, () => ({ batch, need: batch.need }), full);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  getMany(max: number, options?: AsyncOptions): Promise<T[]> {
    try {
      options = checkOptions(options, 'asyncQ.getMany()', ASYNC_OPTIONS);
      checkMax(max);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refuseGetIfShutDown();
      const timeout = checkTimeout(options?.timeout, 'getMany()');
      const attempt = (): unknown => this.core.getManyLocked(max);
      return this.call(this.getters, timeout, signal, attempt, this.gotMany, () => ({ max }), empty);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  getView<R>(fn: (view: Uint8Array) => R, options?: AsyncOptions): Promise<R> {
    try {
      options = checkOptions(options, 'asyncQ.getView()', ASYNC_OPTIONS);
      this.items.checkView('getView', fn);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refuseGetIfShutDown();
      const timeout = checkTimeout(options?.timeout, 'getView()');
      const attempt = (): unknown => this.core.getViewLocked(fn);
      // In a pump, what fn throws fails this call alone (src/calls.ts CallbackError).
      return this.call(this.getters, timeout, signal, attempt, lent as (r: unknown) => R, () => ({ view: guarded(fn) }), empty);
    } catch (e) {
      return Promise.reject(unwrapped(e));
    }
  }

  putView(byteLength: number, fill: (view: Uint8Array) => void, options?: AsyncOptions): Promise<void> {
    try {
      options = checkOptions(options, 'asyncQ.putView()', ASYNC_OPTIONS);
      const need = this.items.checkView('putView', fill, byteLength);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      this.refusePutIfShutDown();
      const timeout = putTimeout(options?.timeout, this.core.maxsize);
      const attempt = (): unknown => this.core.putViewLocked(byteLength, fill);
      return this.call(this.putters, timeout, signal, attempt, settlePut, () => ({ fill: guarded(fill), len: byteLength, need }), full);
    } catch (e) {
      return Promise.reject(unwrapped(e));
    }
  }

  putNowait(item: T): void {
    this.refusePutIfShutDown();
    this.load(this.items.prepare(item));
    try {
      // Tries once: the lock within a bounded moment, else QueueFull (docs/timeouts.md).
      settlePut(this.core.section.run(LOCK_PATIENCE_MS, this.putAttempt));
    } finally {
      this.unload();
    }
  }

  getNowait(): T {
    return this.gotOne(this.core.section.run(LOCK_PATIENCE_MS, this.getAttempt)); // NO_LOCK: QueueEmpty
  }

  join(options?: AsyncOptions): Promise<boolean> {
    try {
      options = checkOptions(options, 'asyncQ.join()', ASYNC_OPTIONS);
      const signal = checkSignal(options?.signal);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const timeout = checkTimeout(options?.timeout, 'join()');
      if (this.core.unfinished() === 0) return Promise.resolve(true);
      if (timeout === 0) return Promise.resolve(false);
      return this.joiners.add({}, timeout, signal, () => false, true, LOCK_PATIENCE_MS) as Promise<boolean>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * `for await (const x of q.asyncQ)`: gets until the queue is shut down and
   * drained. Written by hand rather than as an async generator: an item that
   * is already there costs one lock hold, its decode and one settled promise,
   * with no timer, listener or closure of its own.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    let done = false;
    const end = (): IteratorResult<T> => {
      done = true;
      return { value: undefined, done: true };
    };
    const next = (): Promise<IteratorResult<T>> => {
      if (done) return Promise.resolve({ value: undefined, done: true });
      try {
        if (this.getters.calls.length === 0) {
          const r = this.core.section.run(LOCK_PATIENCE_MS, this.getAttempt);
          if (r === CLOSED) return Promise.resolve(end());
          if (r !== NO_LOCK && r !== BLOCKED) return Promise.resolve({ value: this.gotOne(r), done: false });
        }
      } catch (e) {
        return Promise.reject(e);
      }
      // Nothing there yet (or the lock was busy): wait as get() waits.
      return this.get().then(
        (value) => ({ value, done: false }),
        (e: unknown) => {
          if (e instanceof QueueShutDown) return end();
          throw e;
        },
      );
    };
    return {
      next,
      return: (): Promise<IteratorResult<T>> => Promise.resolve(end()),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  readable(options?: ReadableOptions): ReadableStream<T> {
    return readableFrom(this, options);
  }

  writable(options?: WritableOptions): WritableStream<T> {
    return writableTo(this, options);
  }

  // What call() needs of put and get besides their attempts (see Face),
  // made once per face so that a call that needs no wait allocates nothing
  // but its promise.
  /** A put that waits keeps a private copy of the bytes (encode may have returned a scratch view, and the caller may change a Uint8Array it gave us). */
  private readonly putFields = (): Partial<Call> => ({ bytes: ownCopy(this.putBytes, this.putLen), len: this.putLen, priority: this.putPriority, need: this.putNeed });
  private readonly gotOne = (r: unknown): T => {
    if (typeof r === 'number') throw getFailure(r);
    return this.items.decode(r as Taken) as T;
  };
  private readonly gotMany = (r: unknown): T[] => {
    if (typeof r === 'number') throw getFailure(r);
    return this.items.decodeMany(r as TakenMany) as T[];
  };

  /**
   * A promise call after its checks. Unless a call of its kind is pending in
   * this instance (same-thread calls stay in order), it first makes one
   * `attempt`, whose result other than BLOCKED `value` turns into the
   * call's value or error. If it must wait, it joins its pump with
   * `fields()`; on timeout it rejects with `onTimeout()`.
   *
   * The attempt waits for the lock at most LOCK_PATIENCE_MS: if its holder
   * died, this event loop must keep turning to learn it and recover
   * (docs/design.md). A call that could not have it joins its pump, whose
   * first attempt then does not wait again (a new call blocks its thread at
   * most that long, once); one with timeout 0 is then rejected with
   * QueueEmpty/QueueFull: it tried once, and `0` never waits longer.
   */
  private call<V>(
    pump: AsyncWait,
    timeout: number,
    signal: AbortSignal | undefined,
    attempt: () => unknown,
    value: (r: unknown) => V,
    fields: () => Partial<Call>,
    onTimeout: () => Error,
  ): Promise<V> {
    let patience = LOCK_PATIENCE_MS; // for the pump's first attempt
    if (pump.calls.length === 0 || timeout === 0) {
      // A failed attempt changes nothing (src/section.ts). Timeout 0 tries
      // once: without the lock after LOCK_PATIENCE_MS, value(NO_LOCK) throws
      // QueueEmpty/QueueFull ("not in time"), and the caller rejects.
      const core = this.core;
      let r = core.section.run(LOCK_PATIENCE_MS, attempt);
      if (r === BLOCKED && pump === this.getters && timeout !== 0 && this.getters.watches && core.noGetterWaits()) {
        // Empty, and nobody else waits for an item: watch for one for a
        // moment before joining the pump (an item that comes meanwhile
        // costs no registration, no signal and no wake-up). The watch
        // counts against the timeout.
        const t0 = now();
        if (this.getters.watch(core.itemReady)) r = core.section.run(LOCK_PATIENCE_MS, attempt);
        timeout -= now() - t0;
      }
      if (timeout === 0 || (r !== BLOCKED && r !== NO_LOCK)) return Promise.resolve(value(r));
      if (r === NO_LOCK) patience = 0;
    }
    return pump.add(fields(), timeout, signal, onTimeout, false, patience) as Promise<V>;
  }
}

const noFields = (): Partial<Call> => ({});
const full = (): Error => new QueueFull();
const empty = (): Error => new QueueEmpty();

const settlePut = (r: unknown): void => {
  if (r !== OK) throw putFailure(r as number);
};

/** getView's value: what the function returned (a result that is not BLOCKED/CLOSED, see call()). */
function lent(r: unknown): unknown {
  if (typeof r === 'number') throw getFailure(r as Parameters<typeof getFailure>[0]);
  return (r as { value: unknown }).value;
}

function settleWith(call: Call, value: () => unknown): void {
  // The value first: finish() may run the caller's code (a signal's
  // removeEventListener), which could get from this instance and refill what
  // `value` reads (Records' Taken). The call left the FIFO already, so an
  // abort or a timeout meanwhile does nothing to it.
  let v: unknown;
  let error: unknown;
  let failed = false;
  try {
    v = value();
  } catch (e) {
    failed = true;
    error = e;
  }
  try {
    finish(call);
  } catch {
    // The caller's removeEventListener threw. The queue's own bookkeeping
    // has let go of the listener already; the call still gets its item
    // (docs/semantics.md, "Cancellation").
  }
  if (failed) call.reject(error);
  else call.resolve(v);
}

/** The most waiting gets a pump serves in one lock hold. */
const SERVE_AT_ONCE = 64;

/** A plain get (not getMany, not getView): what a pump may serve several of at once. */
const isGet = (call: Call): boolean => call.max === undefined && call.view === undefined;

/**
 * Settles the gets at the head of `calls` with the items taken for them, one
 * each, in order: an item that cannot be decoded rejects its own get only, as
 * a get of it alone would. They leave the FIFO before any is decoded: a
 * custom codec's decode (the caller's code) that aborts one of them cannot
 * make an item go to a call after them (maybe a getMany).
 */
function settleGets(items: Items, taken: TakenMany, calls: Calls): void {
  const served: Call[] = [];
  for (let i = 0; i < taken.lens.length; i++) served.push(calls.shift()!);
  let next = 0;
  items.decodeEach(
    taken,
    (value) => settleWith(served[next++]!, () => value),
    (e) => settleWith(served[next++]!, () => {
      throw e;
    }),
  );
}

function rejectAll(calls: Calls, error: () => Error): void {
  while (calls.length > 0) {
    const call = calls.shift()!;
    finish(call);
    call.reject(error());
  }
}
