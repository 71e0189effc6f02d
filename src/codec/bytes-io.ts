/**
 * A growable byte writer and a reader, shared by the built-in codecs. One
 * writer per encoder is reused for every item, so encoding allocates nothing
 * once the scratch buffer has grown to the largest item seen.
 *
 * A string is [u8 form][length][data]: form 0 is UTF-8 with a u8 byte count,
 * form 1 UTF-8 with a u32 byte count, form 2 UTF-16 code units with a u32
 * count, used only for strings with lone surrogates (which UTF-8 cannot
 * carry), so every string round-trips.
 */

import { tooLarge } from '../errors.js';
import { Built, bufferOf, uint8Length, uint8Set, viewOf, wordsOf } from './intrinsics.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const textDecode = TextDecoder.prototype.decode as (this: typeof decoder, input: Uint8Array) => string;
const SHRINK_ABOVE = 4 << 20;
/** Strings up to this many chars are written by a char loop; longer ones by TextEncoder.encodeInto. */
const LOOP_MAX = 32;
/** Node's (and Bun's) native UTF-8 decoder of a byte range, which skips TextDecoder's per-call cost; elsewhere TextDecoder. */
const utf8Slice = (globalThis as { Buffer?: { prototype?: { utf8Slice?: unknown } } }).Buffer?.prototype?.utf8Slice as
  | ((this: Uint8Array, start: number, end: number) => string)
  | undefined;

/** Node's (and Bun's) native UTF-8 encoder into a byte range: no view to make, unlike TextEncoder.encodeInto. */
const utf8Write = (globalThis as { Buffer?: { prototype?: { utf8Write?: unknown } } }).Buffer?.prototype?.utf8Write as
  | ((this: Uint8Array, s: string, offset: number, length: number) => number)
  | undefined;

const UTF8_SHORT = 0;
const UTF8_LONG = 1;
const UTF16 = 2;

/** A float64 read or written through its 8 bytes, in the platform's order (little-endian on every platform JavaScript engines run on). */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

export class Writer {
  // Made with the constructors captured at load (intrinsics.ts, Built): a
  // replaced global Uint8Array could return a view into a pool, and `words`
  // must cover exactly `buf`'s bytes.
  buf: Uint8Array = new Built.Uint8Array(256);
  /** The same bytes as int32s (`buf` is always a whole buffer of its own), for a shape's block at a 4-byte boundary. */
  words = new Built.Int32Array(bufferOf(this.buf));
  pos = 0;

  /** The most bytes the item may take; writing past it is a RangeError (see over()). */
  limit = Infinity;

  reset(limit = Infinity): void {
    this.pos = 0;
    this.limit = limit;
    // Do not keep a huge scratch buffer alive after one huge item.
    if (this.buf.length > SHRINK_ABOVE) this.grow(256, 0);
  }

  /**
   * Throws once more than `limit` bytes were written: loops call it per
   * element, so a value that can never fit (a sparse array of length 1e9,
   * say) fails after about `limit` bytes of work, not after encoding it all.
   */
  over(): void {
    if (this.pos > this.limit) throw tooLarge(this.limit);
  }

