import { now } from './clock.js';

/**
 * The threads this thread watches (`Queue.watch`), by token, and whether one
 * of them has certainly stopped, learnt without the event loop: a thread
 * blocked in a synchronous call cannot hear a Worker's 'exit' event, but it
 * can read the Worker's `performance.eventLoopUtilization().idle`, which Node
 * sets to -1, synchronously, once the worker's environment is gone after
 * `terminate()` or its exit (docs/design.md, "Dead peers"). A stop that has
 * read -1 for STOP_GRACE_MS counts as certain. One registry per thread, for
 * every queue it watches with.
 */

/** What the probe needs of a Node `Worker`. */
export interface ProbedWorker {
  readonly performance?: { eventLoopUtilization?: () => { idle: number } };
  once?(event: 'online', listener: () => void): unknown;
}

interface Watched {
  readonly worker: ProbedWorker;
  /** How many watch() calls name it (several queues may watch one worker). */
  watches: number;
  /** When its stop was first read, or -1. */
  stopSeen: number;
}

/** How long a stop must have been read before the thread counts as stopped. */
export const STOP_GRACE_MS = 100;

const watched = new Map<number, Watched>();

/**
 * Node's Worker reads its thread's loop start time on the first call of
 * eventLoopUtilization() that finds the worker online, and keeps it; a first
 * call after the thread is gone reads zeros for good. So it is read now and
 * when the worker comes online (an event: the watching thread must have run
 * its event loop once since it started the worker).
 */
function prime(worker: ProbedWorker): void {
  try {
    worker.performance?.eventLoopUtilization?.();
  } catch {
    // Not a Node Worker: only its 'exit' recovers it.
  }
}

export function watchThread(token: number, worker: ProbedWorker): void {
  const e = watched.get(token);
  if (e) {
    e.watches++;
    return;
  }
  watched.set(token, { worker, watches: 1, stopSeen: -1 });
  prime(worker);
  worker.once?.('online', () => prime(worker));
}

export function unwatchThread(token: number): void {
  const e = watched.get(token);
  if (e && --e.watches === 0) watched.delete(token);
}

/** Whether the watched thread `token` has certainly stopped (false for a thread this thread does not watch). */
/** Whether this thread watches the thread with `token`. */
export function isWatched(token: number): boolean {
  return watched.size !== 0 && watched.has(token);
}

export function provenStopped(token: number): boolean {
  if (watched.size === 0) return false;
  const e = watched.get(token);
  if (!e) return false;
  let idle: number | undefined;
  try {
    idle = e.worker.performance?.eventLoopUtilization?.().idle;
  } catch {
    return false;
  }
  if (idle !== -1) {
    e.stopSeen = -1;
    return false;
  }
  const t = now();
  if (e.stopSeen < 0) e.stopSeen = t;
  return t - e.stopSeen >= STOP_GRACE_MS;
}
