// The physical floor: a minimal single-producer, single-consumer ring of
// length-prefixed records over a SharedArrayBuffer, with no codec, no lock,
// no journal and no checks. What a queue could cost at the least for the
// same bytes. Roles are fixed: one thread calls put, one calls take.
const HEAD = 0; // bytes taken, written by the consumer
const TAIL = 16; // bytes put, written by the producer (another cache line)
const WAITING = 32; // 1 while the consumer sleeps on TAIL

export class Ring {
  static create(bytes = 1 << 20) {
    return new SharedArrayBuffer(256 + bytes);
  }

  constructor(sab) {
    this.w = new Int32Array(sab, 0, 64);
    this.u8 = new Uint8Array(sab, 256);
    this.cap = this.u8.length;
  }

  /** Producer: copies `bytes` in (spinning while full), then publishes it with one store. */
  put(bytes) {
    const n = bytes.length;
    const size = (n + 4 + 7) & ~7;
    const w = this.w;
    const tail = w[TAIL];
    while (tail + size - Atomics.load(w, HEAD) > this.cap);
    let at = tail % this.cap;
    if (at + size > this.cap) {
      // Never split a record: skip to the start (a zero length says "wrapped").
      if (at + 4 <= this.cap) this.u8[at] = this.u8[at + 1] = this.u8[at + 2] = this.u8[at + 3] = 0;
      const skip = this.cap - at;
      while (tail + skip + size - Atomics.load(w, HEAD) > this.cap);
      Atomics.store(w, TAIL, tail + skip);
      return this.put(bytes);
    }
    const u8 = this.u8;
    u8[at] = n;
    u8[at + 1] = n >> 8;
    u8[at + 2] = n >> 16;
    u8[at + 3] = 1 + (n >> 24);
    u8.set(bytes, at + 4);
    Atomics.store(w, TAIL, tail + size); // publish
    if (Atomics.load(w, WAITING) === 1) Atomics.notify(w, TAIL);
  }

  /** Consumer: the next record copied into `scratch` (its length returned), waiting while empty. */
  take(scratch) {
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
      const at = head % this.cap;
      const u8 = this.u8;
      if (at + 4 > this.cap || u8[at + 3] === 0) {
        Atomics.store(w, HEAD, head + (this.cap - at));
        continue;
      }
      const n = u8[at] | (u8[at + 1] << 8) | (u8[at + 2] << 16) | ((u8[at + 3] - 1) << 24);
      scratch.set(u8.subarray(at + 4, at + 4 + n));
      Atomics.store(w, HEAD, head + ((n + 4 + 7) & ~7)); // release the space
      return n;
    }
  }
}
