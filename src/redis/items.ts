import { type WireCodec, describe, makeCodec } from '../codec/index.js';

/** Redis's largest string (512 MiB): the most bytes an encoded item may take. */
const MAX_BYTES = 512 * 1024 * 1024;

/**
 * Items to bytes and back, for both faces (the sync face encodes in the
 * calling thread, so a custom codec never has to travel). In a priority
 * queue an item is `[priority, value]`: the priority becomes the score, the
 * value is encoded.
 */
export class Items<T> {
  private readonly codec: WireCodec;

  /** `codec`: the option as given (checked by makeCodec). */
  constructor(
    codec: unknown,
    private readonly priority: boolean,
  ) {
    this.codec = makeCodec(codec);
  }

  /** [score, a fresh copy of the bytes]; TypeError / RangeError for an item the queue cannot carry. */
  encode(item: T): [number, Uint8Array] {
    let score = 0;
    let value: unknown = item;
    if (this.priority) {
      if (!Array.isArray(item) || item.length !== 2) throw new TypeError(`janus-queue: a priority queue's item must be a [priority, value] pair, got ${describe(item)}`);
      score = item[0];
      value = item[1];
      if (typeof score !== 'number' || Number.isNaN(score)) throw new TypeError(`janus-queue: a priority must be a number (not NaN), got ${describe(score)}`);
    }
    // The codec's output may be a view of its scratch buffer: copy it.
    return [score, new Uint8Array(this.codec.encode(value, MAX_BYTES))];
  }

  encodeAll(items: Iterable<T>): [number, Uint8Array][] {
    if (items === null || typeof (items as any)?.[Symbol.iterator] !== 'function') throw new TypeError(`janus-queue: putMany() needs an iterable, got ${describe(items)}`);
    const out: [number, Uint8Array][] = [];
    for (const item of items) out.push(this.encode(item));
    return out;
  }

  decode(bytes: Uint8Array, score: number): T {
    // A plain Uint8Array that the decoder may keep (a Buffer from the socket may share its memory).
    const value = this.codec.decode(new Uint8Array(bytes));
    return (this.priority ? [score, value] : value) as T;
  }
}

/** A Redis score as a number ('inf' and '-inf' included); '' (not a priority queue) is 0. */
export function parseScore(s: string): number {
  if (s === '') return 0;
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}
