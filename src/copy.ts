import { Built, bufferOf, byteOffsetOf, uint8Length, uint8Set, viewOf } from './codec/intrinsics.js';

/**
 * Copies of item bytes between a thread's own buffers and the queue's shared
 * memory, the hot path's only byte work besides the codec. Measured here
 * (docs/performance.md): a loop over a Uint8Array costs about 3 ns a byte,
 * `set()` of a view about 100 ns (most of it making the view, which is also
 * an allocation), a loop of Int32 words about 0.8 ns a byte; so items up to
 * WORDS_MAX bytes go word by word and make nothing, longer ones by `set()`.
 * A word copy may move up to 3 bytes past the item: inside a record's
 * padding in the arena (records are 8-byte aligned) and inside our own
 * scratch buffers (their lengths are multiples of 8). A caller's array is
 * measured through the intrinsic getter (uint8Length: an own `length` cannot
 * lie). Every other read and copy goes through the intrinsics too (set(),
 * a view made from the internal slots, no `subarray`, whose species a caller
 * can replace): these run with the lock held, where no code of the caller
 * may run (a patched built-in that calls the queue).
 */

/** Up to this many bytes an item is copied as Int32 words. */
export const WORDS_MAX = 128;

/** The last source array copyIn() copied word by word (a codec's scratch buffer: it changes only when it grows), and its Int32 view. */
let srcView: Uint8Array | undefined;
let src32: Int32Array | undefined;

/**
 * Copies the first `len` bytes of `src` into `dst` (whose Int32 view is
 * `dst32`) at byte `at`: all of a caller's array (its length read through
 * the intrinsic), or the start of a codec's scratch buffer.
 */
export function copyIn(dst: Uint8Array, dst32: Int32Array, at: number, src: Uint8Array, len: number): void {
  if (len === uint8Length(src)) return uint8Set(dst, src, at);
  if (len <= WORDS_MAX && (at & 3) === 0 && byteOffsetOf(src) === 0) {
    if (src !== srcView) {
      srcView = src;
      const n = uint8Length(src);
      src32 = (n & 7) === 0 ? new Built.Int32Array(bufferOf(src), 0, n >> 2) : undefined;
    }
    if (src32 !== undefined) {
      const s = src32;
      const a = at >> 2;
      for (let j = 0, n = (len + 3) >> 2; j < n; j++) dst32[a + j] = s[j]!;
      return;
    }
  }
  uint8Set(dst, viewOf(src, 0, len), at);
}

/** Where an item of `len` bytes ends in a batch, whose items start on 4-byte boundaries (so that each is copied as words). */
export const wordEnd = (at: number, len: number): number => (at + len + 3) & ~3;

/**
 * Copies `len` bytes from byte `from` of `src` (whose Int32 view is `src32`)
 * to byte `to` of `dst` (`dst32`), all our own buffers (shared memory, a
 * scratch or batch buffer): as words when both ends are 4-aligned and the
 * item is short (the last word may move up to 3 bytes past it, inside a
 * record's padding or the word-rounded room of a batch or scratch buffer),
 * else by `set()` of a view.
 */
export function copyAt(dst: Uint8Array, dst32: Int32Array, to: number, src: Uint8Array, src32: Int32Array, from: number, len: number): void {
  if (len > WORDS_MAX || ((to | from) & 3) !== 0) return uint8Set(dst, viewOf(src, from, len), to);
  const t = to >> 2;
  const f = from >> 2;
  for (let j = 0, n = (len + 3) >> 2; j < n; j++) dst32[t + j] = src32[f + j]!;
}
