import type { Journal } from './journal.js';
import { LOCK, PENDING_DEAD, SLOT_COUNT, S_STATE, WAITING, slotWord } from './layout.js';
import type { Ring } from './ring.js';
import { LOCK_PATIENCE_MS, NO_LOCK, type Section, retrySoon } from './section.js';
import type { WaiterLists } from './waiters.js';

/**
 * Dead-peer recovery (`Queue.watch` / `Queue.recover`): repairs what a
 * stopped thread left in the queue. Kept out of the core, whose rules never
 * wait: recovery may have to wait, on this event loop, for a lock that
 * another dead thread holds. The order of its steps, and why a recoverer
 * killed at any point after step 1 leaves its work to whoever recovers it:
 * docs/design.md, "Dead peers".
 */
export class Recovery {
  constructor(
    private readonly w: Int32Array,
    private readonly section: Section,
    private readonly j: Journal,
    private readonly ring: Ring,
    private readonly lists: WaiterLists,
    /** Lock held: publishes or rolls back a large put's reservation left by the stopped thread `dead` (src/core.ts). */
    private readonly settleReservation: (dead: number) => void,
  ) {}

  /**
   * Repairs what the stopped thread with token `dead` left: its half-done
   * critical section (rolled back), its waiter slots (freed, their signals
   * passed on), its lost notifies (re-sent). Resolves with whether it found
   * anything to repair.
   */
  async recover(dead: number): Promise<boolean> {
    let r = this.attempt(dead, LOCK_PATIENCE_MS);
    if (r === NO_LOCK) await retrySoon(() => (r = this.attempt(dead, 0)) !== NO_LOCK);
    this.notifyAll();
    return r as boolean;
  }

  /**
   * recover() at once, without the event loop, for a thread known to have
   * stopped that holds the lock (src/section.ts, on a caller waiting for
   * it); false if the lock could not be had at once (then whoever recovers
   * `dead` next finishes what was announced).
   */
  recoverNow(dead: number): boolean {
    if (this.attempt(dead, 0) === NO_LOCK) return false;
    this.notifyAll();
    return true;
  }

  /** Steps 1 to 3: whether it found anything to repair, or NO_LOCK. */
  private attempt(dead: number, patience: number): boolean | typeof NO_LOCK {
    const w = this.w;
    // 1. Announce the dead thread before touching anything else: a
    //    compareExchange from 0, since recoverers announce without the
    //    lock. If another recovery is announced, it is finished first (3.).
    let pending: number;
    do pending = Atomics.load(w, PENDING_DEAD);
    while (pending === 0 && Atomics.compareExchange(w, PENDING_DEAD, 0, dead) !== 0);
    // 2. The lock: taken over from the dead thread (or from the one whose
    //    recovery is pending: both are known to have stopped), else
    //    acquired as usual, without stalling this event loop.
    return this.section.runRecovering(dead, pending, patience, (tookOver) => this.repairLocked(dead, tookOver));
  }

  /**
   * 4. The notifies the dead thread owed after its last release: every
   * waiter whose state says it should be awake is woken (a spurious wake-up
   * is harmless), and every thread queued on the lock re-checks it.
   */
  private notifyAll(): void {
    const w = this.w;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (Atomics.load(w, slotWord(s) + S_STATE) !== WAITING) Atomics.notify(w, slotWord(s) + S_STATE);
    }
    Atomics.notify(w, LOCK);
  }

  /** Steps 2 and 3, with the lock held (`tookOver`: from a dead thread). */
  private repairLocked(dead: number, tookOver: boolean): boolean {
    const w = this.w;
    // The dead holder's half-done section (or a dead recoverer's: rolling
    // back the same entries twice is harmless).
    if (tookOver) {
      this.j.rollback();
      this.ring.sync();
    }
    // 3. Finish every announced recovery, ours last. Each frees one dead
    //    thread's slots in a committed section of its own, and only then
    //    clears the announcement: a kill at any point leaves the work either
    //    done, or undone and still announced.
    for (;;) {
      let p = Atomics.load(w, PENDING_DEAD);
      if (p === 0) {
        if (Atomics.compareExchange(w, PENDING_DEAD, 0, dead) !== 0) continue;
        p = dead;
      }
      this.j.begin();
      // Its large put, reserved and not yet published: rolled back if it
      // stopped while copying, published if it had filled it.
      this.settleReservation(p);
      const n = this.lists.releaseSlotsOf(p);
      this.j.commit();
      // Only announcers write it, from 0: it is still p.
      Atomics.compareExchange(w, PENDING_DEAD, p, 0);
      if (p === dead) return tookOver || n > 0;
    }
  }
}