  /** A new buffer of `size` bytes, with the first `keep` bytes of the old one. */
  private grow(size: number, keep: number): void {
    const next = new Built.Uint8Array(size);
    uint8Set(next, viewOf(this.buf, 0, Math.min(keep, size)), 0);
    this.buf = next;
    this.words = new Built.Int32Array(bufferOf(next));
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need > this.buf.length) this.growTo(need);
  }

  /** Makes `buf` at least `need` bytes long, keeping all its bytes (a shape's function may have written past `pos`). */
  growTo(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    this.grow(size, this.buf.length);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Two bytes: a tag and a byte. */
  u8u8(a: number, b: number): void {
    this.ensure(2);
    this.buf[this.pos] = a;
    this.buf[this.pos + 1] = b;
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.put32(this.pos, v);
    this.pos += 4;
  }

  private put32(at: number, v: number): void {
    const b = this.buf;
    b[at] = v;
    b[at + 1] = v >> 8;
    b[at + 2] = v >> 16;
    b[at + 3] = v >> 24;
  }

  /** Rewrites the u32 at `at` (a count known only once its items are written). */
  patchU32(at: number, v: number): void {
    this.put32(at, v);
  }

  /** A tag byte and an int32. */
  tagI32(tag: number, v: number): void {
    this.ensure(5);
    this.buf[this.pos] = tag;
    this.put32(this.pos + 1, v);
    this.pos += 5;
  }

  /** A tag byte and a float64. */
  tagF64(tag: number, v: number): void {
    this.ensure(9);
    this.buf[this.pos] = tag;
    this.put64(this.pos + 1, v);
    this.pos += 9;
  }

  f64(v: number): void {
    this.ensure(8);
    this.put64(this.pos, v);
    this.pos += 8;
  }

  private put64(at: number, v: number): void {
    f64[0] = v;
    const b = this.buf;
    for (let j = 0; j < 8; j++) b[at + j] = f64Bytes[j]!;
  }

  /** The bytes of `src`, a short array of ours (a shape's block): a byte loop costs less than a call to set() for a few bytes. */
  small(src: Uint8Array): void {
    const n = src.length;
    this.ensure(n);
    const b = this.buf;
    const p = this.pos;
    for (let j = 0; j < n; j++) b[p + j] = src[j]!;
    this.pos = p + n;
  }

  /** The bytes of `src`, a real Uint8Array (its length and bytes read through the built-ins). */
  bytes(src: Uint8Array): void {
    const n = uint8Length(src);
    this.ensure(n);
    uint8Set(this.buf, src, this.pos);
    this.pos += n;
  }

  /** A string (see the top of this file), optionally after a tag byte (tag < 0: none). */
  string(s: string, tag = -1): void {
    this.pos = this.stringAt(s, tag, this.pos);
  }

  /**
   * string() at `p` instead of `pos` (which it leaves alone): the position
   * after the string. It may replace `buf` with a larger one (a caller that
   * keeps `buf` in a local reads it again). For the functions a shape makes,
   * which keep their position in a local.
   */
  stringAt(s: string, tag: number, p: number): number {
    const n = s.length;
    // Each char takes a byte or more: a string longer than the limit can never fit.
    if (n > this.limit) throw tooLarge(this.limit);
    if (p + 6 + n * 3 > this.buf.length) this.growTo(p + 6 + n * 3);
    const buf = this.buf;
    if (tag >= 0) buf[p++] = tag;
    const short = n * 3 <= 255;
    const start = p + (short ? 2 : 5);
    let i = 0;
    if (n <= LOOP_MAX) {
      // ASCII fast path: most keys and short values are ASCII, and a byte
      // loop beats TextEncoder's per-call cost for short strings.
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) return this.endUtf8(p, short, start, n);
    }
    if (utf8Write !== undefined) {
      // Written first: as many bytes as chars means every char was ASCII, so
      // no lone surrogate (which would take 3), and the check is skipped.
      const bytes = utf8Write.call(buf, s, start, buf.length - start);
      return bytes === n || isWellFormed(s) ? this.endUtf8(p, short, start, bytes) : this.utf16(s, p);
    }
    if (!isWellFormed(s)) return this.utf16(s, p);
    const { written } = encoder.encodeInto(i === 0 ? s : s.slice(i), viewOf(buf, start + i, uint8Length(buf) - start - i));
    return this.endUtf8(p, short, start, i + written);
  }

  /** The form and byte count at `p`; the position after the bytes (past the limit: a RangeError). */
  private endUtf8(p: number, short: boolean, start: number, bytes: number): number {
    if (short) {
      this.buf[p] = UTF8_SHORT;
      this.buf[p + 1] = bytes;
    } else {
      this.buf[p] = UTF8_LONG;
      this.put32(p + 1, bytes);
    }
    return this.overAt(start + bytes);
  }

  private utf16(s: string, p: number): number {
    const n = s.length;
    if (p + 5 + n * 2 > this.buf.length) this.growTo(p + 5 + n * 2);
    const b = this.buf;
    b[p] = UTF16;
    this.put32(p + 1, n);
    p += 5;
    for (let j = 0; j < n; j++, p += 2) {
      const c = s.charCodeAt(j);
      b[p] = c;
      b[p + 1] = c >> 8;
    }
    return this.overAt(p);
  }

  /** `p`, once checked to be within the limit. */
  overAt(p: number): number {
    if (p > this.limit) throw tooLarge(this.limit);
    return p;
  }

  /** The bytes written so far: a view of the scratch buffer, valid until the next write. */
  result(): Uint8Array {
    return viewOf(this.buf, 0, this.pos);
  }
}

