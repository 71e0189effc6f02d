import { isWellFormed, utf8 } from './bytes-io.js';
import { Built, uint8Set, viewOf } from './intrinsics.js';
import type { Reader, Writer } from './bytes-io.js';
import { ABSENT, INT32, SHAPE, STRING, UINT8 } from './structured-format.js';

/**
 * Shapes: the key lists of plain objects, so that an object of a shape seen
 * before is written as its shape's key block (copied whole, a memcpy) and its
 * values, and read back by a function made for that shape, which builds the
 * object as one literal (every key a fast, fixed property) instead of adding
 * keys one by one.
 *
 * The block travels in every item: no dictionary is shared between threads,
 * so there is nothing to publish, to fill up, or to repair after a dead
 * thread, and any thread decodes any item on its own. A decoder recognises a
 * block it has seen by a hash and a byte compare (docs/design.md, "Codecs").
 *
 * Block: [u16 byte length of the rest][u8 key count][per key: u8 byte length, UTF-8].
 */

/** Objects with more keys than this, or a key longer than KEY_BYTES, are written key by key. */
export const SHAPE_KEYS = 64;
const KEY_BYTES = 255;
/** At most this many trie nodes per encoder: objects used as dictionaries (many distinct key sets) do not grow it for ever. */
const MAX_NODES = 4096;

const encoder = new TextEncoder();

/** What a shape's writer needs of the encoder: object `o` registered as `id`, then a value it does not write itself, the limit checked after it. */
export interface ShapeWriter {
  register(o: object, id: number): void;
  value(v: unknown): void;
  over(): void;
}

/** A shape as the encoder knows it. */
export interface EncoderShape {
  /** The SHAPE tag, then the shape's key block: what an object of this shape starts with. */
  readonly block: Uint8Array;
  /** Its keys, in order. */
  readonly keys: readonly string[];
  /** Writes an object of this shape, its block and its values (made once the shape is seen twice), or undefined. */
  write: ((o: object, e: ShapeWriter, w: Writer, own: (o: object, k: string) => boolean, inherits: object | undefined, id: number) => void) | undefined;
  seen: number;
}

interface Node {
  next: Map<string, Node> | undefined;
  /** The shape that ends here; null if it cannot be one (a key too long or with a lone surrogate). */
  shape: EncoderShape | null | undefined;
}

/** The encoder's side: key lists to shapes, through a trie of keys. One per encoder (a thread may have several). */
export class ShapeBlocks {
  private readonly root: Node = { next: undefined, shape: undefined };
  private nodes = 0;
  /** The keys and shape last found: messages of one shape in a row skip the trie. */
  private lastKeys: readonly string[] = [];
  private last: EncoderShape | undefined;

  /** The shape of the keys `keys[0 … n)`, or undefined when they are written key by key. */
  shapeFor(keys: readonly string[], n: number): EncoderShape | undefined {
    if (n > SHAPE_KEYS) return undefined;
    const last = this.lastKeys;
    let shape: EncoderShape | undefined;
    if (n === last.length && this.last !== undefined) {
      let i = 0;
      while (i < n && keys[i] === last[i]) i++;
      if (i === n) shape = this.last;
    }
    if (shape === undefined) {
      shape = this.find(keys, n);
      if (shape === undefined) return undefined;
      // A copy: the caller reuses its array.
      this.lastKeys = keys.slice(0, n);
      this.last = shape;
    }
    if (shape.write === undefined && ++shape.seen === 2) shape.write = compileWriter(shape.keys, shape.block);
    return shape;
  }

  private find(keys: readonly string[], n: number): EncoderShape | undefined {
    let node = this.root;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      let next = node.next?.get(k);
      if (next === undefined) {
        if (this.nodes >= MAX_NODES) return undefined;
        this.nodes++;
        next = { next: undefined, shape: undefined };
        (node.next ??= new Map()).set(k, next);
      }
      node = next;
    }
    if (node.shape === undefined) {
      const own = keys.slice(0, n);
      const block = makeBlock(own);
      node.shape = block === null ? null : { block, keys: own, write: undefined, seen: 0 };
    }
    return node.shape ?? undefined;
  }
}

