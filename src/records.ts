import type { Batch, Taken, TakenMany } from './core.js';
import { checkRecord, corrupted } from './integrity.js';
import type { Journal } from './journal.js';
import { Built, bufferOf, freshArray, uint8Length, uint8Set, viewOf } from './codec/intrinsics.js';
import { copyAt, copyIn, wordEnd } from './copy.js';
import { KIND_FIFO, KIND_LIFO, type Kind } from './kinds.js';
import { CANCELLED_PUT, COUNT, FILLED, HEAD, LAST, LIVE, RESERVED, RES_AT, RES_OWNER, RES_TAIL, R_FLAGS, R_LEN, R_PREV, R_PRIORITY, R_SIZE, TAIL, USED, align8, headerBytes } from './layout.js';
import type { Ring } from './ring.js';

/**
 * The queue's items as records in the arena (docs/design.md, "Records in the
 * arena"): what CPython's Queue keeps in `self.queue`. append() writes an
 * item where the ring places it; take() copies out the record a get takes
 * (the oldest, the newest, or the first of the lowest priority) and removes
 * it. Lock held. These keep COUNT (and, with the ring, HEAD, TAIL, LAST,
 * USED); only state words and a priority record's flag go through the
 * journal, since a new record is written to free space.
 *
 * One per attached queue instance: it owns the instance's scratch buffer
 * for item bytes.
 */
export class Records {
  private readonly header: number;
  private scratch = new Built.Uint8Array(256);
  private scratch32 = new Built.Int32Array(bufferOf(this.scratch));
  /**
   * The scratch buffer is being decoded in place (src/items.ts): the next
   * copy out goes into a new one, so that a get made meanwhile by the
   * caller's code (a patched built-in, an Error.prepareStackTrace) cannot
   * overwrite the items still to decode.
   */
  lent = false;
  /** What takeOne() took, refilled by each call (see Taken). */
  private readonly taken: { bytes: Uint8Array; len: number; priority: number; fresh: boolean } = { bytes: this.scratch, len: 0, priority: 0, fresh: false };

  constructor(
    private readonly w: Int32Array,
    private readonly u8: Uint8Array,
    private readonly f64: Float64Array,
    private readonly j: Journal,
    private readonly ring: Ring,
    private readonly kind: Kind,
    private readonly arena: number,
  ) {
    this.header = headerBytes(kind);
  }

  /** The record size, header included, an item of `len` payload bytes takes. */
  size(len: number): number {
    return align8(this.header + len);
  }

  /** A view of the buffer's bytes [b … b + len), made with the built-ins (no getter of the caller's runs: the lock is held). */
  private viewAt(b: number, len: number): Uint8Array {
    return viewOf(this.u8, b, len);
  }

  /** Appends one item (`len`: the byte length of `bytes`); false if it does not fit now. */
  append(bytes: Uint8Array, len: number, priority: number): boolean {
    const size = this.size(len);
    const off = this.ring.place(size);
    if (off < 0) return false;
    this.write(off, size, bytes, len, priority);
    return true;
  }

  /**
   * Appends one item of `len` bytes that `fill` writes in place, in a view of
   * the record in shared memory (free space until the record is counted, so
   * a thread killed inside `fill` leaves nothing half done); false if it
   * does not fit now. If `fill` throws, the section is undone.
   */
  appendFilled(len: number, fill: (view: Uint8Array) => void): boolean {
    const size = this.size(len);
    const off = this.ring.place(size);
    if (off < 0) return false;
    fill(this.viewAt(this.ring.at(off) + this.header, len));
    this.count(off, size, len, 0);
    return true;
  }

