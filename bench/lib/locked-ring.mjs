// The MPMC floor: the least a blocking multi-producer, multi-consumer queue
// over a SharedArrayBuffer does. One lock (a compare-and-swap with a short
// spin, then a futex sleep: Drepper's three-state mutex) guards a ring of
// fixed-size slots; a put or a get copies one record under it; a get sleeps
// on the count while empty, a put while full; close() wakes everyone. No
// journal, no recovery, no checks, no promise: encoding and decoding happen
// outside the lock, in the caller. What many threads on a few cores cost at
// the least.
const LOCK = 0; // 0 free, 1 held, 2 held with sleepers
const COUNT = 16; // records in the ring
const HEAD = 32; // next slot to take
const TAIL = 33; // next slot to fill
const CLOSED = 34;
const SLEEP_EMPTY = 48; // getters asleep on PUTS
const SLEEP_FULL = 49; // putters asleep on GETS
const PUTS = 50; // bumped by a put that wakes a getter: getters sleep on it
const GETS = 51; // bumped by a get that wakes a putter: putters sleep on it
const SLOT = 256; // bytes per slot: a u32 length and the record

export class LockedRing {
  static create(slots = 1024) {
    return new SharedArrayBuffer(256 + slots * SLOT);
  }

  constructor(sab) {
    this.w = new Int32Array(sab, 0, 64);
    this.u8 = new Uint8Array(sab, 256);
    this.slots = this.u8.length / SLOT;
  }

  lock() {
    const w = this.w;
    for (let spin = 0; spin < 100; spin++) if (Atomics.compareExchange(w, LOCK, 0, 1) === 0) return;
    let c = Atomics.exchange(w, LOCK, 2);
    while (c !== 0) {
      Atomics.wait(w, LOCK, 2);
      c = Atomics.exchange(w, LOCK, 2);
    }
  }

  unlock() {
    if (Atomics.exchange(this.w, LOCK, 0) === 2) Atomics.notify(this.w, LOCK, 1);
  }

  /** Copies `bytes` (at most 252) into a slot, waiting while full. */
  put(bytes) {
    const w = this.w;
    this.lock();
    while (w[COUNT] === this.slots) {
      w[SLEEP_FULL]++;
      const seq = w[GETS];
      this.unlock();
      Atomics.wait(w, GETS, seq);
      this.lock();
      w[SLEEP_FULL]--;
    }
    const at = (w[TAIL] % this.slots) * SLOT;
    const u8 = this.u8;
    u8[at] = bytes.length;
    u8.set(bytes, at + 4);
    w[TAIL]++;
    w[COUNT]++;
    const wake = w[SLEEP_EMPTY] > 0;
    if (wake) w[PUTS]++;
    this.unlock();
    if (wake) Atomics.notify(w, PUTS, 1);
  }

  /** The next record copied into `scratch` (its length), waiting while empty; -1 once closed and drained. */
  take(scratch) {
    const w = this.w;
    this.lock();
    while (w[COUNT] === 0) {
      if (w[CLOSED]) {
        this.unlock();
        return -1;
      }
      w[SLEEP_EMPTY]++;
      const seq = w[PUTS];
      this.unlock();
      Atomics.wait(w, PUTS, seq);
      this.lock();
      w[SLEEP_EMPTY]--;
    }
    const at = (w[HEAD] % this.slots) * SLOT;
    const u8 = this.u8;
    const n = u8[at];
    scratch.set(u8.subarray(at + 4, at + 4 + n));
    w[HEAD]++;
    w[COUNT]--;
    const wake = w[SLEEP_FULL] > 0;
    if (wake) w[GETS]++;
    this.unlock();
    if (wake) Atomics.notify(w, GETS, 1);
    return n;
  }

  close() {
    this.lock();
    this.w[CLOSED] = 1;
    this.w[PUTS]++;
    this.unlock();
    Atomics.notify(this.w, PUTS);
  }
}
