import { CODEC_IDS, type WireCodec, codecName, describe } from './codec/index.js';
import type { Batch, Core, Taken, TakenMany } from './core.js';
import { copyIn, wordEnd } from './copy.js';
import { tooLarge } from './errors.js';
import { Built, bufferOf, copyOf, uint8Length, uint8Set, viewOf } from './codec/intrinsics.js';

/** An item ready to enter the queue: its bytes (the first `len` of `bytes`, maybe a codec's scratch buffer), priority and record size. */
export interface Prepared {
  bytes: Uint8Array;
  /** The item's byte length (of a caller's array, read through the intrinsic getter: an own `length` property cannot lie about it). */
  len: number;
  priority: number;
  need: number;
}

/** The largest batch buffer an instance keeps between syncQ.putMany calls. */
const MAX_BATCH_SCRATCH = 4 << 20;

/**
 * A private copy of the first `len` bytes of `bytes` (a Uint8Array the caller
 * may have subclassed or changed): made with the intrinsics, so no species
 * constructor, getter or `set` of the caller's runs, and exactly `len` bytes
 * are copied (`len` read through the intrinsic getter before).
 */
export const ownCopy = (bytes: Uint8Array, len: number): Uint8Array => copyOf(bytes, 0, len);

/**
 * From this many bytes, a get for a codec that keeps its bytes readies the
 * next get's array (Records.spare), once two items of one length came in a
 * row (a stream of equal items); below, two copies cost less than an
 * allocation. Up to SPARE_MAX: an instance keeps at most that much for a
 * get that may never come.
 */
const SPARE_MIN = 16384;
const SPARE_MAX = 4 << 20;

/**
 * The items of one attached queue instance, before and after the lock: an
 * item becomes bytes (the codec, the size and priority checks) before the
 * critical section that puts it, and what a get took becomes an item again
 * after the release. Nothing here touches shared memory or waits. Both faces
 * of the instance share it.
 */
export class Items {
  private readonly priority: boolean;
  private readonly maxBytes: number;
  private batchScratch: Uint8Array = new Built.Uint8Array(256);
  private batchScratch32: Int32Array = new Built.Int32Array(bufferOf(this.batchScratch));
  /** A putMany is filling the batch scratch. */
  private batchBusy = false;
  private readonly prepared: Prepared = { bytes: new Built.Uint8Array(0), len: 0, priority: 0, need: 0 };
  /** The length of the last item a get took for a codec that keeps its bytes (see SPARE_MIN). */
  private lastLarge = 0;

  constructor(
    private readonly codec: WireCodec,
    private readonly core: Core,
  ) {
    this.priority = core.isPriority;
    this.maxBytes = core.maxBytes;
  }

  /**
   * The checks of getView / putView: a queue of the bytes codec, not a
   * PriorityQueue, and a function; for putView, a byte length that can fit
   * (RangeError if it never can). Returns the record size for putView.
   */
  checkView(call: 'getView' | 'putView', fn: unknown, len = 0): number {
    if (this.codec.id !== CODEC_IDS.bytes || this.priority)
      throw new TypeError(`janus-queue: ${call}() lends the bytes of a queue made with { codec: 'bytes' } (not a PriorityQueue); this queue's codec is '${codecName(this.codec.id)}'${this.priority ? ', and it is a PriorityQueue' : ''}`);
    if (typeof fn !== 'function') throw new TypeError(`janus-queue: ${call}() needs a function, got ${describe(fn)}`);
    if (call === 'putView') {
      if (typeof len !== 'number' || !Number.isInteger(len) || len < 0)
        throw new (typeof len === 'number' ? RangeError : TypeError)(`janus-queue: putView() byteLength must be an integer >= 0, got ${describe(len)}`);
      if (len > this.maxBytes) throw tooLarge(this.maxBytes, len);
    }
    return this.core.recordSize(len);
  }