  /** Appends a batch, its items one after the other in order; false, appending none, if they do not all fit now. */
  appendAll(batch: Batch): boolean {
    const ring = this.ring;
    if (!ring.fitsAll(batch.sizes) && !(ring.compactHoles() && ring.fitsAll(batch.sizes))) return false;
    // The batch's items start on word boundaries (src/items.ts prepareMany).
    for (let i = 0, at = 0; i < batch.lens.length; i++) {
      const len = batch.lens[i]!;
      const size = batch.sizes[i]!;
      const off = ring.place(size);
      copyAt(this.u8, this.w, ring.at(off) + this.header, batch.bytes, batch.words, at, len);
      this.count(off, size, len, batch.priorities[i] ?? 0);
      at = wordEnd(at, len);
    }
    return true;
  }

  /** Drops every record (shutdown(true)), and a large put's reservation: the put came before the shutdown. */
  clear(): void {
    if (this.w[RES_AT] !== 0) this.unreserve(this.w[RES_AT]! - 1);
    this.j.set(COUNT, 0);
    this.ring.reset();
  }

  // ---- a FIFO queue's large puts: reserve, copy outside the lock, publish --
  // (docs/design.md, "Large puts: reserve, copy, publish")

  /**
   * Reserves the record of a put of `len` bytes for thread `owner`, who will
   * write its bytes after the release: placed, its header written (flags
   * RESERVED) and its bytes counted in USED, but not in COUNT, so no get
   * takes it; RES_AT says where it is. Returns its offset, or -1 if it does
   * not fit now. Lock held, no reservation outstanding.
   */
  reserve(len: number, owner: number): number {
    const w = this.w;
    const ring = this.ring;
    const size = this.size(len);
    // place() would reset an empty ring: reset first, so that a rollback
    // restores the TAIL it placed after.
    if (w[COUNT] === 0) ring.reset();
    const tail = w[TAIL]!;
    const off = ring.place(size);
    if (off < 0) return -1;
    const b = ring.at(off);
    // Free space until RES_AT commits: written plainly.
    w[(b + R_SIZE) >> 2] = size;
    w[(b + R_LEN) >> 2] = len;
    w[(b + R_PREV) >> 2] = -1;
    w[(b + R_FLAGS) >> 2] = RESERVED;
    const j = this.j;
    j.set(USED, w[USED]! + size);
    j.setWord(RES_TAIL, tail);
    j.setWord(RES_OWNER, owner);
    j.setWord(RES_AT, off + 1);
    return off;
  }

  /** A view of the reserved record's payload at `off` (no lock needed: only its putter writes it). */
  reservedView(off: number, len: number): Uint8Array {
    return this.viewAt(this.ring.at(off) + this.header, len);
  }

  /** Copies `len` bytes of `bytes` into the reserved record at `off`, without the lock. */
  fillReserved(off: number, bytes: Uint8Array, len: number): void {
    copyIn(this.u8, this.w, this.ring.at(off) + this.header, bytes, len);
  }

  /** The index of the flags word of the record at `off`: the putter stores FILLED or CANCELLED_PUT there with Atomics.store, after its bytes. */
  flagsWord(off: number): number {
    return (this.ring.at(off) + R_FLAGS) >> 2;
  }

  /**
   * Lock held, a reservation outstanding: what its putter's word says to do.
   * 'publish' (FILLED), 'rollback' (CANCELLED_PUT, or RESERVED by the thread
   * `dead`, which stopped before it filled it), or 'wait' (being filled).
   */
  reservedState(dead: number): 'publish' | 'rollback' | 'wait' {
    const w = this.w;
    const off = w[RES_AT]! - 1;
    const b = this.ring.at(off);
    const len = w[(b + R_LEN) >> 2]!;
    if (!(len >= 0 && w[(b + R_SIZE) >> 2] === this.size(len) && off + this.size(len) <= this.arena))
      throw corrupted(`the reserved record at arena offset ${off} has size ${w[(b + R_SIZE) >> 2]} and length ${len}`);
    const flags = Atomics.load(w, (b + R_FLAGS) >> 2);
    if (flags === FILLED) return 'publish';
    if (flags === CANCELLED_PUT || (flags === RESERVED && dead !== 0 && w[RES_OWNER] === dead)) return 'rollback';
    if (flags === RESERVED) return 'wait';
    throw corrupted(`the reserved record at arena offset ${off} has flags ${flags}`);
  }

