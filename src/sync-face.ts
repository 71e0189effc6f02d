import { JOIN_OPTIONS, SYNC_OPTIONS, checkMax, checkOptions, checkTimeout, putTimeout } from './checks.js';
import { deadlineFor } from './clock.js';
import { type Core, GETTERS, JOINERS, OK, PUTTERS, type Result } from './core.js';
import { QueueShutDown } from './errors.js';
import { Face, getFailure, putFailure } from './face.js';
import type { Items } from './items.js';
import { canBlock } from './platform.js';
import type { NO_LOCK } from './section.js';
import { SyncWait } from './sync-wait.js';
import type { JoinOptions, SyncGetOptions, SyncPutOptions, SyncQueue } from './types.js';

/** The blocking face. Every call is one core attempt, plus a wait on a slot between attempts. */
export class SyncFace<T> extends Face implements SyncQueue<T> {
  private readonly getters: SyncWait;
  private readonly putters: SyncWait;
  private readonly joiners: SyncWait;

  constructor(core: Core, items: Items) {
    super(core, items);
    this.getters = new SyncWait(core, GETTERS);
    this.putters = new SyncWait(core, PUTTERS);
    this.joiners = new SyncWait(core, JOINERS);
  }

  put(item: T, options?: SyncPutOptions): void {
    this.putItem(item, this.timeoutOf(options, 'put', true));
  }

  get(options?: SyncGetOptions): T {
    return this.getItem(this.timeoutOf(options, 'get', false));
  }

  /**
   * What every waiting call checks first, in Python's order (its options,
   * a shut-down queue, its timeout, whether this thread may block), and the
   * timeout it waits for: 0 tries once (`block: false` too).
   */
  private timeoutOf(options: SyncGetOptions | SyncPutOptions | undefined, call: string, put: boolean): number {
    checkOptions(options, `syncQ.${call}()`, SYNC_OPTIONS);
    if (put) this.refusePutIfShutDown();
    else this.refuseGetIfShutDown();
    const block = options?.block ?? true;
    const timeout = !block ? 0 : put ? putTimeout(options?.timeout, this.core.maxsize) : checkTimeout(options?.timeout, `${call}()`);
    if (timeout !== 0) mustBlock(call);
    return timeout;
  }

  /** put and get after their checks (the attempts: see Face); timeout 0 tries once. */
  private putItem(item: T, timeout: number): void {
    this.load(this.items.prepare(item));
    let r: Result | typeof NO_LOCK;
    try {
      r = this.putters.call(this.putNeed, 1, timeout !== 0, deadlineFor(timeout), this.putAttempt);
    } finally {
      this.unload();
    }
    if (r !== OK) throw putFailure(r);
  }

  private getItem(timeout: number): T {
    const r = this.getters.call(0, 1, timeout !== 0, deadlineFor(timeout), this.getAttempt);
    if (typeof r === 'number') throw getFailure(r);
    return this.items.decode(r) as T;
  }

  putMany(items: Iterable<T>, options?: SyncPutOptions): void {
    const timeout = this.timeoutOf(options, 'putMany', true);
    const batch = this.items.prepareMany(items, true);
    if (batch.lens.length === 0) return;
    const core = this.core;
    const r = this.putters.call(batch.need, batch.lens.length, timeout !== 0, deadlineFor(timeout), () => core.putManyLocked(batch));
    if (r !== OK) throw putFailure(r);
  }

  getMany(max: number, options?: SyncGetOptions): T[] {
    checkMax(max);
    const timeout = this.timeoutOf(options, 'getMany', false);
    const core = this.core;
    const r = this.getters.call(0, 1, timeout !== 0, deadlineFor(timeout), () => core.getManyLocked(max));
    if (typeof r === 'number') throw getFailure(r);
    return this.items.decodeMany(r) as T[];
  }

  getView<R>(fn: (view: Uint8Array) => R, options?: SyncGetOptions): R {
    this.items.checkView('getView', fn);
    const timeout = this.timeoutOf(options, 'getView', false);
    const core = this.core;
    const r = this.getters.call(0, 1, timeout !== 0, deadlineFor(timeout), () => core.getViewLocked(fn));
    if (typeof r === 'number') throw getFailure(r);
    return r.value;
  }

  putView(byteLength: number, fill: (view: Uint8Array) => void, options?: SyncPutOptions): void {
    const need = this.items.checkView('putView', fill, byteLength);
    const timeout = this.timeoutOf(options, 'putView', true);
    const core = this.core;
    const r = this.putters.call(need, 1, timeout !== 0, deadlineFor(timeout), () => core.putViewLocked(byteLength, fill));
    if (r !== OK) throw putFailure(r);
  }

  putNowait(item: T): void {
    this.refusePutIfShutDown();
    this.putItem(item, 0);
  }

  getNowait(): T {
    this.refuseGetIfShutDown();
    return this.getItem(0);
  }

  join(options?: JoinOptions): boolean {
    options = checkOptions(options, 'syncQ.join()', JOIN_OPTIONS);
    const timeout = checkTimeout(options?.timeout, 'join()');
    if (timeout !== 0) mustBlock('join');
    const core = this.core;
    return this.joiners.call(0, 1, timeout !== 0, deadlineFor(timeout), () => core.joinLocked()) === OK;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (;;) {
      let item: T;
      try {
        item = this.get();
      } catch (e) {
        if (e instanceof QueueShutDown) return;
        throw e;
      }
      yield item;
    }
  }
}

function mustBlock(call: string): void {
  if (!canBlock())
    throw new TypeError(
      `janus-queue: syncQ.${call}() would block, and this thread may not block (Atomics.wait is not allowed on a browser's main thread); use asyncQ, or a non-blocking call (${call === 'join' ? 'join({ timeout: 0 })' : call === 'put' || call === 'get' ? `block: false, timeout: 0, or ${call}Nowait()` : 'block: false, timeout: 0'})`,
    );
}
