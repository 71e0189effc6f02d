import { Reader, Writer } from './bytes-io.js';
import { StructuredDecoder } from './structured-decode.js';
import { StructuredEncoder } from './structured-encode.js';
import { isUint8Array, uint8Length } from './intrinsics.js';

/**
 * A custom codec: how items become bytes and back. Give it at construction
 * and again at every `attach` (functions cannot travel with the handle).
 *
 * @example
 * ```ts
 * const dates: Codec<Date> = {
 *   encode: (d) => new TextEncoder().encode(d.toISOString()),
 *   decode: (b) => new Date(new TextDecoder().decode(b)),
 * };
 * const q = new Queue<Date>({ codec: dates });
 * // in the worker:
 * const same = Queue.attach<Date>(workerData, { codec: dates });
 * ```
 */
export interface Codec<T> {
  /**
   * Turns an item into bytes, at `put`. Called before the queue is touched:
   * an exception it throws propagates from `put` unchanged and leaves the
   * queue as it was. Returning anything but a `Uint8Array` is a `TypeError`.
   */
  encode(value: T): Uint8Array;
  /** Turns an item's bytes back into the item, at `get`. It gets a fresh copy of the bytes, which it may keep. */
  decode(bytes: Uint8Array): T;
}

/**
 * The built-in codecs, which travel with the handle:
 * - `'structured'` (the default): what `structuredClone` accepts (objects,
 *   arrays, Map, Set, Date, RegExp, BigInt, typed arrays, cycles, …), in Node
 *   and in browsers;
 * - `'json'`: `JSON.stringify` / `JSON.parse`;
 * - `'bytes'`: `Uint8Array` in, a fresh `Uint8Array` out (no serialisation);
 * - `'string'`: strings only, no coercion.
 *
 * A value the codec cannot carry is a `TypeError` at `put`.
 */
export type CodecName = 'structured' | 'json' | 'bytes' | 'string';

/** The codec word of the buffer's header: a codec's id is its place here, from 1. */
const CODEC_ORDER = ['structured', 'json', 'bytes', 'string', 'custom'] as const;

export const CODEC_IDS = Object.fromEntries(CODEC_ORDER.map((name, i) => [name, i + 1])) as Record<CodecName | 'custom', number>;

/** The codec's name for an id (undefined for a word no codec writes). */
export const codecName = (id: number): CodecName | 'custom' | undefined => CODEC_ORDER[id - 1];

/**
 * What a queue instance uses to turn items into bytes and back. `encode` may
 * return a view of a scratch buffer that is valid until its next call.
 * `decode` gets the item's bytes outside shared memory; when `freshCopy` is
 * true the bytes are a fresh array the decoder may keep, else a scratch view
 * it must not keep.
 */
export interface WireCodec {
  readonly id: number;
  readonly freshCopy: boolean;
  /** `limit`: the most bytes the item may take (maxBytes); a codec may stop early with a RangeError past it. */
  encode(value: unknown, limit: number): Uint8Array;
  /**
   * encode() without making a view (the queue's hot path): the item's byte
   * length, its bytes at the start of `out` as it is right after the call
   * (the codec's scratch buffer, or the array encode() returned).
   */
  encodeLen(value: unknown, limit: number): number;
  readonly out: Uint8Array;
  /** The item in `bytes[start … start + len)` (`len` defaults to the whole array, `start` to 0; a freshCopy codec always gets an array of exactly its bytes). */
  decode(bytes: Uint8Array, len?: number, start?: number): unknown;
}

/** encodeLen() and `out` for a codec whose encode() returns a whole array: its length read through the intrinsic getter. */
function whole(codec: Pick<WireCodec, 'id' | 'freshCopy' | 'encode' | 'decode'>): WireCodec {
  let out: Uint8Array = EMPTY;
  return {
    ...codec,
    encodeLen(v, limit) {
      out = codec.encode(v, limit);
      return uint8Length(out);
    },
    get out() {
      return out;
    },
  };
}

const EMPTY = new Uint8Array(0);

function structured(): WireCodec {
  const enc = new StructuredEncoder();
  const dec = new StructuredDecoder();
  return {
    id: CODEC_IDS.structured,
    freshCopy: false,
    encode: (v, limit) => enc.encode(v, limit),
    encodeLen: (v, limit) => enc.encodeLen(v, limit),
    get out() {
      return enc.out;
    },
    decode: (b, len, start) => dec.decode(b, len, start),
  };
}

function stringCodec(id: number, toText: (v: unknown) => string, fromText: (s: string) => unknown): WireCodec {
  const w = new Writer();
  const r = new Reader();
  const encodeLen = (v: unknown, limit: number): number => {
    const text = toText(v);
    w.reset(limit);
    w.string(text);
    w.over();
    return w.pos;
  };
  return {
    id,
    freshCopy: false,
    encode: (v, limit) => w.buf.subarray(0, encodeLen(v, limit)),
    encodeLen,
    get out() {
      return w.buf;
    },
    decode(b, len, start) {
      r.reset(b, len, start);
      return fromText(r.string());
    },
  };
}

/** Captured at load, as the structured decoder's built-ins are (intrinsics.ts, Built). */
const parseJson = JSON.parse;

const json = (): WireCodec =>
  stringCodec(
    CODEC_IDS.json,
    (v) => {
      const text = JSON.stringify(v);
      if (typeof text !== 'string') throw new TypeError(`janus-queue: the json codec cannot encode ${describe(v)}`);
      return text;
    },
    (s) => {
      try {
        return parseJson(s);
      } catch (e) {
        // JSON.stringify's output always parses: these bytes were changed in the buffer.
        throw new TypeError('janus-queue: corrupted item bytes (not JSON)', { cause: e });
      }
    },
  );

const string = (): WireCodec =>
  stringCodec(
    CODEC_IDS.string,
    (v) => {
      if (typeof v !== 'string') throw new TypeError(`janus-queue: the string codec takes strings only, got ${describe(v)}`);
      return v;
    },
    (s) => s,
  );

const bytes = (): WireCodec =>
  whole({
    id: CODEC_IDS.bytes,
    freshCopy: true,
    encode(v) {
      if (!isUint8Array(v)) throw new TypeError(`janus-queue: the bytes codec takes a Uint8Array, got ${describe(v)}`);
      return v;
    },
    decode: (b) => b,
  });

function custom(codec: Codec<unknown>): WireCodec {
  return whole({
    id: CODEC_IDS.custom,
    freshCopy: true,
    encode(v) {
      const out = codec.encode(v);
      if (!isUint8Array(out)) throw new TypeError(`janus-queue: the custom codec's encode() must return a Uint8Array, it returned ${describe(out)}`);
      return out;
    },
    decode: (b) => codec.decode(b),
  });
}

export function isCustomCodec(c: unknown): c is Codec<unknown> {
  return typeof c === 'object' && c !== null && typeof (c as Codec<unknown>).encode === 'function' && typeof (c as Codec<unknown>).decode === 'function';
}

/** Resolves the `codec` option; throws a TypeError naming the option when it is neither a built-in name nor a codec. */
export function makeCodec(option: unknown): WireCodec {
  switch (option) {
    case undefined:
    case 'structured':
      return structured();
    case 'json':
      return json();
    case 'bytes':
      return bytes();
    case 'string':
      return string();
  }
  if (isCustomCodec(option)) return custom(option);
  throw new TypeError(`janus-queue: option "codec" must be 'structured', 'json', 'bytes', 'string' or { encode, decode }, got ${describe(option)}`);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'object') return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)})`;
  return `${typeof v} ${String(v)}`;
}