  /** Lock held: counts the filled reserved record as the newest item (a put, done). */
  publish(): void {
    const w = this.w;
    const j = this.j;
    const off = w[RES_AT]! - 1;
    const b = this.ring.at(off);
    j.setWord((b + R_FLAGS) >> 2, LIVE);
    j.setWord((b + R_PREV) >> 2, w[COUNT] === 0 ? -1 : w[LAST]!);
    j.setWord(RES_AT, 0);
    j.set(LAST, off);
    j.set(COUNT, w[COUNT]! + 1);
  }

  /** Lock held: gives the reserved record's space back (the put did not happen). */
  unreserve(off: number): void {
    const w = this.w;
    const j = this.j;
    // The newest record: nothing was placed after it while it was reserved.
    j.set(TAIL, w[RES_TAIL]!);
    j.set(USED, w[USED]! - w[(this.ring.at(off) + R_SIZE) >> 2]!);
    j.setWord(RES_AT, 0);
    if (w[COUNT] === 0) this.ring.reset();
  }

  /**
   * Writes and counts one record at `off`, a place the ring has just given
   * it (counted at once: place() resets an empty ring). The record is in free
   * space, so only the state words go through the journal.
   */
  private write(off: number, size: number, bytes: Uint8Array, len: number, priority: number): void {
    copyIn(this.u8, this.w, this.ring.at(off) + this.header, bytes, len);
    this.count(off, size, len, priority);
  }

  /** Writes the header of the record at `off`, whose payload is in place, and counts it. */
  private count(off: number, size: number, len: number, priority: number): void {
    const w = this.w;
    const b = this.ring.at(off);
    w[(b + R_SIZE) >> 2] = size;
    w[(b + R_LEN) >> 2] = len;
    w[(b + R_PREV) >> 2] = w[LAST]!;
    w[(b + R_FLAGS) >> 2] = LIVE;
    if (this.header > R_PRIORITY) this.f64[(b + R_PRIORITY) >> 3] = priority;
    const j = this.j;
    j.set(LAST, off);
    j.set(USED, w[USED]! + size);
    j.set(COUNT, w[COUNT]! + 1);
  }

  /**
   * An array made without the lock, after a large get for a codec that
   * keeps its bytes (src/items.ts), for the next get: if that get's item
   * has its length (a stream of equal items), takeOne() copies it straight
   * in, and the codec gets it. One copy instead of two (into the scratch
   * buffer, then into a fresh array), and the lock is not held while it is
   * allocated (64 KiB: about 2.5 µs).
   */
  private spare: Uint8Array | undefined;

  /** Readies the spare array for an item of `len` bytes (without the lock). */
  spareFor(len: number): void {
    if (this.spare === undefined || uint8Length(this.spare) !== len) this.spare = freshArray(len);
  }

  /** Takes the item a get takes (COUNT > 0): into the spare array if it has the item's length, else into the scratch buffer (and the spare is dropped). */
  takeOne(): Taken {
    const off = this.pick();
    const b = this.ring.at(off);
    const taken = this.taken;
    const len = this.w[(b + R_LEN) >> 2]!;
    const spare = this.spare;
    // Used or not, a spare serves one get: a stream whose lengths changed
    // does not keep it.
    this.spare = undefined;
    if (spare !== undefined && uint8Length(spare) === len) {
      uint8Set(spare, this.viewAt(b + this.header, len), 0);
      taken.bytes = spare;
      taken.fresh = true;
    } else {
      taken.bytes = this.copyOut(b + this.header, len, 0);
      taken.fresh = false;
    }
    taken.len = len;
    taken.priority = this.priorityAt(b);
    this.remove(off);
    return taken;
  }

