import { now } from './clock.js';
import { BLOCKED, type Core, type ListId, PUTTERS } from './core.js';
import { withdrawWaitingPumps } from './pump-registry.js';
import { LOCK_PATIENCE_MS, NO_LOCK, retrySoon } from './section.js';
import type { SlotWait } from './slot-wait.js';

const WAKE_ROOM_SHARE = 1 / 16;
/** How often a wait behind a watched thread's large put tries again (src/dead-threads.ts STOP_GRACE_MS is 100). */
const RESERVED_PROBE_MS = 50;
const WAKE_ROOM_MS = 1;

/**
 * The blocking face's waiting, for one list of one queue instance: the one
 * deadline loop every timed syncQ call goes through (CPython's endtime /
 * remaining). Each attempt is one critical section that ends the last wait,
 * tries, and registers if it must wait again; between attempts the thread
 * sleeps on its slot (src/slot-wait.ts). A sync call runs to its end before
 * its thread can make another, so one SyncWait per list serves every call.
 */
export class SyncWait {
  private readonly wait: SlotWait;
  // The call in progress (see call()).
  private attempt: () => unknown = nothing;
  private need = 0;
  private items = 1;
  private deadline = 0;
  private wakeRoom = 1;
  /** What the last registration asked room for (putters); > 1 only for a wake-room wait. */
  private room = 1;
  private remaining = 0;

  constructor(
    private readonly core: Core,
    list: ListId,
  ) {
    this.wait = core.slotWait(list);
    this.left = core.slotWait(list);
  }

  /**
   * Runs `attempt` (lock held; it never waits) until it returns something
   * other than BLOCKED, waiting on a slot of this list in between (a
   * putter's slot says the bytes and items it `need`s), up to `deadline` (a
   * now() time, or Infinity). `wait: false` tries once.
   */
  call<R>(need: number, items: number, wait: boolean, deadline: number, attempt: () => R): R | typeof NO_LOCK {
    // Try once: the lock within a bounded moment, else NO_LOCK ("not in time").
    if (!wait) return this.tryOnce(attempt);
    // A single put that finds a large queue full first asks to be woken only
    // once WAKE_ROOM_SHARE of it is free, for at most WAKE_ROOM_MS: a
    // producer that outpaces its consumer then sleeps once per many items
    // instead of once per item taken, and the consumer pays for one wake-up
    // (about 7 µs of its own time per notify that wakes a thread) per many
    // items. After that one timed wait it waits like any putter, so a put
    // never waits more than WAKE_ROOM_MS longer than it must.
    this.wakeRoom = this.wait.list === PUTTERS && items === 1 ? Math.max(1, Math.floor(this.core.maxsize * WAKE_ROOM_SHARE)) : 1;
    this.attempt = attempt;
    this.need = need;
    this.items = items;
    this.deadline = deadline;
    this.wait.reset();
    try {
      for (;;) {
        // The lock within what is left of the timeout: a dead holder does
        // not stretch it (a watched one is recovered meanwhile, src/section.ts).
        const r = this.stepWithin(deadline === Infinity ? Infinity : Math.max(0, deadline - now())) as R | typeof NO_LOCK;
        if (r === NO_LOCK) {
          // A wait that could not be ended is ended by this list's next
          // section, or soon from the event loop: its slot (and any signal
          // in it) is never kept by a thread that stopped waiting.
          if (this.wait.slot >= 0) this.leave();
          return r;
        }
        if (r !== BLOCKED || this.remaining <= 0) return r;
        // This thread is about to block: its async pumps, of this queue or
        // any other, cannot run until it returns, so they must not hold a
        // place in any list (src/pump-registry.ts).
        withdrawWaitingPumps();
        if (this.wait.slot < 0) this.wait.poll(this.remaining);
        else {
          let until = this.room > 1 ? Math.min(deadline, now() + WAKE_ROOM_MS) : deadline;
          // Behind a large put whose putter this thread watches: wake to try
          // again (the attempt's section recovers it once it has certainly
          // stopped), since this thread hears no 'exit' while it blocks.
          if (this.core.reservedByWatched()) until = Math.min(until, now() + RESERVED_PROBE_MS);
          this.wait.sleep(until);
        }
      }
    } finally {
      this.attempt = nothing; // keep no reference to the call's item past it
    }
  }

