import { CLOSED, type Core, type Result } from './core.js';
import { LockTimeout, QueueEmpty, QueueFull, QueueShutDown, lockHeld } from './errors.js';
import { NO_LOCK, SYNC_LOCK_LIMIT_MS } from './section.js';
import type { Items, Prepared } from './items.js';

/**
 * What both faces have in common: the snapshots, the calls that never wait,
 * and the attempts of put and get. Each is one call into the core; neither
 * face adds a rule.
 */
export abstract class Face {
  constructor(
    protected readonly core: Core,
    protected readonly items: Items,
  ) {}

  qsize(): number {
    return this.core.count();
  }

  empty(): boolean {
    return this.core.count() === 0;
  }

  full(): boolean {
    const m = this.core.maxsize;
    return m > 0 && this.core.count() >= m;
  }

  get maxsize(): number {
    return this.core.maxsize;
  }

  get unfinishedTasks(): number {
    return this.core.unfinished();
  }

  get closed(): boolean {
    return this.core.isShutDown();
  }

  // No timeout, and no wait for ever either: a dead thread holding the lock
  // must not hang the thread that watches it (docs/timeouts.md).
  shutdown(immediate = false): void {
    const core = this.core;
    if (core.section.run(SYNC_LOCK_LIMIT_MS, () => core.shutdownLocked(immediate === true)) === NO_LOCK) throw new LockTimeout(lockHeld('shutdown()'));
  }

  taskDone(): void {
    const ok = this.core.section.run(SYNC_LOCK_LIMIT_MS, this.taskDoneAttempt);
    if (ok === NO_LOCK) throw new LockTimeout(lockHeld('taskDone()'));
    if (!ok) throw new RangeError('janus-queue: taskDone() called more times than items were put (unfinishedTasks is already 0)');
  }

  // The attempts of put and get, made once per face so that a call that
  // needs no wait allocates nothing of its own: the hot path of a small item
  // is the codec's work and the copies. An attempt runs synchronously, and a
  // call loads its item and unloads it before it returns, so one set of
  // fields per face is enough.
  protected putBytes: Uint8Array = NO_BYTES;
  protected putLen = 0;
  protected putPriority = 0;
  protected putNeed = 0;
  protected readonly putAttempt = (): Result => this.core.putLocked(this.putBytes, this.putLen, this.putPriority);
  protected readonly getAttempt = () => this.core.getLocked();
  private readonly taskDoneAttempt = () => this.core.taskDoneLocked();

  /** Sets the item putAttempt puts. */
  protected load(p: Prepared): void {
    this.putBytes = p.bytes;
    this.putLen = p.len;
    this.putPriority = p.priority;
    this.putNeed = p.need;
  }

  /** Keeps no reference to the item past its call. */
  protected unload(): void {
    this.putBytes = NO_BYTES;
  }

  /** Python's first check of put: a shut-down queue refuses before anything else, even a value it could not encode. */
  protected refusePutIfShutDown(): void {
    if (this.core.isShutDown()) throw new QueueShutDown();
  }

  /** Python's first check of get: shut down and empty refuses before the timeout is looked at. */
  protected refuseGetIfShutDown(): void {
    const core = this.core;
    if (core.isShutDown() && core.count() === 0 && !core.reserving()) throw new QueueShutDown();
  }
}

const NO_BYTES: Uint8Array = new Uint8Array(0);

/** The error for a put that did not go in: shut down, or full (or the lock not free by its deadline: NO_LOCK). */
export function putFailure(r: number): Error {
  return r === CLOSED ? new QueueShutDown() : r === NO_LOCK ? new QueueFull(lockHeld('put')) : new QueueFull();
}

/** The error for a get that took nothing: shut down (and drained), or empty (or the lock not free by its deadline: NO_LOCK). */
export function getFailure(r: number): Error {
  return r === CLOSED ? new QueueShutDown() : r === NO_LOCK ? new QueueEmpty(lockHeld('get')) : new QueueEmpty();
}