function makeBlock(keys: readonly string[]): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let size = 3;
  for (const k of keys) {
    if (!isWellFormed(k)) return null;
    const b = encoder.encode(k);
    if (b.length > KEY_BYTES) return null;
    parts.push(b);
    size += 1 + b.length;
  }
  if (size - 2 > 0xffff) return null;
  const block = new Built.Uint8Array(1 + size);
  block[0] = SHAPE;
  block[1] = (size - 2) & 0xff;
  block[2] = (size - 2) >> 8;
  block[3] = keys.length;
  let p = 4;
  for (const b of parts) {
    block[p++] = b.length;
    block.set(b, p);
    p += b.length;
  }
  return block;
}

/** A shape as the decoder knows it. */
export interface Shape {
  readonly keys: readonly string[];
  /** Builds the object from the next values of `d` (`field()`), reading them from `r` (made once the shape is seen twice), or undefined. */
  make: ((d: { field(): unknown }, r: Reader) => Record<string, unknown>) | undefined;
  /** Whether `buf[at …)` holds this block's bytes (made with make, for a short block), or undefined: same() compares. */
  matches: ((buf: Uint8Array, at: number) => boolean) | undefined;
  /**
   * Whether an item starts with this shape's object: its SHAPE tag, block
   * length and block, compared four bytes at a time from word `i` of `w32`
   * (a view of the item's buffer, the item at byte 4i); made with matches.
   */
  head: ((w32: Int32Array, i: number) => boolean) | undefined;
  seen: number;
  /** The block's bytes after its length, to tell a hash collision apart. */
  readonly bytes: Uint8Array;
}

const SLOTS = 512;
const RECENT = 4;
/** Whether this runtime lets us make functions from text (a page's Content-Security-Policy may forbid it). */
let canCompile: boolean | undefined;

/** The decoder's side: blocks to shapes, in a table indexed by a hash of the block. */
export class ShapeTable {
  private readonly table: (Shape | undefined)[] = new Array<Shape | undefined>(SLOTS).fill(undefined);
  /** The shapes last read (RECENT of them, the newest at `next - 1`): messages of a few shapes in a row (an object and the objects in it) skip the hash. */
  private readonly recent: (Shape | undefined)[] = new Array<Shape | undefined>(RECENT).fill(undefined);
  private next = 0;
  /** The shape of the last item's own object, if its functions are made (StructuredDecoder.decode). */
  top: Shape | undefined;

  /** Reads the block at `buf[at]` (its length already checked to be in bounds): the shape and the block's end. */
  read(buf: Uint8Array, at: number, len: number): Shape {
    const recent = this.recent;
    for (let i = 0; i < RECENT; i++) {
      const s = recent[i];
      // A shape not yet compiled goes through find(), which counts its uses.
      if (s !== undefined && s.make !== undefined && (s.matches !== undefined ? s.bytes.length === len && s.matches(buf, at) : same(s.bytes, buf, at, len))) return s;
    }
    const s = this.find(buf, at, len);
    recent[this.next] = s;
    this.next = (this.next + 1) & (RECENT - 1);
    return s;
  }

  private find(buf: Uint8Array, at: number, len: number): Shape {
    let h = len;
    for (let j = at; j < at + len; j++) h = Built.imul(h ^ buf[j]!, 0x01000193);
    const slot = (h >>> 0) & (SLOTS - 1);
    let s = this.table[slot];
    if (s === undefined || !same(s.bytes, buf, at, len)) {
      s = parse(buf, at, len);
      this.table[slot] = s;
    } else if (s.make === undefined && ++s.seen === 2) {
      s.make = compileMaker(s.keys);
      s.matches = compileMatcher(s.bytes);
      s.head = compileHead(s.bytes);
    }
    return s;
  }
}

function same(a: Uint8Array, buf: Uint8Array, at: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let j = 0; j < len; j++) if (a[j] !== buf[at + j]) return false;
  return true;
}

function parse(buf: Uint8Array, at: number, len: number): Shape {
  const end = at + len;
  const n = buf[at]!;
  const keys: string[] = [];
  let p = at + 1;
  for (let i = 0; i < n; i++) {
    if (p >= end) throw new TypeError('janus-queue: corrupted item bytes (shape)');
    const k = buf[p++]!;
    if (p + k > end) throw new TypeError('janus-queue: corrupted item bytes (shape)');
    keys[i] = utf8(buf, p, k);
    p += k;
  }
  if (p !== end) throw new TypeError('janus-queue: corrupted item bytes (shape)');
  const bytes = new Built.Uint8Array(len);
  uint8Set(bytes, viewOf(buf, at, len), 0);
  return { keys, make: undefined, matches: undefined, head: undefined, seen: 1, bytes };
}

