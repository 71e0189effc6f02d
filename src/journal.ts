import { J_CAP, J_ENTRIES, J_LEN, SLOT_BASE, STATE_FIRST } from './layout.js';

/**
 * The undo journal of the critical section in progress (docs/design.md,
 * "Dead peers"). Every write that the committed state can reach goes through
 * set(): the old value is recorded first, then the word changes. If the
 * holder dies before commit(), recover() rolls the section back, so a
 * half-done operation is never seen. Only the lock holder touches it.
 */
export class Journal {
  /** State words (STATE_FIRST + bit) already recorded in this section: their first old value is the one to restore. */
  private dirty = 0;
  private n = 0;

  constructor(private readonly w: Int32Array) {}

  /** Starts a critical section: the lock was just taken, the journal is empty. */
  begin(): void {
    this.dirty = 0;
    this.n = 0;
  }

  /** Sets word `i` to `v`, recording its old value first. */
  set(i: number, v: number): void {
    // A word that already holds v needs neither the write nor an undo entry
    // (a put into an empty queue resets a ring that is usually reset already).
    if (this.w[i] !== v && this.record(i)) this.w[i] = v;
  }

  /** set() for a futex word that other threads read without the lock: a seq-cst store. */
  setAtomic(i: number, v: number): void {
    if (this.record(i)) Atomics.store(this.w, i, v);
  }

  private record(i: number): boolean {
    const w = this.w;
    if (i < SLOT_BASE) {
      const bit = 1 << (i - STATE_FIRST);
      if ((this.dirty & bit) !== 0) return true;
      this.dirty |= bit;
    }
    const n = this.n;
    if (n === J_CAP) {
      // Cannot happen within the bounds in docs/design.md; if it did, undo
      // the section rather than leave it half done.
      this.rollback();
      throw new Error('janus-queue: internal error: the undo journal is full; the operation was undone');
    }
    // Plain writes in program order, by the only thread that holds the lock:
    // the entry, then the length that makes it count, then (in the caller)
    // the word itself. A kill between them leaves an entry whose restoring is harmless.
    w[J_ENTRIES + 2 * n] = i;
    w[J_ENTRIES + 2 * n + 1] = w[i]!;
    w[J_LEN] = n + 1;
    this.n = n + 1;
    return true;
  }

  /** Commits the section: the last write before the lock's release. */
  commit(): void {
    if (this.n !== 0) {
      this.w[J_LEN] = 0;
      this.n = 0;
    }
    this.dirty = 0;
  }

  /** Undoes the section the journal holds (a dead holder's, or our own), newest write first. */
  rollback(): void {
    const w = this.w;
    for (let k = Math.min(w[J_LEN]!, J_CAP) - 1; k >= 0; k--) w[w[J_ENTRIES + 2 * k]!] = w[J_ENTRIES + 2 * k + 1]!;
    w[J_LEN] = 0;
    this.n = 0;
    this.dirty = 0;
  }
}
