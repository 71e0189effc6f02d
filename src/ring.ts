import { uint8CopyWithin } from './codec/intrinsics.js';
import { checkRecord, corrupted, tooManySteps } from './integrity.js';
import { ABASE, ARENA_OFFSET, COUNT, DEAD, HEAD, HEADER_PLAIN, HEADER_PRIORITY, LAST, LIVE, R_FLAGS, R_PRIORITY, R_SIZE, TAIL, TAKEN, USED, WRAP_MARKER } from './layout.js';
import type { Journal } from './journal.js';

/**
 * Where records go in the arena: a ring of whole records (never split), read
 * and written only with the lock held. Records wrap to offset 0 behind a wrap
 * marker; the ring resets to 0 whenever it empties. FIFO takes at HEAD, LIFO
 * at LAST (its HEAD stays 0, so it never wraps), priority anywhere, leaving a
 * hole that compaction reclaims when a put needs the room. See docs/design.md.
 *
 * Offsets are relative to the arena half in use (`at()` turns one into a byte
 * index). Words the committed state reaches change only through the journal;
 * a new record, a wrap marker after TAIL and a compaction's copy go to space
 * the committed state does not reach, so they are written plainly.
 */
export class Ring {
  constructor(
    private readonly w: Int32Array,
    private readonly u8: Uint8Array,
    private readonly f64: Float64Array,
    private readonly arena: number,
    private readonly j: Journal,
  ) {}

  /** The byte index of the arena half in use: read from ABASE by sync() once per critical section. */
  private base = ARENA_OFFSET;

  /** Reads which arena half is in use: after taking the lock, and after a rollback. */
  sync(): void {
    this.base = ARENA_OFFSET + this.w[ABASE]!;
  }

  /** The byte index in the buffer of arena offset `off`. */
  at(off: number): number {
    return this.base + off;
  }

  reset(): void {
    // Usually reset already (a put into an empty queue): each word is saved
    // and written only if it changes.
    const w = this.w;
    const j = this.j;
    if (w[HEAD] !== 0) j.set(HEAD, 0);
    if (w[TAIL] !== 0) j.set(TAIL, 0);
    if (w[LAST] !== -1) j.set(LAST, -1);
    if (w[USED] !== 0) j.set(USED, 0);
    if (w[DEAD] !== 0) j.set(DEAD, 0);
  }

  /** The offset of the record after the one at `off`, following a wrap marker. Only called when one exists. */
  next(off: number): number {
    const size = this.w[(this.at(off) + R_SIZE) >> 2]!;
    // A size that would not move forward, or past the arena, is a scribble (src/integrity.ts).
    if (!(size >= HEADER_PLAIN && (size & 7) === 0 && off + size <= this.arena)) throw corrupted(`the record at arena offset ${off} has size ${size}`);
    const n = off + size;
    if (n >= this.arena || this.w[(this.at(n) + R_SIZE) >> 2] === WRAP_MARKER) return 0;
    return n;
  }

  /**
   * Where a record of `size` bytes goes, or -1 if it does not fit now.
   * Moves TAIL past it and writes a wrap marker when it goes to offset 0.
   */
  place(size: number): number {
    const w = this.w;
    if (w[COUNT] === 0) this.reset();
    let off = this.fit(size);
    if (off < 0 && w[DEAD]! > 0) {
      this.compact();
      off = this.fit(size);
    }
    if (off < 0) return -1;
    const tail = w[TAIL]!;
    // After TAIL: space the committed state does not reach.
    if (off === 0 && tail !== 0 && tail < this.arena) w[(this.at(tail) + R_SIZE) >> 2] = WRAP_MARKER;
    this.j.set(TAIL, off + size);
    return off;
  }

  /** The offset a record of `size` bytes would take now, or -1. Changes nothing. */
  private fit(size: number): number {
    const w = this.w;
    const head = w[HEAD]!;
    const tail = w[TAIL]!;
    if (w[COUNT] === 0 && w[DEAD] === 0) return size <= this.arena ? 0 : -1;
    if (tail > head) {
      if (tail + size <= this.arena) return tail;
      return size <= head ? 0 : -1; // wrap: the record goes before HEAD
    }
    return tail + size <= head ? tail : -1; // wrapped: the gap between TAIL and HEAD
  }