const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** Whether `s` has no lone surrogate (then UTF-8 carries it exactly). */
export function isWellFormed(s: string): boolean {
  if (nativeWellFormed) return nativeWellFormed.call(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

export class Reader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  /** Where the item's bytes end: they are buf[start … end). */
  end = 0;

  reset(bytes: Uint8Array, len = bytes.length, start = 0): void {
    this.buf = bytes;
    this.pos = start;
    this.end = start + len;
  }

  private wordsFor: Uint8Array | undefined;
  /** wordsOf(wordsFor); null: not a 4-byte boundary; undefined: not made yet. */
  private w32: Int32Array | null | undefined;

  /**
   * wordsOf(buf), made at the second item in a row from the same buffer (a
   * queue decodes from its scratch buffer each time); undefined before that,
   * so a decoder given a new buffer for each item makes no view for it.
   */
  words(): Int32Array | undefined {
    const b = this.buf;
    if (b !== this.wordsFor) {
      this.wordsFor = b;
      this.w32 = undefined;
      return undefined;
    }
    if (this.w32 === undefined) this.w32 = wordsOf(b) ?? null;
    return this.w32 ?? undefined;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw new TypeError('janus-queue: truncated or corrupted item bytes');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    return this.i32() >>> 0;
  }

  i32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  f64(): number {
    this.need(8);
    const b = this.buf;
    const p = this.pos;
    for (let j = 0; j < 8; j++) f64Bytes[j] = b[p + j]!;
    this.pos = p + 8;
    return f64[0]!;
  }

  string(): string {
    // The common form first, with one bounds check for its two bytes.
    const b = this.buf;
    const p = this.pos;
    if (p + 2 <= this.end && b[p] === UTF8_SHORT) {
      const n = b[p + 1]!;
      const start = p + 2;
      if (start + n > this.end) throw new TypeError('janus-queue: truncated or corrupted item bytes');
      this.pos = start + n;
      return utf8(b, start, n);
    }
    const form = this.u8();
    let n: number;
    if (form === UTF8_SHORT) n = this.u8();
    else if (form === UTF8_LONG) n = this.u32();
    else if (form === UTF16) {
      n = this.u32();
      this.need(n * 2);
      let s = '';
      const b = this.buf;
      for (let j = 0; j < n; j++, this.pos += 2) s += Built.fromCharCode(b[this.pos]! | (b[this.pos + 1]! << 8));
      return s;
    } else throw new TypeError('janus-queue: corrupted string in item bytes');
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return utf8(this.buf, start, n);
  }
}

/** The string of the UTF-8 bytes buf[start … start+n). */
export function utf8(buf: Uint8Array, start: number, n: number): string {
  // Short ASCII: String.fromCharCode with the bytes as arguments costs less
  // than any decoder call (up to 12 chars, about half), one call for each.
  if (n <= 12) {
    const s = ascii(buf, start, n);
    if (s !== undefined) return s;
  }
  if (utf8Slice) return utf8Slice.call(buf, start, start + n);
  return textDecode.call(decoder, viewOf(buf, start, n));
}

const C = Built.fromCharCode;

/** The string of the n <= 12 bytes at b[p] if they are all ASCII, else undefined: one check of them all (or'ed), then one call. */
function ascii(b: Uint8Array, p: number, n: number): string | undefined {
  let a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
  switch (n) {
    case 0: return '';
    case 1: return (a0 = b[p]!) < 0x80 ? C(a0) : undefined;
    case 2: return ((a0 = b[p]!) | (a1 = b[p + 1]!)) < 0x80 ? C(a0, a1) : undefined;
    case 3: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!)) < 0x80 ? C(a0, a1, a2) : undefined;
    case 4: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!)) < 0x80 ? C(a0, a1, a2, a3) : undefined;
    case 5: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!)) < 0x80 ? C(a0, a1, a2, a3, a4) : undefined;
    case 6: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!) | (a5 = b[p + 5]!)) < 0x80 ? C(a0, a1, a2, a3, a4, a5) : undefined;
    case 7: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!) | (a5 = b[p + 5]!) | (a6 = b[p + 6]!)) < 0x80 ? C(a0, a1, a2, a3, a4, a5, a6) : undefined;
    case 8: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!) | (a5 = b[p + 5]!) | (a6 = b[p + 6]!) | (a7 = b[p + 7]!)) < 0x80 ? C(a0, a1, a2, a3, a4, a5, a6, a7) : undefined;
    case 9: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!) | (a5 = b[p + 5]!) | (a6 = b[p + 6]!) | (a7 = b[p + 7]!) | (a8 = b[p + 8]!)) < 0x80 ? C(a0, a1, a2, a3, a4, a5, a6, a7, a8) : undefined;
    case 10: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!) | (a5 = b[p + 5]!) | (a6 = b[p + 6]!) | (a7 = b[p + 7]!) | (a8 = b[p + 8]!) | (a9 = b[p + 9]!)) < 0x80 ? C(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9) : undefined;
    case 11: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!) | (a5 = b[p + 5]!) | (a6 = b[p + 6]!) | (a7 = b[p + 7]!) | (a8 = b[p + 8]!) | (a9 = b[p + 9]!) | (a10 = b[p + 10]!)) < 0x80 ? C(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) : undefined;
    default: return ((a0 = b[p]!) | (a1 = b[p + 1]!) | (a2 = b[p + 2]!) | (a3 = b[p + 3]!) | (a4 = b[p + 4]!) | (a5 = b[p + 5]!) | (a6 = b[p + 6]!) | (a7 = b[p + 7]!) | (a8 = b[p + 8]!) | (a9 = b[p + 9]!) | (a10 = b[p + 10]!) | (a11 = b[p + 11]!)) < 0x80 ? C(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) : undefined;
  }
}
