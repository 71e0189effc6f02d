import { BLOCKED, type Batch, type Core, NO_LOCK, type Result } from './core.js';
import { LOCK, type ListId, PUTTERS, SIGNALLED, WAITING } from './layout.js';
import { LOCK_PATIENCE_MS } from './lock.js';
import { holdEventLoop, releaseEventLoop, waitAsyncFn } from './platform.js';

/** One pending asyncQ call. */
export interface Call {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  timer?: ReturnType<typeof setTimeout> | undefined;
  signal?: AbortSignal | undefined;
  onAbort?: (() => void) | undefined;
  /** Putters: the encoded item (a private copy), its priority and record size; or a putMany batch. */
  batch?: Batch;
  bytes?: Uint8Array;
  len?: number;
  priority?: number;
  need?: number;
  /** getMany: the most items to take. */
  max?: number;
}

/** What a pump does with the shared state; `attempt` runs with the lock held, `settle` after it is released. */
export interface PumpRules {
  readonly list: ListId;
  attempt(head: Call): Result;
  /** Settles the calls a non-BLOCKED result serves, removing them from `calls`. */
  settle(r: Result, calls: Call[]): void;
}


const POLL_MIN_MS = 1;
const POLL_MAX_MS = 8;

/**
 * The async face's waiting, for one direction of one queue instance: a local
 * FIFO of pending calls and at most one slot in the shared list. The pump
 * serves calls in order while the shared state allows, and otherwise waits on
 * its slot with Atomics.waitAsync. A thread with many pending gets holds one
 * slot and one waitAsync.
 */
export class Pump {
  readonly calls: Call[] = [];
  private running = false;
  private slot = -1;
  private withdrawn = false;

  constructor(
    private readonly core: Core,
    private readonly rules: PumpRules,
  ) {}

  /**
   * Queues a call; starts the pump if it is not running. `patience`: how long
   * the pump's first attempt may wait for the lock (0 when the caller has
   * just waited LOCK_PATIENCE_MS for it in vain: a new promise call blocks
   * its thread at most that long once).
   */
  add(call: Call, patience = LOCK_PATIENCE_MS): void {
    this.calls.push(call);
    if (!this.running) void this.run(patience);
  }

  /**
   * Removes a call that timed out or was aborted, and settles it with
   * `outcome`. It never touched the queue. If the pump no longer needs its
   * place in the list (no calls left, or a putter's head call changed what
   * it waits for), it withdraws it, passing on any signal it holds.
   */
  remove(call: Call, outcome: () => void): void {
    const i = this.calls.indexOf(call);
    if (i < 0) return;
    this.calls.splice(i, 1);
    finish(call);
    outcome();
    if (this.calls.length === 0 || (i === 0 && this.rules.list === PUTTERS)) this.withdraw(LOCK_PATIENCE_MS);
  }

  private async run(firstPatience: number): Promise<void> {
    const { core, rules, calls } = this;
    this.running = true;
    // The slot whose wait has settled and is still to be ended, or -1.
    let ended = -1;
    let poll = POLL_MIN_MS;
    let patience = firstPatience;
    try {
      while (ended >= 0 || calls.length > 0) {
        let r: Result = BLOCKED;
        let s = -1;
        if (!core.tryLock(patience)) {
          // Held for long: its holder may have died, and this thread's event
          // loop must keep running to learn it and recover (docs/design.md).
          // Retries from a timer never block: timer callbacks that each
          // blocked longer than the timer's delay would keep libuv in its
          // timer phase for ever, starving I/O (a Worker's 'exit' event).
          patience = 0;
          await sleep(1);
          continue;
        }
        patience = LOCK_PATIENCE_MS;
        let failed = false;
        try {
          // A settled wait is ended in the same critical section that uses
          // its signal (the next attempt) or passes it on: a signal must never
          // live only in this thread's memory, where a thread killed between
          // two sections would take it along (docs/design.md, "Dead peers").
          let signalled = false;
          if (ended >= 0) {
            signalled = core.lists.endWaitLocked(rules.list, ended) === SIGNALLED;
            ended = -1;
            this.slot = -1;
            waiting.delete(this);
          }
          if (calls.length === 0) {
            // No call left to use it: give it to the next waiter.
            if (signalled) core.lists.passOnLocked(rules.list);
            break;
          }
          r = rules.attempt(calls[0]!);
          // A signalled waiter that still finds nothing keeps its place: the head.
          if (r === BLOCKED) s = core.lists.registerLocked(rules.list, calls[0]!.need ?? 0, calls[0]!.batch?.lens.length ?? 1, signalled);
        } catch (e) {
          failed = true;
          // Undone (see Core.unlockFailed); the calls are rejected below.
          try {
            core.unlockFailed();
          } catch {
            if ((Atomics.exchange(core.w, LOCK, 0) & 1) !== 0) Atomics.notify(core.w, LOCK, 1);
          }
          throw e;
        } finally {
          if (!failed) core.unlock();
        }
        if (r !== BLOCKED) {
          rules.settle(r, calls);
          continue;
        }
        if (s < 0) {
          // Every slot is taken: poll. Slower, never wrong.
          await sleep(poll);
          poll = Math.min(poll * 2, POLL_MAX_MS);
          continue;
        }
        this.slot = s;
        this.withdrawn = false;
        // Listed as waiting until the wait is ended (not merely settled): a
        // thread that exits or blocks meanwhile must still withdraw the slot.
        waitingHere(this);
        await waitForState(core.w, core.stateIndex(s));
        ended = s;
      }
    } catch (e) {
      // The core refused the shared state (a corrupted buffer): nothing waits
      // on this pump's slot any more; every pending call gets the error,
      // instead of an unhandled rejection of run().
      this.slot = -1;
      while (calls.length > 0) {
        const call = calls.shift()!;
        finish(call);
        call.reject(e);
      }
    } finally {
      if (this.slot < 0) waiting.delete(this);
      this.running = false;
    }
  }