  /**
   * Encodes an item; throws TypeError (unencodable, bad pair) or RangeError
   * (can never fit) before anything shared is touched. The result is valid
   * until the next call: read it at once.
   */
  prepare(item: unknown): Prepared {
    let priority = 0;
    let value = item;
    if (this.priority) {
      if (!Array.isArray(item) || item.length !== 2)
        throw new TypeError(`janus-queue: a PriorityQueue item must be a [priority, value] pair, got ${describe(item)}`);
      priority = item[0];
      if (typeof priority !== 'number' || Number.isNaN(priority))
        throw new TypeError(`janus-queue: a priority must be a number other than NaN, got ${describe(priority)}`);
      value = item[1];
    }
    const codec = this.codec;
    const len = codec.encodeLen(value, this.maxBytes);
    const bytes = codec.out;
    // An item of up to maxBytes always fits in an empty arena; a larger one never may.
    if (len > this.maxBytes) throw tooLarge(this.maxBytes, len);
    // One Prepared per instance, refilled by every call: callers read it at once.
    const p = this.prepared;
    p.bytes = bytes;
    p.len = len;
    p.priority = priority;
    p.need = this.core.recordSize(len);
    return p;
  }

  /**
   * Encodes a putMany batch into one buffer (an item's encoding may be a
   * scratch view that the next one reuses). With `reuse` the buffer is this
   * instance's batch scratch, valid until the next call (for syncQ, whose
   * call ends before it returns); else it is the batch's own (asyncQ keeps a
   * batch that waits). Throws like prepare(), and RangeError for a batch
   * that could never fit (more items than maxsize, or more bytes than the
   * arena), before anything shared is touched.
   */
  prepareMany(items: unknown, reuse = false): Batch {
    if (items == null || typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function')
      throw new TypeError(`janus-queue: putMany() takes an iterable of items, got ${describe(items)}`);
    // A putMany made while this one is consumed (by its generator, or an
    // item's getter) must not write into the scratch this one fills.
    const scratch = reuse && !this.batchBusy;
    if (!scratch) return this.fillBatch(items, new Built.Uint8Array(256), false);
    this.batchBusy = true;
    try {
      return this.fillBatch(items, this.batchScratch, true);
    } finally {
      this.batchBusy = false;
    }
  }

  /** prepareMany() into `bytes` (the instance's batch scratch when `scratch`, kept if it grows). */
  private fillBatch(items: unknown, bytes: Uint8Array, scratch: boolean): Batch {
    let words = scratch ? this.batchScratch32 : new Built.Int32Array(bufferOf(bytes));
    // Each item starts on a word boundary: it is copied as words, here and into the ring.
    let end = 0;
    // An array says how many items come: size the buffer from the first one.
    const count = Array.isArray(items) ? items.length : 0;
    const lens: number[] = [];
    const sizes: number[] = [];
    const priorities: number[] = [];
    let need = 0;
    const maxsize = this.core.maxsize;
    const arena = this.core.arena;
    for (const item of items as Iterable<unknown>) {
      // The limits are checked as the iterable is consumed: a batch that can
      // never fit (an endless generator) throws here, at its first item too
      // many, without encoding the rest (for-of closes the iterator).
      if (maxsize > 0 && lens.length >= maxsize)
        throw new RangeError(`janus-queue: putMany() of more than ${maxsize} items can never fit a queue of maxsize ${maxsize}`);
      const one = this.prepare(item);
      if (need + one.need > arena)
        throw new RangeError(`janus-queue: putMany() items need more than ${arena} bytes of arena together, and the queue has ${arena} (maxBytes ${this.maxBytes}); put fewer at a time`);
      // Room for the item and the up to 3 bytes a word copy moves past it.
      // (Our own arrays, read and copied with the built-ins, src/copy.ts.)
      if (end + one.len + 3 > uint8Length(bytes)) {
        const guess = end === 0 && count > 0 ? wordEnd(0, one.len) * count : 0;
        // The items' bytes are fewer than the arena's (each record is larger than its item): never more.
        const size = Math.min(Math.max(end + one.len + 3, uint8Length(bytes) * 2, guess), arena + 8);
        const grown = new Built.Uint8Array(Math.ceil(size / 8) * 8);
        uint8Set(grown, viewOf(bytes, 0, end), 0);
        bytes = grown;
        words = new Built.Int32Array(bufferOf(grown));
      }
      copyIn(bytes, words, end, one.bytes, one.len);
      end = wordEnd(end, one.len);
      lens.push(one.len);
      sizes.push(one.need);
      priorities.push(one.priority);
      need += one.need;
    }
    // Keep the grown scratch for the next batch, unless it is huge.
    if (scratch && uint8Length(bytes) <= MAX_BATCH_SCRATCH) {
      this.batchScratch = bytes;
      this.batchScratch32 = words;
    }
    return { bytes, words, lens, sizes, priorities, need };
  }

  /** The item a get took (after the release, before this instance's next get): a `[priority, value]` pair in a priority queue. */
  decode(taken: Taken): unknown {
    const codec = this.codec;
    // Read before decoding: a get made meanwhile refills `taken`.
    const { bytes, len, priority } = taken;
    // A codec that keeps its bytes gets an array of its own, made here,
    // after the release, or readied before the get (Records.spare): after
    // two large items of one length in a row, the next get's is readied now.
    let value: unknown;
    if (codec.freshCopy) {
      value = codec.decode(taken.fresh ? bytes : copyOf(bytes, 0, len));
      if (len >= SPARE_MIN && len === this.lastLarge && len <= SPARE_MAX) this.core.spareFor(len);
      this.lastLarge = len;
    } else {
      // In place, with the scratch buffer lent (Records.lent): a get made
      // meanwhile by the caller's code copies elsewhere. (No helper taking a
      // closure: one per get was 112 B, the hot path's only allocation.)
      this.core.lendScratch(true);
      try {
        value = codec.decode(bytes, len);
      } finally {
        this.core.lendScratch(false);
      }
    }
    return this.priority ? [priority, value] : value;
  }

  /**
   * The items a getMany took, as decode() does each. An item that cannot be
   * decoded is dropped, as a get of it would have thrown and dropped it, and
   * the others are returned in order: one bad item never takes the good ones
   * of its batch along. If none decodes, the first item's error is thrown.
   */
  decodeMany(taken: TakenMany): unknown[] {
    const out: unknown[] = [];
    let error: unknown;
    let failed = false;
    this.decodeEach(
      taken,
      (value) => out.push(value),
      (e) => {
        if (!failed) error = e;
        failed = true;
      },
    );
    if (out.length === 0 && failed) throw error;
    return out;
  }

  /** Decodes each item a getMany took, in order, as decode() does: `ok` with its value or `failed` with its codec's error, per item. */
  decodeEach(taken: TakenMany, ok: (value: unknown) => void, failed: (error: unknown) => void): void {
    const { bytes, lens } = taken;
    const codec = this.codec;
    // Every item's bytes are taken out of the scratch buffer before any is
    // decoded: a custom codec's decode is the caller's code, which may get
    // from this queue again (and so refill the scratch buffer). A built-in
    // codec reads each item in place, from its offset, with the scratch
    // buffer lent (Records.lent): whatever code of the caller's runs
    // meanwhile (src/codec/intrinsics.ts, Built, keeps that to a minimum)
    // cannot make a get overwrite it.
    if (!codec.freshCopy) {
      this.core.lendScratch(true);
      try {
        return this.decodeAll(taken, undefined, ok, failed);
      } finally {
        this.core.lendScratch(false);
      }
    }
    const fresh = new Array<Uint8Array>(lens.length);
    for (let i = 0, at = 0; i < lens.length; at = wordEnd(at, lens[i++]!)) fresh[i] = copyOf(bytes, at, lens[i]!);
    this.decodeAll(taken, fresh, ok, failed);
  }

  /** decodeEach()'s loop: each item from `fresh` (its own copy) or in place. */
  private decodeAll(taken: TakenMany, fresh: Uint8Array[] | undefined, ok: (value: unknown) => void, failed: (error: unknown) => void): void {
    const { bytes, lens, priorities } = taken;
    const codec = this.codec;
    for (let i = 0, at = 0; i < lens.length; at = wordEnd(at, lens[i++]!)) {
      let value: unknown;
      try {
        value = fresh ? codec.decode(fresh[i]!) : codec.decode(bytes, lens[i]!, at);
      } catch (e) {
        failed(e);
        continue;
      }
      ok(this.priority ? [priorities[i], value] : value);
    }
  }
}
