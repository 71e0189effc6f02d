import { isWellFormed, utf8 } from './bytes-io.js';
import { Built, uint8Set, viewOf } from './intrinsics.js';
import type { Writer } from './bytes-io.js';
import { SHAPE, STRING } from './structured-format.js';

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

/** What the encoder needs of a shape's writer: each value (a number's own call), a key a getter deleted, the limit check. */
export interface ShapeWriter {
  value(v: unknown): void;
  number(v: number): void;
  absent(): void;
  over(): void;
}

/** A shape as the encoder knows it. */
export interface EncoderShape {
  /** The SHAPE tag, then the shape's key block: what an object of this shape starts with. */
  readonly block: Uint8Array;
  /** Its keys, in order. */
  readonly keys: readonly string[];
  /** Writes an object of this shape, its block and its values (made once the shape is seen twice), or undefined. */
  write: ((o: object, e: ShapeWriter, w: Writer, own: (o: object, k: string) => boolean, inherits: object | undefined) => void) | undefined;
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
  const block = new Uint8Array(1 + size);
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
  /** Builds the object from the next values of `d` (made once the shape is seen twice), or undefined. */
  make: ((d: { value(): unknown }) => Record<string, unknown>) | undefined;
  /** Whether `buf[at …)` holds this block's bytes (made with make, for a short block), or undefined: same() compares. */
  matches: ((buf: Uint8Array, at: number) => boolean) | undefined;
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
  return { keys, make: undefined, matches: undefined, seen: 1, bytes };
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
 * The decoder's function for a shape: an object literal, "__proto__" as a
 * computed key (which defines a property instead of setting the prototype),
 * values read in key order. Made with loops and captured built-ins only (it
 * runs while an item is decoded; see Built).
 */
function compileMaker(keys: readonly string[]): Shape['make'] {
  let props = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    for (let j = 0; j < i; j++) if (keys[j] === k) return undefined;
    props += `${i > 0 ? ', ' : ''}${k === '__proto__' ? '["__proto__"]' : Built.stringify(k)}: d.value()`;
  }
  return compile<Shape['make']>('d', `return { ${props} };`);
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

/**
 * The encoder's function for a shape: each value by a named [[Get]] (one
 * inline cache per key, instead of a keyed load that sees every shape), of
 * an own key only, as structuredClone reads them: a key that a getter of an
 * earlier one deleted is written ABSENT, and its prototype's value is never
 * read. `inherits` (see StructuredEncoder.plain): where a deleted key could
 * be inherited from; a key it lacks is read first and checked only when
 * undefined (the common case costs no own check), else (and for a class
 * instance, `inherits` undefined) checked first. A string or a number is
 * written here, by the Writer, with no dispatch on its type; a string
 * checks the limit as it is written (Writer.string), anything else after
 * it, and the object after its last value.
 */
function compileWriter(keys: readonly string[], block: Uint8Array): EncoderShape['write'] {
  const steps = keys.map((k) => {
    const q = JSON.stringify(k);
    const write = `if (typeof v === "string") w.string(v, ${STRING}); else if (typeof v === "number") e.number(v); else { e.value(v); e.over(); }`;
    return (
      `if (inherits === undefined || ${q} in inherits) { if (own(o, ${q})) { v = o[${q}]; ${write} } else e.absent(); } ` +
      `else { v = o[${q}]; if (v === undefined && !own(o, ${q})) e.absent(); else { ${write} } }`
    );
  });
  // The block: a store per byte for a short one, else copied from `block`.
  let head = `w.small(block);`;
  if (block.length <= UNROLL) {
    head = `w.ensure(${block.length}); const b = w.buf, p = w.pos;`;
    for (let j = 0; j < block.length; j++) head += ` b[p + ${j}] = ${block[j]!};`;
    head += ` w.pos = p + ${block.length};`;
  }
  const make = compile<(block: Uint8Array) => EncoderShape['write']>('block', `return function (o, e, w, own, inherits) { ${head} let v; ${steps.join(' ')} e.over(); };`);
  return make?.(block);
}
