import { CLOSED, type Result } from './core.js';
import { QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
import type { Shared } from './shared.js';

/**
 * What both faces have in common: the snapshots and the calls that never
 * wait. Each is one call into the core; neither face adds a rule.
 */
export abstract class Face {
  constructor(
    protected readonly shared: Shared,
  ) {}

  qsize(): number {
    return this.shared.core.count();
  }

  empty(): boolean {
    return this.shared.core.count() === 0;
  }

  full(): boolean {
    return this.shared.full();
  }

  get maxsize(): number {
    return this.shared.maxsize();
  }

  get unfinishedTasks(): number {
    return this.shared.core.unfinished();
  }

  get closed(): boolean {
    return this.shared.core.isShutDown();
  }

  shutdown(immediate = false): void {
    const core = this.shared.core;
    core.section.run(Infinity, () => core.shutdownLocked(immediate === true));
  }

  taskDone(): void {
    const core = this.shared.core;
    const ok = core.section.run(Infinity, () => core.taskDoneLocked()); // Infinity: never NO_LOCK
    if (!ok) throw new RangeError('taskDone() called too many times');
  }

  /** Python's first check of put: a shut-down queue refuses before anything else, even a value it could not encode. */
  protected refusePutIfShutDown(): void {
    if (this.shared.core.isShutDown()) throw new QueueShutDown();
  }

  /** Python's first check of get: shut down and empty refuses before the timeout is looked at. */
  protected refuseGetIfShutDown(): void {
    const core = this.shared.core;
    if (core.isShutDown() && core.count() === 0) throw new QueueShutDown();
  }
}

/** The error for a put that did not go in: shut down, or full. */
export function putFailure(r: Result): Error {
  return r === CLOSED ? new QueueShutDown() : new QueueFull();
}

/** The error for a get that took nothing: shut down (and drained), or empty. */
export function getFailure(r: Result): Error {
  return r === CLOSED ? new QueueShutDown() : new QueueEmpty();
}
