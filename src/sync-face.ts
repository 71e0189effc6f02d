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
    options = checkOptions(options, 'syncQ.put()', SYNC_OPTIONS);
    this.refusePutIfShutDown();
    const block = options?.block ?? true;
    const timeout = block ? putTimeout(options?.timeout, this.core.maxsize) : 0;
    const wait = block && timeout !== 0;
    if (wait) mustBlock('put');
    this.putItem(item, wait, timeout);
  }

  get(options?: SyncGetOptions): T {
    options = checkOptions(options, 'syncQ.get()', SYNC_OPTIONS);
    this.refuseGetIfShutDown();
    const block = options?.block ?? true;
    const timeout = block ? checkTimeout(options?.timeout, 'get()') : 0;
    const wait = block && timeout !== 0;
    if (wait) mustBlock('get');
    return this.getItem(wait, timeout);
  }

  /** put and get after their checks (the attempts: see Face). */
  private putItem(item: T, wait: boolean, timeout: number): void {
    this.load(this.items.prepare(item));
    let r: Result | typeof NO_LOCK;
    try {
      r = this.putters.call(this.putNeed, 1, wait, deadlineFor(timeout), this.putAttempt);
    } finally {
      this.unload();
    }
    if (r !== OK) throw putFailure(r);
  }

  private getItem(wait: boolean, timeout: number): T {
    const r = this.getters.call(0, 1, wait, deadlineFor(timeout), this.getAttempt);
    if (typeof r === 'number') throw getFailure(r);
    return this.items.decode(r) as T;
  }

  putMany(items: Iterable<T>, options?: SyncPutOptions): void {
    options = checkOptions(options, 'syncQ.putMany()', SYNC_OPTIONS);
    this.refusePutIfShutDown();
    const block = options?.block ?? true;
    const timeout = block ? putTimeout(options?.timeout, this.core.maxsize) : 0;
    const wait = block && timeout !== 0;
    if (wait) mustBlock('putMany');
    const batch = this.items.prepareMany(items, true);
    if (batch.lens.length === 0) return;
    const core = this.core;
    const r = this.putters.call(batch.need, batch.lens.length, wait, deadlineFor(timeout), () => core.putManyLocked(batch));
    if (r !== OK) throw putFailure(r);
  }

  getMany(max: number, options?: SyncGetOptions): T[] {
    options = checkOptions(options, 'syncQ.getMany()', SYNC_OPTIONS);
    checkMax(max);
    this.refuseGetIfShutDown();
    const core = this.core;
    const block = options?.block ?? true;
    const timeout = block ? checkTimeout(options?.timeout, 'getMany()') : 0;
    const wait = block && timeout !== 0;
    if (wait) mustBlock('getMany');
    const r = this.getters.call(0, 1, wait, deadlineFor(timeout), () => core.getManyLocked(max));
    if (typeof r === 'number') throw getFailure(r);
    return this.items.decodeMany(r) as T[];
  }

  getView<R>(fn: (view: Uint8Array) => R, options?: SyncGetOptions): R {
    options = checkOptions(options, 'syncQ.getView()', SYNC_OPTIONS);
    this.items.checkView('getView', fn);
    this.refuseGetIfShutDown();
    const core = this.core;
    const block = options?.block ?? true;
    const timeout = block ? checkTimeout(options?.timeout, 'getView()') : 0;
    const wait = block && timeout !== 0;
    if (wait) mustBlock('getView');
    const r = this.getters.call(0, 1, wait, deadlineFor(timeout), () => core.getViewLocked(fn));
    if (typeof r === 'number') throw getFailure(r);
    return r.value;
  }

  putView(byteLength: number, fill: (view: Uint8Array) => void, options?: SyncPutOptions): void {
    options = checkOptions(options, 'syncQ.putView()', SYNC_OPTIONS);
    const need = this.items.checkView('putView', fill, byteLength);
    this.refusePutIfShutDown();
    const block = options?.block ?? true;
    const timeout = block ? putTimeout(options?.timeout, this.core.maxsize) : 0;
    const wait = block && timeout !== 0;
    if (wait) mustBlock('putView');
    const core = this.core;
    const r = this.putters.call(need, 1, wait, deadlineFor(timeout), () => core.putViewLocked(byteLength, fill));
    if (r !== OK) throw putFailure(r);
  }

  putNowait(item: T): void {
    this.refusePutIfShutDown();
    this.putItem(item, false, 0);
  }

  getNowait(): T {
    this.refuseGetIfShutDown();
    return this.getItem(false, 0);
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