/**
 * A function made from text, or undefined where the runtime forbids it.
 * Keys go into the text only quoted by JSON.stringify (valid JS string
 * literals, whatever the key holds).
 */
function compile<F>(params: string, body: string): F | undefined {
  if (canCompile === false) return undefined;
  try {
    const f = new Built.Function(params, body) as F;
    canCompile = true;
    return f;
  } catch {
    canCompile = false;
    return undefined;
  }
}

/**
 * The decoder's function for a shape: its values read in key order, then
 * an object literal, "__proto__" as a computed key (which defines a
 * property instead of setting the prototype). A short string, an integer
 * 0–255 or an int32 is read here, from a position kept in a local, each
 * after a bounds check; any other value (or one of these that does not fit
 * before the item's end) by `d.field()`. Made with loops and captured
 * built-ins only (it runs while an item is decoded; see Built).
 */
function compileMaker(keys: readonly string[]): Shape['make'] {
  let reads = '';
  let props = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    for (let j = 0; j < i; j++) if (keys[j] === k) return undefined;
    reads +=
      `if (p + 3 <= end && b[p] === ${STRING} && b[p + 1] === 0) { n = b[p + 2]; p += 3; if (p + n > end) bad(); v${i} = utf8(b, p, n); p += n; } ` +
      `else if (p + 2 <= end && b[p] === ${UINT8}) { v${i} = b[p + 1]; p += 2; } ` +
      `else if (p + 5 <= end && b[p] === ${INT32}) { v${i} = b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24); p += 5; } ` +
      `else { r.pos = p; v${i} = d.field(); b = r.buf; p = r.pos; }\n`;
    props += `${i > 0 ? ', ' : ''}${k === '__proto__' ? '["__proto__"]' : Built.stringify(k)}: v${i}`;
  }
  const vars = keys.map((_, i) => `v${i}`).join(', ');
  const make = compile<(utf8: Utf8, bad: () => never) => Shape['make']>(
    'utf8, bad',
    `return function (d, r) { let b = r.buf, p = r.pos, n${vars ? `, ${vars}` : ''}; const end = r.end;\n${reads} r.pos = p; return { ${props} }; };`,
  );
  return make?.(utf8, truncated);
}

type Utf8 = (buf: Uint8Array, start: number, n: number) => string;

function truncated(): never {
  throw new TypeError('janus-queue: truncated or corrupted item bytes');
}

/** Blocks up to this many bytes are written and compared by code made for them: a store or a compare per byte, each of a constant. */
const UNROLL = 64;

/** The decoder's compare of a short block: one comparison per byte, with the byte in the code. */
function compileMatcher(bytes: Uint8Array): Shape['matches'] {
  if (bytes.length > UNROLL) return undefined;
  let test = 'true';
  for (let j = 0; j < bytes.length; j++) test += ` && b[p + ${j}] === ${bytes[j]!}`;
  return compile<Shape['matches']>('b, p', `return ${test};`);
}

/** compileMatcher() for an item that starts with the shape's object: the tag, the length and the block, as words in the platform's byte order (the last one masked). */
function compileHead(bytes: Uint8Array): Shape['head'] {
  if (bytes.length > UNROLL) return undefined;
  const n = (3 + bytes.length + 3) >> 2;
  const head = new Built.Uint8Array(4 * n);
  const mask = new Built.Uint8Array(4 * n);
  head[0] = SHAPE;
  head[1] = bytes.length & 0xff;
  head[2] = bytes.length >> 8;
  for (let j = 0; j < bytes.length; j++) head[3 + j] = bytes[j]!;
  for (let j = 0; j < 3 + bytes.length; j++) mask[j] = 0xff;
  const words = new Built.Int32Array(head.buffer);
  const masks = new Built.Int32Array(mask.buffer);
  let test = 'true';
  for (let k = 0; k < n; k++) test += masks[k] === -1 ? ` && w[i + ${k}] === ${words[k]!}` : ` && (w[i + ${k}] & ${masks[k]!}) === ${words[k]!}`;
  return compile<Shape['head']>('w, i', `return ${test};`);
}

