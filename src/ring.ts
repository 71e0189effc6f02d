import { checkRecord, corrupted, tooManySteps } from './integrity.js';
import { ARENA_OFFSET, COUNT, DEAD, HEAD, HEADER_PLAIN, HEADER_PRIORITY, LAST, LIVE, R_FLAGS, R_PRIORITY, R_SIZE, TAIL, TAKEN, USED, WRAP_MARKER } from './layout.js';

/**
 * Where records go in the arena: a ring of whole records (never split), read
 * and written only with the lock held. Records wrap to offset 0 behind a wrap
 * marker; the ring resets to 0 whenever it empties. FIFO takes at HEAD, LIFO
 * at LAST (its HEAD stays 0, so it never wraps), priority anywhere, leaving a
 * hole that compaction reclaims when a put needs the room. See docs/design.md.
 */
export class Ring {
  constructor(
    private readonly w: Int32Array,
    private readonly u8: Uint8Array,
    private readonly f64: Float64Array,
    private readonly arena: number,
  ) {}

  reset(): void {
    const w = this.w;
    w[HEAD] = 0;
    w[TAIL] = 0;
    w[LAST] = -1;
    w[USED] = 0;
    w[DEAD] = 0;
  }

  /** The offset of the record after the one at `off`, following a wrap marker. Only called when one exists. */
  next(off: number): number {
    const size = this.w[(ARENA_OFFSET + off + R_SIZE) >> 2]!;
    // A size that would not move forward, or past the arena, is a scribble (src/integrity.ts).
    if (!(size >= HEADER_PLAIN && (size & 7) === 0 && off + size <= this.arena)) throw corrupted(`the record at arena offset ${off} has size ${size}`);
    const n = off + size;
    if (n >= this.arena || this.w[(ARENA_OFFSET + n + R_SIZE) >> 2] === WRAP_MARKER) return 0;
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
    if (off === 0 && tail !== 0 && tail < this.arena) w[(ARENA_OFFSET + tail + R_SIZE) >> 2] = WRAP_MARKER;
    w[TAIL] = off + size;
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
      const b = ARENA_OFFSET + off;
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
    const b = ARENA_OFFSET + off;
    w[(b + R_FLAGS) >> 2] = TAKEN;
    w[DEAD]! += w[(b + R_SIZE) >> 2]!;
    // COUNT > 0 here, so a live record lies ahead of any hole at HEAD.
    let head = w[HEAD]!;
    for (let steps = 0; w[(ARENA_OFFSET + head + R_FLAGS) >> 2] === TAKEN; ) {
      if (++steps > this.maxRecords()) throw tooManySteps('the walk over the holes');
      const size = w[(ARENA_OFFSET + head + R_SIZE) >> 2]!;
      w[DEAD]! -= size;
      w[USED]! -= size;
      head = this.next(head);
    }
    w[HEAD] = head;
  }

  /** More steps than this over the records from HEAD means a cycle: each record takes 16 bytes or more, plus one wrap. */
  private maxRecords(): number {
    return (this.arena >> 4) + 1;
  }

  /** Bytes of live records (wrap padding and holes excluded): what compaction would leave. */
  liveBytes(): number {
    return this.w[USED]! - this.w[DEAD]!;
  }

  /** Moves the live records, in order, to the start of the arena. Priority queues only; O(bytes), and only when a put needs it. */
  private compact(): void {
    const w = this.w;
    const count = w[COUNT]!;
    const tmp = new Uint8Array(this.liveBytes());
    let at = 0;
    for (let off = w[HEAD]!, seen = 0, steps = 0; seen < count; off = this.next(off)) {
      const b = ARENA_OFFSET + off;
      if (++steps > this.maxRecords()) throw tooManySteps('the walk over the records');
      checkRecord(w, b, off, this.arena, HEADER_PRIORITY, false);
      if (w[(b + R_FLAGS) >> 2] !== LIVE) continue;
      const size = w[(b + R_SIZE) >> 2]!;
      if (at + size > tmp.length) throw corrupted('the live records hold more bytes than USED - DEAD says');
      tmp.set(this.u8.subarray(b, b + size), at);
      at += size;
      seen++;
    }
    this.u8.set(tmp.subarray(0, at), ARENA_OFFSET);
    w[HEAD] = 0;
    w[TAIL] = at;
    w[USED] = at;
    w[DEAD] = 0;
  }
}
