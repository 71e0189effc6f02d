import type { WireCodec } from './codec/index.js';
import { describe } from './codec/index.js';
import { type Batch, Core } from './core.js';
import { tooLarge } from './errors.js';
import { KIND_PRIORITY, MAX_BYTES } from './layout.js';

/** An item ready to enter the queue: its bytes (maybe a scratch view), priority and record size. */
export interface Prepared {
  bytes: Uint8Array;
  /** The byte length of `bytes`, read through the intrinsic getter (an own `length` property cannot lie about it). */
  len: number;
  priority: number;
  need: number;
}

/** The largest batch buffer an instance keeps between syncQ.putMany calls. */
const MAX_BATCH_SCRATCH = 4 << 20;

const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'length')!.get!;

/**
 * What both faces of one attached instance share: the core, the codec, and
 * the item rules that come before and after the lock (encoding, size and
 * priority checks, decoding). Nothing here waits.
 */
export class Shared {
  readonly core: Core;
  private readonly priority: boolean;
  private readonly maxBytes: number;
  private batchScratch = new Uint8Array(256);
  private readonly prepared: Prepared = { bytes: new Uint8Array(0), len: 0, priority: 0, need: 0 };

  constructor(
    buffer: SharedArrayBuffer,
    readonly codec: WireCodec,
  ) {
    this.core = new Core(buffer, codec.freshCopy);
    this.priority = this.core.kind === KIND_PRIORITY;
    this.maxBytes = this.core.w[MAX_BYTES]!;
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
    const bytes = this.codec.encode(value, this.maxBytes);
    const len = typedArrayLength.call(bytes) as number;
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
    let bytes = reuse ? this.batchScratch : new Uint8Array(256);
    let end = 0;
    // An array says how many items come: size the buffer from the first one.
    const count = Array.isArray(items) ? items.length : 0;
    const lens: number[] = [];
    const sizes: number[] = [];
    const priorities: number[] = [];
    let need = 0;
    for (const item of items as Iterable<unknown>) {
      const one = this.prepare(item);
      if (end + one.len > bytes.length) {
        const guess = end === 0 && count > 0 ? one.len * count : 0;
        const grown = new Uint8Array(Math.max(end + one.len, bytes.length * 2, guess));
        grown.set(bytes.subarray(0, end));
        bytes = grown;
      }
      bytes.set(one.bytes, end);
      end += one.len;
      lens.push(one.len);
      sizes.push(one.need);
      priorities.push(one.priority);
      need += one.need;
    }
    const maxsize = this.core.maxsize;
    if (maxsize > 0 && lens.length > maxsize)
      throw new RangeError(`janus-queue: putMany() of ${lens.length} items can never fit a queue of maxsize ${maxsize}`);
    if (need > this.core.arena)
      throw new RangeError(`janus-queue: putMany() items need ${need} bytes of arena together, and the queue has ${this.core.arena} (maxBytes ${this.maxBytes}); put fewer at a time`);
    // Keep the grown scratch for the next batch, unless it is huge.
    if (reuse && bytes.length <= MAX_BATCH_SCRATCH) this.batchScratch = bytes;
    return { bytes: bytes.subarray(0, end), lens, sizes, priorities, need };
  }

  /** Decodes the items the last getManyLocked() took. Call after unlocking. */
  takenMany(): unknown[] {
    const { takenMany, takenPriorities } = this.core;
    const out = new Array<unknown>(takenMany.length);
    for (let i = 0; i < takenMany.length; i++) {
      const value = this.codec.decode(takenMany[i]!);
      out[i] = this.priority ? [takenPriorities[i], value] : value;
    }
    return out;
  }

  /** Decodes the item the last getLocked() took. Call after unlocking. */
  taken(): unknown {
    const value = this.codec.decode(this.core.taken);
    return this.priority ? [this.core.takenPriority, value] : value;
  }

  maxsize(): number {
    return this.core.maxsize;
  }

  full(): boolean {
    const m = this.core.maxsize;
    return m > 0 && this.core.count() >= m;
  }
}

/** A timeout option, checked: undefined and Infinity mean no limit; negative or NaN is a RangeError. */
export function checkTimeout(timeout: unknown, what: string): number {
  if (timeout === undefined || timeout === Infinity) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)
    throw new RangeError(`janus-queue: ${what} timeout must be a number of milliseconds >= 0, got ${describe(timeout)}`);
  return timeout;
}

/**
 * A put's timeout: on a queue unbounded by count an invalid one is ignored,
 * as in Python (the queue can still be full by bytes; then it waits without limit).
 */
export function putTimeout(timeout: unknown, maxsize: number): number {
  if (maxsize > 0) return checkTimeout(timeout, 'put()');
  try {
    return checkTimeout(timeout, 'put()');
  } catch {
    return Infinity;
  }
}

/** getMany's `max`: an integer >= 1. */
export function checkMax(max: unknown): number {
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    throw new (typeof max === 'number' ? RangeError : TypeError)(`janus-queue: getMany() max must be an integer >= 1, got ${describe(max)}`);
  return max;
}

export const now = (): number => performance.now();
