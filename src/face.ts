import { QueueShutDown } from './errors.js';
import type { Shared } from './shared.js';
import type { Suspendable } from './wait.js';

/**
 * What both faces have in common: the snapshots and the calls that never
 * wait. Each is one call into the core; neither face adds a rule.
 */
export abstract class Face {
  constructor(
    protected readonly shared: Shared,
    /** This instance's async pumps, withdrawn before a blocking call (see wait.ts). */
    protected readonly pumps: Suspendable[],
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
    core.lock();
    try {
      core.shutdownLocked(immediate === true);
    } finally {
      core.unlock();
    }
  }

  taskDone(): void {
    const core = this.shared.core;
    core.lock();
    let ok: boolean;
    try {
      ok = core.taskDoneLocked();
    } finally {
      core.unlock();
    }
    if (!ok) throw new RangeError('taskDone() called too many times');
  }

  /** Python's first check of put: a shut-down queue refuses before anything else, even a value it could not encode. */
  protected refuseIfShutDown(): void {
    if (this.shared.core.isShutDown()) throw new QueueShutDown();
  }
}