  /**
   * Whether records of `sizes` (in order) could all be placed now, one after
   * the other, exactly as place() would put them. Changes nothing.
   */
  fitsAll(sizes: readonly number[]): boolean {
    const w = this.w;
    let head = w[HEAD]!;
    let tail = w[TAIL]!;
    let empty = w[COUNT] === 0; // place() resets an empty ring first
    if (empty) head = tail = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      if (empty) {
        if (size > this.arena) return false;
        tail = size;
        empty = false;
      } else if (tail > head) {
        if (tail + size <= this.arena) tail += size;
        else if (size <= head) tail = size;
        else return false;
      } else if (tail + size <= head) tail += size;
      else return false;
    }
    return true;
  }

  /** Compacts if there are holes (priority queues); returns whether it did. */
  compactHoles(): boolean {
    if (this.w[DEAD] === 0) return false;
    this.compact();
    return true;
  }

  /** Whether a record of `size` bytes could be placed now, counting what compaction would free. */
  couldPlace(size: number): boolean {
    return this.fit(size) >= 0 || (this.w[DEAD]! > 0 && this.liveBytes() + size <= this.arena);
  }

  // ---- priority queues: holes and compaction ------------------------------

  /** The first live record, in put order, with the lowest priority: stable among equals. */
  findMin(): number {
    const w = this.w;
    let off = w[HEAD]!;
    let best = -1;
    let bestP = 0;
    for (let seen = 0, steps = 0, count = w[COUNT]!; ; off = this.next(off)) {
      const b = this.at(off);
      if (++steps > this.maxRecords()) throw tooManySteps('the walk over the records');
      checkRecord(w, b, off, this.arena, HEADER_PRIORITY, false);
      if (w[(b + R_FLAGS) >> 2] !== LIVE) continue;
      const p = this.f64[(b + R_PRIORITY) >> 3]!;
      if (best < 0 || p < bestP) {
        best = off;
        bestP = p;
      }
      if (++seen === count) return best;
    }
  }

  /** Leaves a hole where a taken priority record was; holes at HEAD are skipped at once. */
  takeFromMiddle(off: number): void {
    const w = this.w;
    const j = this.j;
    const b = this.at(off);
    j.setWord((b + R_FLAGS) >> 2, TAKEN);
    j.set(DEAD, w[DEAD]! + w[(b + R_SIZE) >> 2]!);
    // COUNT > 0 here, so a live record lies ahead of any hole at HEAD.
    let head = w[HEAD]!;
    for (let steps = 0; w[(this.at(head) + R_FLAGS) >> 2] === TAKEN; ) {
      if (++steps > this.maxRecords()) throw tooManySteps('the walk over the holes');
      const size = w[(this.at(head) + R_SIZE) >> 2]!;
      j.set(DEAD, w[DEAD]! - size);
      j.set(USED, w[USED]! - size);
      head = this.next(head);
    }
    j.set(HEAD, head);
  }

  /** More steps than this over the records from HEAD means a cycle: each record takes 16 bytes or more, plus one wrap. */
  private maxRecords(): number {
    return (this.arena >> 4) + 1;
  }

  /** Bytes of live records (wrap padding and holes excluded): what compaction would leave. */
  liveBytes(): number {
    return this.w[USED]! - this.w[DEAD]!;
  }

  /**
   * Copies the live records, in order, to the start of the other arena half
   * (which the committed state does not reach), then switches to it: a thread
   * killed before the switch commits leaves the old half intact. Priority
   * queues only; O(bytes), and only when a put needs the room.
   */
  private compact(): void {
    const w = this.w;
    const count = w[COUNT]!;
    const half = w[ABASE] === 0 ? this.arena : 0;
    const to = ARENA_OFFSET + half;
    let at = 0;
    const live = this.liveBytes();
    let last = -1;
    for (let off = w[HEAD]!, seen = 0, steps = 0; seen < count; off = this.next(off)) {
      const b = this.at(off);
      if (++steps > this.maxRecords()) throw tooManySteps('the walk over the records');
      checkRecord(w, b, off, this.arena, HEADER_PRIORITY, false);
      if (w[(b + R_FLAGS) >> 2] !== LIVE) continue;
      const size = w[(b + R_SIZE) >> 2]!;
      if (at + size > live) throw corrupted('the live records hold more bytes than USED - DEAD says');
      uint8CopyWithin(this.u8, to + at, b, b + size);
      last = at;
      at += size;
      seen++;
    }
    const j = this.j;
    j.set(ABASE, half);
    this.base = to;
    j.set(HEAD, 0);
    j.set(TAIL, at);
    j.set(LAST, last);
    j.set(USED, at);
    j.set(DEAD, 0);
  }
}