/**
 * The encoder's function for a shape: its block, then each value by a named
 * [[Get]] (one inline cache per key, instead of a keyed load that sees every
 * shape), of an own key only, as structuredClone reads them: a key that a
 * getter of an earlier one deleted is written ABSENT, and its prototype's
 * value is never read. `inherits` (see StructuredEncoder.plain): where a
 * deleted key could be inherited from; a key it lacks is read first and
 * checked only when undefined (the common case costs no own check), else
 * (and for a class instance, `inherits` undefined) checked first.
 *
 * The position is kept in a local: a short block is written as constant
 * stores, an int32 here, a string by Writer.stringAt (which checks the
 * limit); anything else by `e.value()`, with the Writer's `pos` set around
 * it. Room for the fixed-size values that follow is made after each write
 * of variable size, so they need no check of their own.
 */
function compileWriter(keys: readonly string[], block: Uint8Array): EncoderShape['write'] {
  // The most bytes a key's value takes when it is not a string or a container: a tag and a float64.
  const FIXED = 9;
  const room = (rest: number): string => `if (p + ${rest} > b.length) { w.growTo(p + ${rest}); b = w.buf; } `;
  // Before any value is read (a getter may add keys): whether each key was
  // own when the keys were listed. A key the prototype lacks was, since
  // for-in lists it; one the prototype has is checked (structuredClone lists
  // own keys first, so a getter that makes an inherited key own adds nothing).
  const listed = keys.map((k, i) => `l${i} = inherits === undefined || !(${JSON.stringify(k)} in inherits) || own(o, ${JSON.stringify(k)})`).join(', ');
  const steps = keys.map((k, i) => {
    const q = JSON.stringify(k);
    const rest = room(FIXED * (keys.length - i - 1));
    return (
      `if (!l${i}) v = absent; ` +
      `else if (inherits === undefined || ${q} in inherits) v = own(o, ${q}) ? o[${q}] : absent; ` +
      `else { v = o[${q}]; if (v === undefined && !own(o, ${q})) v = absent; } ` +
      `if (typeof v === "number" && (v | 0) === v && (v !== 0 || 1 / v > 0)) { ` +
      `if (v >= 0 && v <= 255) { b[p] = ${UINT8}; b[p + 1] = v; p += 2; } ` +
      `else { b[p] = ${INT32}; b[p + 1] = v; b[p + 2] = v >> 8; b[p + 3] = v >> 16; b[p + 4] = v >> 24; p += 5; } } ` +
      `else if (typeof v === "string") { p = w.stringAt(v, ${STRING}, p); b = w.buf; ${rest}} ` +
      `else if (v === absent) b[p++] = ${ABSENT}; ` +
      `else { w.pos = p; e.register(o, id); e.value(v); e.over(); b = w.buf; p = w.pos; ${rest}}\n`
    );
  });
  // The block: a store per byte for a short one (a word at a time at a
  // 4-byte boundary, as the item's own object is: the bytes of the last
  // word past the block are overwritten by the values), else copied from
  // `block`.
  let head = `w.pos = p; w.small(block); b = w.buf; p = w.pos; `;
  if (block.length <= UNROLL) {
    const padded = new Built.Uint8Array((block.length + 3) & ~3);
    uint8Set(padded, block, 0);
    const words = new Built.Int32Array(padded.buffer);
    let bytes = '';
    for (let j = 0; j < block.length; j++) bytes += `b[p + ${j}] = ${block[j]!}; `;
    let stores = '';
    for (let k = 0; k < words.length; k++) stores += `w32[i + ${k}] = ${words[k]!}; `;
    head = `if ((p & 3) === 0) { const w32 = w.words, i = p >> 2; ${stores}} else { ${bytes}} p += ${block.length}; `;
  }
  const make = compile<(block: Uint8Array, absent: symbol) => EncoderShape['write']>(
    'block, absent',
    `return function (o, e, w, own, inherits, id) { let b = w.buf, p = w.pos, v; const ${listed || 'l = 0'}; ` +
      `${room(((block.length + 3) & ~3) + FIXED * keys.length)}${head}\n${steps.join('')} w.pos = w.overAt(p); };`,
  );
  return make?.(block, ABSENT_KEY);
}

/** What a shape's writer reads a key as when the object no longer has it. */
const ABSENT_KEY = Symbol('absent');
