import { corrupted } from './integrity.js';
import { ARENA_OFFSET, J_CAP, J_ENTRIES, J_LEN, SLOT_BASE, SLOTS_END, RES_AT, RES_OWNER, STATE_FIRST, STATE_WORDS, backupWord } from './layout.js';

const ARENA_WORD = ARENA_OFFSET >> 2;

/**
 * The undo journal of the critical section in progress (docs/design.md,
 * "Dead peers"). Every write that the committed state can reach goes through
 * it, and the old value is saved first. If the holder dies before commit(),
 * recover() rolls the section back; if the section throws, the holder does
 * (src/section.ts). Either way a half-done operation is never seen. Only
 * the lock holder touches it.
 *
 * A state word (COUNT … ABASE) is saved at a fixed place, once per section,
 * the first time the section changes it (set()): a put or a get changes
 * three to six of them, some twice. Other words (slot links and states,
 * record flags) get an entry each (setWord(), setAtomic()). One word, J_LEN =
 * (entries << 16) | mask of saved state words, says what counts.
 */
export class Journal {
  /** The state words (bit k: STATE_FIRST + k) this section has saved. */
  private saved = 0;
  private n = 0;

  constructor(private readonly w: Int32Array) {}

  /** Starts a critical section: the lock was just taken, the journal is empty. */
  begin(): void {
    this.saved = 0;
    this.n = 0;
  }

  /** Sets state word `i` (STATE_FIRST … +15) to `v`, saving its old value first, once per section. */
  set(i: number, v: number): void {
    const bit = 1 << (i - STATE_FIRST);
    if ((this.saved & bit) === 0) this.save(i, bit);
    this.w[i] = v;
  }

  /** Sets any other word `i` (a slot's, a record flag) to `v`, with an undo entry. */
  setWord(i: number, v: number): void {
    this.record(i);
    this.w[i] = v;
  }

  /** setWord() for a futex word that other threads read without the lock: a seq-cst store. */
  setAtomic(i: number, v: number): void {
    this.record(i);
    Atomics.store(this.w, i, v);
  }

  // Plain writes in program order, by the only thread that holds the lock:
  // the saved values, then the length word that makes them count, then (in
  // the caller) the word itself. A kill between them leaves saved values
  // equal to the words, whose restoring is harmless.

  private save(i: number, bit: number): void {
    const w = this.w;
    w[backupWord(i - STATE_FIRST)] = w[i]!;
    this.saved |= bit;
    w[J_LEN] = (this.n << 16) | this.saved;
  }

  private record(i: number): void {
    const w = this.w;
    const n = this.n;
    if (n === J_CAP) {
      // Cannot happen within the bounds in docs/design.md; if it did, undo
      // the section rather than leave it half done.
      this.rollback();
      throw new Error('janus-queue: internal error: the undo journal is full; the operation was undone');
    }
    w[J_ENTRIES + 2 * n] = i;
    w[J_ENTRIES + 2 * n + 1] = w[i]!;
    this.n = n + 1;
    w[J_LEN] = ((n + 1) << 16) | this.saved;
  }

  /** Commits the section: one write, the last before the lock's release. */
  commit(): void {
    if ((this.n | this.saved) !== 0) {
      this.w[J_LEN] = 0;
      this.n = 0;
      this.saved = 0;
    }
  }

  /** Undoes the section the journal holds (a dead holder's, or our own), newest write first. */
  rollback(): void {
    const w = this.w;
    const len = w[J_LEN]!;
    // Only recover() meets a journal it did not write: refuse one that a
    // scribble made point outside the slots and records (src/integrity.ts).
    const n = len >>> 16;
    if (n > J_CAP) throw corrupted(`the undo journal's length word is ${len}`);
    for (let k = 0; k < n; k++) {
      const i = w[J_ENTRIES + 2 * k]!;
      if (!(i >= SLOT_BASE && i < SLOTS_END) && !(i >= ARENA_WORD && i < w.length) && !(i >= RES_AT && i <= RES_OWNER)) throw corrupted(`an undo journal entry names word ${i}`);
    }
    for (let k = n - 1; k >= 0; k--) w[w[J_ENTRIES + 2 * k]!] = w[J_ENTRIES + 2 * k + 1]!;
    for (let k = 0; k < STATE_WORDS; k++) if ((len & (1 << k)) !== 0) w[STATE_FIRST + k] = w[backupWord(k)]!;
    w[J_LEN] = 0;
    this.n = 0;
    this.saved = 0;
  }
}
