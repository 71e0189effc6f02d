import { CLOSED, type Core } from './core.js';
import { QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
import type { Items } from './items.js';

/**
 * What both faces have in common: the snapshots and the calls that never
 * wait. Each is one call into the core; neither face adds a rule.
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

  shutdown(immediate = false): void {
    const core = this.core;
    core.section.run(Infinity, () => core.shutdownLocked(immediate === true));
  }

  taskDone(): void {
    const core = this.core;
    const ok = core.section.run(Infinity, () => core.taskDoneLocked()); // Infinity: never NO_LOCK
    if (!ok) throw new RangeError('taskDone() called too many times');
  }

  /** Python's first check of put: a shut-down queue refuses before anything else, even a value it could not encode. */
  protected refusePutIfShutDown(): void {
    if (this.core.isShutDown()) throw new QueueShutDown();
  }

  /** Python's first check of get: shut down and empty refuses before the timeout is looked at. */
  protected refuseGetIfShutDown(): void {
    const core = this.core;
    if (core.isShutDown() && core.count() === 0) throw new QueueShutDown();
  }
}

/** The error for a put that did not go in: shut down, or full. */
export function putFailure(r: number): Error {
  return r === CLOSED ? new QueueShutDown() : new QueueFull();
}

/** The error for a get that took nothing: shut down (and drained), or empty. */
export function getFailure(r: number): Error {
  return r === CLOSED ? new QueueShutDown() : new QueueEmpty();
}
