// The physical floor: a minimal single-producer, single-consumer ring of
// length-prefixed records over a SharedArrayBuffer, with no codec, no lock,
// no journal and no checks. What a queue could cost at the least for the
// same bytes. Roles are fixed: one thread calls the put side, one the take
// side. A record is an 8-byte header (the length, 4 bytes kept free) and the
// payload, 8-aligned like the queue's: V8 copies to or from a
// SharedArrayBuffer byte by byte when the two ends are not equally aligned
// (a 64 KiB copy at +4 took 18 µs here, at +8 2.5 µs), so a 4-byte header
// made this floor 7 times slower than a floor for large records. HEAD and
// TAIL count bytes modulo 2^32 (int32 arithmetic), and the capacity is a
// power of two, so a run may move more than 2 GiB through one ring.
/** Record header bytes: payloads start 8-aligned. */
const HDR = 8;
const HEAD = 0; // bytes taken, written by the consumer
const TAIL = 16; // bytes published, written by the producer (another cache line)
const WAITING = 32; // 1 while the consumer sleeps on TAIL
const NEED = 48; // while the producer sleeps on HEAD (the ring full): the bytes it waits for, else 0
/** Loads of HEAD a producer spends on a full ring before it sleeps. */
const FULL_SPIN = 100;

/**
 * A fresh array of `n` bytes of its own, as the queue's bytes get returns
 * (src/codec/intrinsics.ts freshArray): from 4 KiB on not zeroed, since the
 * copy writes every byte; below, a zeroed array costs the same. Node and
 * Bun only: Deno's allocUnsafeSlow zeroes, and measured slower.
 */
const allocUnsafe = globalThis.Deno === undefined ? globalThis.Buffer?.allocUnsafeSlow : undefined;
const fresh = (n) => (n >= 4096 && allocUnsafe ? new Uint8Array(allocUnsafe(n).buffer, 0, n) : new Uint8Array(n));

export class Ring {
  static create(bytes = 1 << 20) {
    if ((bytes & (bytes - 1)) !== 0) throw new RangeError(`the ring's size must be a power of two, got ${bytes}`);
    return new SharedArrayBuffer(256 + bytes);
  }

  constructor(sab) {
    this.w = new Int32Array(sab, 0, 64);
    this.u8 = new Uint8Array(sab, 256);
    this.cap = this.u8.length;
    this.mask = this.cap - 1;
    /** The producer's own tail: records written but not yet published (put(x, false)). */
    this.tail = this.w[TAIL];
  }

  /** Producer: copies `bytes` in; publishes it and what came before unless `publish` is false (a batch publishes on its last item). */
  put(bytes, publish = true) {
    const at = this.reserve(bytes.length);
    this.u8.set(bytes, at + HDR);
    this.commit(bytes.length, publish);
  }

  /** Producer: `fill` writes the record's `n` bytes in place, in a view of the ring (the zero-copy floor). */
  putFill(n, fill, publish = true) {
    const at = this.reserve(n);
    fill(new Uint8Array(this.u8.buffer, this.u8.byteOffset + at + HDR, n));
    this.commit(n, publish);
  }

  /** Where the next record of `n` bytes goes (waiting while full); never split: a record that would wrap skips to the start. */
  reserve(n) {
    const size = (n + HDR + 7) & ~7;
    const w = this.w;
    for (;;) {
      const at = this.tail & this.mask;
      const skip = at + size > this.cap ? this.cap - at : 0;
      if (((this.tail + skip + size - Atomics.load(w, HEAD)) | 0) > this.cap) this.waitRoom(skip + size);
      if (skip === 0) return at;
      // A zero length says "wrapped".
      if (at + 4 <= this.cap) this.u8[at] = this.u8[at + 1] = this.u8[at + 2] = this.u8[at + 3] = 0;
      this.tail = (this.tail + skip) | 0;
    }
  }