  /**
   * One step, within `patience`. If it throws (a caller's getView/putView
   * function, or a corrupted buffer) the section was undone, and with it
   * the ends of our waits it made: they are restored here and ended in a
   * section of their own, so that no slot stays listed for a call that is
   * over (its signal would be lost). A throw after the section committed
   * (a large put's fill, Section.afterThrew) left nothing to restore.
   */
  private stepWithin(patience: number): unknown {
    const section = this.core.section;
    const { wait, left } = this;
    const slot = wait.slot;
    const keepsPlace = wait.keepsPlace;
    const leftSlot = left.slot;
    section.afterThrew = false;
    try {
      return section.run(patience, this.step);
    } catch (e) {
      if (!section.afterThrew && (slot >= 0 || leftSlot >= 0)) {
        wait.restore(slot, keepsPlace);
        left.restore(leftSlot, false);
        this.endBoth();
      }
      section.afterThrew = false;
      throw e;
    }
  }

  /** call() with wait: false: one attempt, after ending a left wait; if it throws in an undone section, that wait is restored and ended (see stepWithin). */
  private tryOnce<R>(attempt: () => R): R | typeof NO_LOCK {
    const section = this.core.section;
    const leftSlot = this.left.slot;
    section.afterThrew = false;
    try {
      return section.run(LOCK_PATIENCE_MS, this.once(attempt)) as R | typeof NO_LOCK;
    } catch (e) {
      if (!section.afterThrew && leftSlot >= 0) {
        this.left.restore(leftSlot, false);
        this.endBoth();
      }
      section.afterThrew = false;
      throw e;
    }
  }

  /** Ends the restored waits (see stepWithin): now if the lock is free soon, else each from the event loop. */
  private endBoth(): void {
    const section = this.core.section;
    const ended = section.run(LOCK_PATIENCE_MS, () => {
      this.endLeft();
      if (this.wait.endLocked()) this.wait.passOnLocked();
    });
    if (ended !== NO_LOCK) return;
    for (const w of [this.wait, this.left]) {
      if (w.slot < 0) continue;
      // Handed to a waiter of its own (a rare path: the lock taken for 50 ms
      // just after our section), ended when the lock is free.
      const orphan = this.core.slotWait(w.list);
      orphan.restore(w.slot, false);
      w.reset();
      // (A corrupted buffer meanwhile: the next call meets it.)
      retrySoon(() => section.run(0, () => orphan.endLocked() && orphan.passOnLocked()) !== NO_LOCK).catch(ignore);
    }
  }

  /** `attempt`, after ending a wait left by an earlier call (leave()). */
  private once<R>(attempt: () => R): () => R {
    // The closure is made in a function of its own: one made here would give
    // every call a context to allocate, even the calls that return `attempt`.
    return this.left.slot < 0 ? attempt : this.endingLeft(attempt);
  }

  private endingLeft<R>(attempt: () => R): () => R {
    return () => {
      this.endLeft();
      return attempt();
    };
  }

  /** A wait whose call returned without the lock (its deadline passed): ended by the next section of this list, or from the event loop. */
  private readonly left: SlotWait;

  private leave(): void {
    this.left.slot = this.wait.slot;
    this.wait.reset();
    void retrySoon(() => this.left.slot < 0 || this.core.section.run(0, () => this.endLeft()) !== NO_LOCK);
  }

  /** Lock held: ends the left wait; a signal it holds goes to the next waiter. */
  private endLeft(): void {
    if (this.left.slot >= 0 && this.left.endLocked()) this.left.passOnLocked();
  }

  /** One attempt, in one critical section: end the last wait, try, and register if it must wait (and may). */
  private readonly step = (): unknown => {
    const wait = this.wait;
    this.endLeft();
    wait.endLocked();
    const r = this.attempt();
    if (r !== BLOCKED) return r;
    this.remaining = this.deadline - now();
    if (this.remaining <= 0) return r;
    const core = this.core;
    this.room = this.wakeRoom > 1 && core.count() >= core.maxsize ? this.wakeRoom : 1;
    this.wakeRoom = 1;
    wait.registerLocked(this.need, this.room > 1 ? this.room : this.items);
    return r;
  };
}

const nothing = (): unknown => undefined;
const ignore = (): void => {};