  /**
   * Withdraws this pump's listed slot (the lock is taken here, waiting at
   * most `patience` ms at a time, else retried from a timer): its wait then
   * settles at once and the pump re-registers if calls remain. Any signal it
   * already holds is passed on (Core.withdrawLocked).
   */
  withdraw(patience = Infinity): void {
    if (this.slot < 0 || this.withdrawn) return;
    const slot = this.slot;
    try {
      if (this.core.lockedWithin(patience, () => this.core.lists.withdrawLocked(this.rules.list, slot)) === NO_LOCK) {
        setTimeout(() => this.withdraw(0), 1); // see run(): the event loop must not stall, and a retry never blocks
        return;
      }
    } catch {
      // The shared state is corrupted (src/integrity.ts; the section was
      // undone): end our own wait anyway, so the pump meets the error and
      // rejects what is left instead of holding the event loop for ever.
      this.core.abandon(slot);
    }
    this.withdrawn = true;
  }

  /** Withdraws and frees the slot: for a thread that exits, whose pump will never run again. */
  release(): void {
    // A thread that exits cannot retry later; if the lock stays held (its
    // holder died), the slot is left to recover() of this thread.
    const slot = this.slot;
    if (slot < 0) return;
    const lists = this.core.lists;
    const done = this.core.lockedWithin(LOCK_PATIENCE_MS, () => {
      if (!this.withdrawn) lists.withdrawLocked(this.rules.list, slot);
      lists.endWaitLocked(this.rules.list, slot);
    });
    if (done === NO_LOCK) return;
    this.slot = -1;
    this.withdrawn = true;
  }
}

/**
 * The pumps of this thread that are waiting now. A Node thread that exits
 * (process.exit() in a worker, or the end of the main script with a pending
 * call) withdraws them, so their slots do not stay listed and absorb
 * wake-ups meant for live threads. (A thread stopped by worker.terminate()
 * runs no exit handler: see the README's Limitations.)
 */
const waiting = new Set<Pump>();
let exitHooked = false;

function waitingHere(pump: Pump): void {
  waiting.add(pump);
  if (exitHooked) return;
  exitHooked = true;
  const proc = (globalThis as { process?: { on?: (event: string, f: () => void) => void } }).process;
  proc?.on?.('exit', () => {
    for (const p of waiting) {
      try {
        p.release();
      } catch {
        // A corrupted buffer (src/integrity.ts): nothing to release safely.
      }
    }
  });
}

/** Withdraws every waiting pump of this thread, each under its own queue's lock (none may be held by the caller). */
export function withdrawWaitingPumps(): void {
  // Each waits for its lock at most LOCK_PATIENCE_MS: a queue whose lock a
  // dead thread holds must not keep this thread from its own call (nor from
  // the event loop that would recover it). A pump not withdrawn then is
  // retried from a timer once the thread returns.
  for (const p of waiting) p.withdraw(LOCK_PATIENCE_MS);
}

/** Clears a call's timer and abort listener. */
export function finish(call: Call): void {
  if (call.timer !== undefined) clearTimeout(call.timer);
  if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
}

/** Resolves when the slot's state word is no longer WAITING. */
async function waitForState(w: Int32Array, index: number): Promise<void> {
  let poll = POLL_MIN_MS;
  while (Atomics.load(w, index) === WAITING) {
    const waitAsync = waitAsyncFn();
    if (!waitAsync) {
      // No Atomics.waitAsync (older browsers): poll the word. The timer keeps Node alive by itself.
      await sleep(poll);
      poll = Math.min(poll * 2, POLL_MAX_MS);
      continue;
    }
    // Waits only while the word is WAITING: a signal stored after our check
    // settles it at once ("not-equal", returned synchronously).
    const res = waitAsync(w, index, WAITING);
    if (!res.async) continue;
    holdEventLoop();
    try {
      await res.value;
    } finally {
      releaseEventLoop();
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