  /**
   * The ring is full: publishes what a batch wrote so far (the consumer may
   * sleep on it), spins a little, then sleeps on HEAD until the consumer has
   * freed half the ring (or `need` bytes, if more): one wake per half ring,
   * not one per record. A producer spinning for every freed record slowed
   * the consumer it waits for (the floor measured below the queue, whose
   * putters sleep). NEED and HEAD are a Dekker pair: the producer stores
   * NEED, then loads HEAD; the consumer stores HEAD, then loads NEED.
   */
  waitRoom(need) {
    const w = this.w;
    this.publish();
    for (let spin = 0; ; spin++) {
      const head = Atomics.load(w, HEAD);
      if (((this.tail + need - head) | 0) <= this.cap) return;
      if (spin < FULL_SPIN) continue;
      Atomics.store(w, NEED, need);
      Atomics.wait(w, HEAD, head, 5); // returns at once if HEAD moved since
      Atomics.store(w, NEED, 0);
      spin = 0;
    }
  }

  publish() {
    Atomics.store(this.w, TAIL, this.tail);
    if (Atomics.load(this.w, WAITING) === 1) Atomics.notify(this.w, TAIL);
  }

  commit(n, publish) {
    const u8 = this.u8;
    const at = this.tail & this.mask;
    u8[at] = n;
    u8[at + 1] = n >> 8;
    u8[at + 2] = n >> 16;
    u8[at + 3] = 1 + (n >> 24);
    this.tail = (this.tail + ((n + HDR + 7) & ~7)) | 0;
    if (publish) this.publish(); // every record written so far
  }

  /** Consumer: the next record copied into `scratch` (its length returned), waiting while empty. */
  take(scratch) {
    const at = this.next();
    const n = this.len;
    scratch.set(this.u8.subarray(at, at + n));
    this.release(n);
    return n;
  }

  /** Consumer: the next record as a fresh array of its own (what the bytes codec's get returns). */
  takeCopy() {
    const at = this.next();
    const out = fresh(this.len);
    out.set(new Uint8Array(this.u8.buffer, this.u8.byteOffset + at, this.len));
    this.release(this.len);
    return out;
  }

  /** Consumer: lends the next record to `fn` in place (the zero-copy floor); `fn`'s result. */
  takeView(fn) {
    const at = this.next();
    const r = fn(new Uint8Array(this.u8.buffer, this.u8.byteOffset + at, this.len));
    this.release(this.len);
    return r;
  }

  /** Waits for a record; its payload's offset (its length in this.len). */
  next() {
    const w = this.w;
    for (;;) {
      const head = w[HEAD];
      let tail = Atomics.load(w, TAIL);
      for (let spin = 0; tail === head && spin < 2000; spin++) tail = Atomics.load(w, TAIL);
      if (tail === head) {
        Atomics.store(w, WAITING, 1);
        Atomics.wait(w, TAIL, head, 5);
        Atomics.store(w, WAITING, 0);
        continue;
      }
      const at = head & this.mask;
      const u8 = this.u8;
      if (at + 4 > this.cap || u8[at + 3] === 0) {
        this.freeTo((head + (this.cap - at)) | 0);
        continue;
      }
      this.len = u8[at] | (u8[at + 1] << 8) | (u8[at + 2] << 16) | ((u8[at + 3] - 1) << 24);
      return at + HDR;
    }
  }

  /** Frees the record just read; wakes a producer waiting for room once half the ring (or what it needs) is free. */
  release(n) {
    this.freeTo((this.w[HEAD] + ((n + HDR + 7) & ~7)) | 0);
  }

  freeTo(head) {
    const w = this.w;
    Atomics.store(w, HEAD, head);
    const need = Atomics.load(w, NEED);
    if (need !== 0 && this.cap - ((Atomics.load(w, TAIL) - head) | 0) >= Math.max(need, this.cap >> 1)) Atomics.notify(w, HEAD);
  }
}
