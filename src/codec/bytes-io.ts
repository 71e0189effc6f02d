/**
 * A growable byte writer and a reader, shared by the built-in codecs. One
 * writer per queue instance is reused for every item, so encoding allocates
 * nothing once the scratch buffer has grown to the largest item seen.
 */

import { tooLarge } from '../errors.js';

const encoder = new TextEncoder();
const SHRINK_ABOVE = 4 << 20;
/** Strings longer than this are encoded by TextEncoder.encodeInto, shorter ones by a byte loop. */
const LONG = 32;
const decoder = new TextDecoder();
/** Strings up to this many bytes are decoded without TextDecoder when ASCII. */
const SHORT = 24;
/** Keys up to this many bytes are cached, in this many slots (a power of two). */
const KEY_MAX = 32;
const KEY_SLOTS = 256;

export class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  pos = 0;

  /** The most bytes the item may take; writing past it is a RangeError (see over()). */
  limit = Infinity;

  reset(limit = Infinity): void {
    this.pos = 0;
    this.limit = limit;
    // Do not keep a huge scratch buffer alive after one huge item.
    if (this.buf.length > SHRINK_ABOVE) this.grow(256);
  }

  /**
   * Throws once more than `limit` bytes were written: loops call it per
   * element, so a value that can never fit (a sparse array of length 1e9,
   * say) fails after about `limit` bytes of work, not after encoding it all.
   */
  over(): void {
    if (this.pos > this.limit) throw tooLarge(this.limit);
  }

  private grow(size: number): void {
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, Math.min(this.pos, size)));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    this.grow(size);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /**
   * A string as [u8 form][u32 count][data]: form 0 is UTF-8 (count = bytes),
   * form 1 is UTF-16 code units (count = units), used only for strings with
   * lone surrogates, which UTF-8 cannot carry, so every string round-trips.
   */
  string(s: string): void {
    const n = s.length;
    this.ensure(5 + n * 3);
    const buf = this.buf;
    const start = this.pos + 5;
    let i = 0;
    // Longer strings: TextEncoder's native encodeInto beats a char loop
    // (which also walks a concatenated string slowly), when the string is
    // well formed (encodeInto would replace a lone surrogate).
    if (n > LONG && isWellFormed(s)) {
      const { written } = encoder.encodeInto(s, buf.subarray(start));
      buf[this.pos] = 0;
      this.view.setUint32(this.pos + 1, written, true);
      this.pos = start + written;
      return;
    }
    // ASCII fast path: most keys and many values are ASCII, and a byte loop
    // beats TextEncoder for short strings.
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === n) {
      buf[this.pos] = 0;
      this.view.setUint32(this.pos + 1, n, true);
      this.pos = start + n;
      return;
    }
    if (!isWellFormed(s)) {
      this.ensure(5 + n * 2);
      this.buf[this.pos] = 1;
      this.view.setUint32(this.pos + 1, n, true);
      let p = this.pos + 5;
      for (let j = 0; j < n; j++, p += 2) this.view.setUint16(p, s.charCodeAt(j), true);
      this.pos = p;
      return;
    }
    const { written } = encoder.encodeInto(s.slice(i), buf.subarray(start + i));
    buf[this.pos] = 0;
    this.view.setUint32(this.pos + 1, i + written, true);
    this.pos = start + i + written;
  }

  /** The bytes written so far: a view of the scratch buffer, valid until the next write. */
  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function isWellFormed(s: string): boolean {
  const native = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (native) return native.call(s);
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
  view = new DataView(this.buf.buffer);
  pos = 0;

  reset(bytes: Uint8Array): void {
    // Items are usually read from the same scratch buffer: keep its DataView.
    if (bytes.buffer !== this.view.buffer || bytes.byteOffset !== this.view.byteOffset || bytes.byteLength > this.view.byteLength)
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = bytes;
    this.pos = 0;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new TypeError('janus-queue: truncated or corrupted item bytes');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const form = this.u8();
    const n = this.u32();
    if (form === 1) {
      this.need(n * 2);
      let s = '';
      for (let j = 0; j < n; j++, this.pos += 2) s += String.fromCharCode(this.view.getUint16(this.pos, true));
      return s;
    }
    if (form !== 0) throw new TypeError('janus-queue: corrupted string in item bytes');
    this.need(n);
    const start = this.pos;
    this.pos += n;
    // Short ASCII strings: one String.fromCharCode over the bytes beats both
    // a TextDecoder call and building the string a char at a time (which
    // allocates a string per char); longer or non-ASCII ones go to TextDecoder.
    const buf = this.buf;
    if (n <= SHORT) {
      let j = start;
      while (j < start + n && buf[j]! < 0x80) j++;
      if (j === start + n) return String.fromCharCode.apply(null, buf.subarray(start, start + n) as unknown as number[]);
    }
    return decoder.decode(buf.subarray(start, start + n));
  }

  /**
   * An object key: a string, as string() reads it, but a short ASCII key
   * seen before comes from a small cache instead of being built again (an
   * item's keys are usually the same as the last item's), so decoding an
   * object allocates nothing for its keys.
   */
  key(): string {
    const buf = this.buf;
    const at = this.pos;
    if (at + 5 > buf.length || buf[at] !== 0) return this.string();
    const n = this.view.getUint32(at + 1, true);
    const start = at + 5;
    if (n > KEY_MAX || start + n > buf.length) return this.string();
    let h = n;
    for (let j = start; j < start + n; j++) {
      const c = buf[j]!;
      if (c >= 0x80) return this.string();
      h = (Math.imul(h, 31) + c) | 0;
    }
    const slot = h & (KEY_SLOTS - 1);
    const cached = this.keys[slot];
    if (cached !== undefined && cached.length === n) {
      let same = true;
      for (let j = 0; j < n; j++) {
        if (cached.charCodeAt(j) !== buf[start + j]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.pos = start + n;
        return cached;
      }
    }
    const k = this.string();
    this.keys[slot] = k;
    return k;
  }

  private readonly keys: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
}