  /**
   * Lends the bytes of the record a get takes to `fn`, as a view of shared
   * memory, then takes the record: `fn`'s result. If `fn` throws, nothing is
   * taken (nothing was written yet).
   */
  lendOne<R>(fn: (view: Uint8Array) => R): R {
    const off = this.pick();
    const b = this.ring.at(off);
    const r = fn(this.viewAt(b + this.header, this.w[(b + R_LEN) >> 2]!));
    this.remove(off);
    return r;
  }

  /**
   * Takes `k` items (k <= COUNT), in the order single gets would take them,
   * copied one after another into the scratch buffer, each from a word
   * boundary (src/copy.ts wordEnd), as words: the fresh arrays
   * a codec keeps, are made after the release (src/items.ts decodeMany), so
   * the lock is not held while 100 arrays are allocated.
   */
  take(k: number): TakenMany {
    const priorities: number[] = [];
    const lens: number[] = [];
    for (let i = 0, at = 0; i < k; i++) {
      const off = this.pick();
      const b = this.ring.at(off);
      const len = this.w[(b + R_LEN) >> 2]!;
      this.copyOut(b + this.header, len, at);
      at = wordEnd(at, len);
      lens.push(len);
      priorities.push(this.priorityAt(b));
      this.remove(off);
    }
    return { bytes: this.scratch, lens, priorities };
  }

  /** The priority of the record at byte `b` (0 but in a priority queue). */
  private priorityAt(b: number): number {
    return this.header > R_PRIORITY ? this.f64[(b + R_PRIORITY) >> 3]! : 0;
  }

  /** The offset of the record the next get takes: the oldest, the newest, or the first of the lowest priority. */
  private pick(): number {
    const off = this.kind === KIND_FIFO ? this.w[HEAD]! : this.kind === KIND_LIFO ? this.w[LAST]! : this.ring.findMin();
    checkRecord(this.w, this.ring.at(off), off, this.arena, this.header, true);
    return off;
  }

  /** Removes the record at `off` (just copied out) from the ring. */
  private remove(off: number): void {
    const w = this.w;
    const j = this.j;
    const b = this.ring.at(off);
    j.set(COUNT, w[COUNT]! - 1);
    // A reserved record (RES_AT) stays: HEAD moves on to it.
    if (w[COUNT] === 0 && w[RES_AT] === 0) this.ring.reset();
    else if (this.kind === KIND_FIFO) {
      j.set(USED, w[USED]! - w[(b + R_SIZE) >> 2]!);
      j.set(HEAD, this.ring.next(off));
    } else if (this.kind === KIND_LIFO) {
      j.set(USED, w[USED]! - w[(b + R_SIZE) >> 2]!);
      j.set(TAIL, off);
      j.set(LAST, w[(b + R_PREV) >> 2]!);
    } else this.ring.takeFromMiddle(off);
  }

  /**
   * Copies an item's bytes out of shared memory into the scratch buffer at
   * `at` (growing it, and keeping its first `at` bytes). A codec that keeps
   * the bytes gets a fresh array made from there after the release
   * (src/items.ts), unless takeOne() used the spare: allocating it (about
   * 0.8 µs for 1 KiB, an off-heap buffer) does not hold the lock.
   */
  private copyOut(from: number, len: number, at: number): Uint8Array {
    if (this.lent) {
      this.lent = false;
      this.scratch = new Built.Uint8Array(uint8Length(this.scratch));
      this.scratch32 = new Built.Int32Array(bufferOf(this.scratch));
    }
    if (uint8Length(this.scratch) < at + len + 4) {
      // A multiple of 8, with room for a word copy's last word.
      const grown = new Built.Uint8Array((Math.max(at + len + 4, uint8Length(this.scratch) * 2) + 7) & ~7);
      uint8Set(grown, viewOf(this.scratch, 0, at), 0);
      this.scratch = grown;
      this.scratch32 = new Built.Int32Array(bufferOf(grown));
    }
    copyAt(this.scratch, this.scratch32, at, this.u8, this.w, from, len);
    return this.scratch;
  }

}
