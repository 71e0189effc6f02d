import { now } from './clock.js';
import { BLOCKED, type Core, type ListId, PUTTERS } from './core.js';
import { listWaiting, unlistWaiting } from './pump-registry.js';
import { LOCK_PATIENCE_MS, NO_LOCK, retrySoon } from './section.js';
import type { SlotWait } from './slot-wait.js';
import { Aborts, type Call, CallbackError, Calls, Deadlines } from './calls.js';

export type { Call } from './calls.js';

/** What a pump does with the shared state; `attempt` runs with the lock held, `settle` after it is released. */
export interface PumpRules {
  readonly list: ListId;
  /** One core step for the call at the head (and maybe the calls after it, see AsyncFace); BLOCKED if it must wait. */
  attempt(head: Call, calls: Calls): unknown;
  /** Settles the calls a result other than BLOCKED serves, removing them from `calls`. */
  settle(r: unknown, calls: Calls): void;
}

/** The step's answer when no call is left. */
const DONE = Symbol('done');
/** The step's answer when the head call's own function threw (the call is rejected with it). */
const FAILED = Symbol('failed');

/**
 * The async face's waiting, for one direction of one queue instance (its
 * *pump*): a local FIFO of pending calls and at most one slot in the shared
 * list (src/slot-wait.ts). The pump serves calls in order while the shared
 * state allows, and otherwise waits on its slot with Atomics.waitAsync. A
 * thread with many pending gets holds one slot and one waitAsync. It never
 * blocks its thread for long: it waits for the lock at most LOCK_PATIENCE_MS
 * at once, then tries again soon (retrySoon).
 */
export class AsyncWait {
  readonly calls = new Calls();
  private readonly aborts = new Aborts((call, reason) => this.remove(call, () => call.reject(reason)));
  private readonly deadlines = new Deadlines(now, (call) => this.remove(call, call.timedOut!));
  private running = false;
  private withdrawn = false;
  private readonly wait: SlotWait;

  constructor(
    private readonly core: Core,
    private readonly rules: PumpRules,
  ) {
    this.wait = core.slotWait(rules.list);
  }

  /**
   * Queues a call (`fields`: what its attempts need) and starts the pump if
   * it is not running; resolves or rejects as the pump's `settle` decides.
   * On timeout it settles with `onTimeout()` (rejected for get/put, resolved
   * false for join); on abort it rejects with `signal.reason`. Either way it
   * is removed before it touched the queue. `patience`: how long the pump's
   * first attempt may wait for the lock (0 when the caller has just waited
   * LOCK_PATIENCE_MS for it in vain: a new promise call blocks its thread at
   * most that long once).
   */
  add(fields: Partial<Call>, timeout: number, signal: AbortSignal | undefined, onTimeout: () => unknown, timeoutResolves: boolean, patience: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call: Call = { ...fields, resolve, reject };
      if (timeout !== Infinity) {
        call.timedOut = timeoutResolves ? () => resolve(onTimeout()) : () => reject(onTimeout());
        this.deadlines.add(call, now() + timeout);
      }
      if (signal) this.aborts.add(call, signal);
      this.calls.push(call);
      if (!this.running) void this.run(patience);
    });
  }

  /** Whether watch() would watch (SlotWait.watches). */
  get watches(): boolean {
    return this.wait.watches;
  }

  /** Watches the shared state with `ready` for a moment before the pump would register (SlotWait.watch). */
  watch(ready: () => boolean): boolean {
    return this.wait.watch(ready);
  }

  /**
   * Removes a call that timed out or was aborted, and settles it with
   * `outcome`. It never touched the queue. If the pump no longer needs its
   * place in the list (no calls left, or a putter's head call changed what
   * it waits for), it withdraws it, passing on any signal it holds.
   */
  private remove(call: Call, outcome: () => void): void {
    const calls = this.calls;
    const wasHead = this.rules.list === PUTTERS && calls.first() === call;
    if (!calls.remove(call)) return;
    finish(call);
    outcome();
    if (calls.length === 0 || wasHead) this.withdraw(LOCK_PATIENCE_MS);
  }

  private async run(firstPatience: number): Promise<void> {
    const { calls, wait } = this;
    const section = this.core.section;
    this.running = true;
    wait.reset();
    let r: unknown;
    // One step under the lock, unless nothing is left to do (no call, no
    // wait to end); false if the lock could not be had within `patience`.
    const stepWithin = (patience: number): boolean => {
      if (wait.slot < 0 && calls.length === 0) {
        r = DONE;
        return true;
      }
      const slot = wait.slot;
      const keepsPlace = wait.keepsPlace;
      const head = calls.first();
      section.afterThrew = false;
      try {
        r = section.run(patience, this.step);
        // The head call's function aborted that call (its listener removed
        // and settled it at once): what the step did stands, and its result
        // is not the next call's.
        if (head !== undefined && r !== NO_LOCK && r !== BLOCKED && r !== DONE && calls.first() !== head) r = FAILED;
      } catch (e) {
        if (!(e instanceof CallbackError)) throw e;
        // The head call's own function threw: that call fails alone. If the
        // section was undone, so was the end of our wait in it.
        if (!section.afterThrew) {
          wait.restore(slot, keepsPlace);
          if (slot >= 0) listWaiting(this);
        }
        section.afterThrew = false;
        // The call whose function threw, unless that function aborted it
        // (an abort listener runs at once and has removed and settled it).
        if (head !== undefined && calls.remove(head)) {
          finish(head);
          head.reject(e.error);
        }
        r = FAILED;
      }
      return r !== NO_LOCK;
    };
    try {
      for (let patience = firstPatience; ; patience = LOCK_PATIENCE_MS) {
        // Held for long: its holder may have died, and this thread's event
        // loop must keep running to learn it and recover (docs/design.md).
        if (!stepWithin(patience)) await retrySoon(() => stepWithin(0));
        if (r === DONE) break;
        if (r === FAILED) continue;
        if (r !== BLOCKED) {
          this.rules.settle(r, calls);
          continue;
        }
        if (wait.slot < 0) {
          await wait.pollSoon(); // every slot is taken
          continue;
        }
        this.withdrawn = false;
        // Listed as waiting until the wait is ended (not merely settled): a
        // thread that exits or blocks meanwhile must still withdraw the slot.
        listWaiting(this);
        await wait.settled();
      }
    } catch (e) {
      // The core refused the shared state (a corrupted buffer): nothing waits
      // on this pump's slot any more; every pending call gets the error,
      // instead of an unhandled rejection of run().
      wait.drop();
      while (calls.length > 0) {
        const call = calls.shift()!;
        finish(call);
        call.reject(e);
      }
    } finally {
      if (wait.slot < 0) unlistWaiting(this);
      // A watch's spent spin is for the sleep right after it, not a later one.
      wait.spun = false;
      this.running = false;
    }
  }

  /** One attempt, in one critical section: end the settled wait, then serve the head call or register; DONE when no call is left. */
  private readonly step = (): unknown => {
    const wait = this.wait;
    const ended = wait.slot >= 0;
    const signalled = wait.endLocked();
    if (ended) unlistWaiting(this);
    const calls = this.calls;
    if (calls.length === 0) {
      // No call left to use it: give it to the next waiter.
      if (signalled) wait.passOnLocked();
      return DONE;
    }
    const head = calls.first()!;
    const r = this.rules.attempt(head, calls);
    if (r === BLOCKED) wait.registerLocked(head.need ?? 0, head.batch?.lens.length ?? 1);
    return r;
  };

  /**
   * Withdraws this pump's listed slot (src/slot-wait.ts), waiting for the
   * lock at most `patience` ms, else trying again soon: its wait then
   * settles at once and the pump re-registers if calls remain.
   */
  withdraw(patience = Infinity): void {
    if (!this.withdrawWithin(patience)) void retrySoon(() => this.withdrawWithin(0));
  }

  /** withdraw() once; false if the lock could not be had. */
  private withdrawWithin(patience: number): boolean {
    if (this.wait.slot < 0 || this.withdrawn) return true;
    try {
      if (this.core.section.run(patience, () => this.wait.withdrawLocked()) === NO_LOCK) return false;
    } catch {
      // The shared state is corrupted (src/integrity.ts; the section was
      // undone): end our own wait anyway, so the pump meets the error and
      // rejects what is left instead of holding the event loop for ever.
      this.wait.abandon();
    }
    this.withdrawn = true;
    return true;
  }

  /** Withdraws and frees the slot: for a thread that exits, whose pump will never run again. */
  release(): void {
    // A thread that exits cannot retry later; if the lock stays held (its
    // holder died), the slot is left to recover() of this thread.
    if (this.wait.slot < 0) return;
    const done = this.core.section.run(LOCK_PATIENCE_MS, () => {
      if (!this.withdrawn) this.wait.withdrawLocked();
      this.wait.endLocked();
    });
    if (done !== NO_LOCK) this.withdrawn = true;
  }
}

/** Clears a call's timeout and abort listener. */
export function finish(call: Call): void {
  if (call.timed === true) call.deadlines!.forget(call);
  call.aborts?.forget(call);
}
