import { tooLarge } from '../errors.js';
import { Writer } from './bytes-io.js';
import {
  Built,
  type Brand,
  arrayBufferLength,
  boxedValue,
  brandOf,
  dataViewInfo,
  dateTime,
  hasOwn,
  isArrayBufferView,
  mapEntriesOf,
  maxByteLengthOf,
  ownKeysInto,
  ownKeysUnless,
  regExpParts,
  setValuesOf,
  sharedArrayBufferLength,
  tagOf,
  typedArrayInfo,
  typedArrayName,
} from './intrinsics.js';
import { type EncoderShape, ShapeBlocks } from './shapes.js';
import * as F from './structured-format.js';

/** The prototypes of the built-ins the codec copies by their internal slots (see kindOf). */
const BUILTIN_PROTOTYPES = new Set<object>(
  [Date, RegExp, Map, Set, ArrayBuffer, globalThis.SharedArrayBuffer, Boolean, Number, String, BigInt, Error, Promise, WeakMap, WeakSet, globalThis.WeakRef]
    .filter((C) => typeof C === 'function')
    .map((C) => C!.prototype as object),
);
const ERROR_NAMES = new Set<string>(F.ERROR_NAMES);

function cannot(what: string): never {
  throw new TypeError(`janus-queue: the structured codec cannot encode ${what} (as structuredClone cannot)`);
}

/**
 * The default codec's encoder: what the structured clone algorithm accepts,
 * as bytes, in pure JavaScript (browsers have no synchronous
 * structured-clone-to-bytes API, and node:v8 is Node only). It reads values
 * as structuredClone does: internal slots through the built-ins (an own
 * `length`, `size` or `buffer` cannot lie), and plain objects' own
 * enumerable keys, then each value by its getter.
 */
export class StructuredEncoder {
  private readonly w = new Writer();
  private readonly ids = new IdTable();
  private readonly shapes = new ShapeBlocks();
  /** Per depth, the array plain() lists an object's keys in (see ownKeysInto). */
  private readonly keyArrays: string[][] = [];
  /** Per depth (up to LAST_SHAPES), the shape of the plain object written last there. */
  private readonly lastShapes: (EncoderShape | undefined)[] = [];
  private depth = 0;
  private busy = false;

  /** The item's bytes: a view of this encoder's scratch buffer, valid until its next call. */
  encode(value: unknown, limit = Infinity): Uint8Array {
    const n = this.encodeLen(value, limit);
    return this.out.subarray(0, n);
  }

  /**
   * The buffer encodeLen() last wrote the item into, at its start: this
   * encoder's scratch buffer (valid until its next call), or, for a nested
   * call, one of its own.
   */
  out: Uint8Array = this.w.buf;

  /** Writes the item into `out` (no view made): its byte length. */
  encodeLen(value: unknown, limit = Infinity): number {
    // A getter (or toString, or a generator) of the value that puts into the
    // same queue while we write this one gets an encoder of its own: this
    // one's scratch buffer is in use.
    if (this.busy) {
      const other = new StructuredEncoder();
      const n = other.encodeLen(value, limit);
      this.out = other.out;
      return n;
    }
    this.busy = true;
    this.w.reset(limit);
    this.depth = 0;
    try {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        // The item's own object, the common case, without value()'s and
        // object()'s steps for an object that may have been seen before.
        this.depth = 1;
        const proto = Object.getPrototypeOf(value);
        if (proto === Object.prototype) this.item(value);
        else if (proto === null) this.plain(value, NO_PROTOTYPE);
        else this.other(value, proto);
      } else this.value(value);
    } finally {
      this.ids.clear();
      this.busy = false;
    }
    this.w.over();
    this.out = this.w.buf;
    return this.w.pos;
  }

  /**
   * The item, a plain object of Object.prototype: if its keys are those of
   * the shape last written at this depth, that shape's function writes it,
   * and the item is registered in the id table only if a value of its own
   * is an object (which could refer back to it; nothing comes after the item,
   * so nothing else can). Else plain(), with the keys already listed.
   */
  private item(o: object): void {
    const last = this.lastShapes[1];
    if (last?.write === undefined) return this.plain(o, Object.prototype);
    const n = ownKeysUnless(o, last.keys, (this.keyArrays[1] ??= []));
    if (n >= 0) return this.plain(o, Object.prototype, n);
    const id = this.ids.reserve(0);
    last.write(o, this, this.w, hasOwn, Object.prototype, id);
    this.ids.close(id);
  }

  /**
   * Registers object `o` as `id` before a shape's function writes a value
   * of it that it does not write itself (shapes.ts), if it was not (see
   * item()); then it calls value() and over() (not through a method of its
   * own: each level of a nested value takes a frame per method).
   */
  register(o: object, id: number): void {
    this.ids.set(id, o);
  }

  /** Writes one value. */
  value(v: unknown): void {
    const w = this.w;
    switch (typeof v) {
      case 'string':
        return w.string(v, F.STRING);
      case 'number':
        return this.number(v);
      case 'object':
        if (v === null) return w.u8(F.NULL);
        return this.object(v);
      case 'boolean':
        return w.u8(v ? F.TRUE : F.FALSE);
      case 'undefined':
        return w.u8(F.UNDEFINED);
      case 'bigint':
        w.u8(F.BIGINT);
        return this.bigint(v);
      case 'function':
        return cannot('a function');
      case 'symbol':
        return cannot('a symbol');
    }
  }

  private number(v: number): void {
    const w = this.w;
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      if (v >= 0 && v <= 255) return w.u8u8(F.UINT8, v);
      return w.tagI32(F.INT32, v);
    }
    return w.tagF64(F.FLOAT64, v);
  }

  over(): void {
    this.w.over();
  }

  /** [u8 sign][string: the magnitude in hex]. Hex conversion is linear in the size; shifting word by word is quadratic. */
  private bigint(v: bigint): void {
    const negative = v < 0n;
    this.w.u8(negative ? 1 : 0);
    this.w.string((negative ? -v : v).toString(16));
  }

  private object(o: object): void {
    const seen = this.ids.get(o);
    if (seen !== undefined) return this.ref(seen);
    if (++this.depth > F.MAX_DEPTH)
      throw new RangeError(`janus-queue: the value is nested more than ${F.MAX_DEPTH} deep; the structured codec refuses deeper values, so that every thread can decode what it puts`);
    // (Each level of a nested value takes a frame of each method it passes
    // through: the depth limit must fit the smallest default stack.)
    if (Array.isArray(o)) this.array(o);
    else {
      const proto = Object.getPrototypeOf(o);
      if (proto === Object.prototype) this.plain(o, proto);
      else if (proto === null) this.plain(o, NO_PROTOTYPE);
      else this.other(o, proto);
    }
    this.depth--;
  }

  private ref(id: number): void {
    const w = this.w;
    // A reference to an object still being written is a cycle: its decoder
    // must create it before its values (SHAPE_OPEN).
    const at = this.ids.openAt(id);
    if (at >= 0 && w.buf[at] === F.SHAPE) w.buf[at] = F.SHAPE_OPEN;
    w.u8(F.REF);
    w.u32(id);
  }

  private array(a: unknown[]): void {
    const w = this.w;
    const id = this.ids.add(a, w.pos);
    const n = a.length;
    w.u8(F.ARRAY);
    w.u32(n);
    for (let i = 0; i < n; i++) {
      const v = a[i];
      if (v === undefined && !(i in a)) w.u8(F.HOLE);
      else this.value(v);
      w.over();
    }
    this.ids.close(id);
  }

  /**
   * A plain object (or a class instance): its own enumerable string keys,
   * then each value by [[Get]] of an own key, as structuredClone reads them.
   * `inherits`: Object.prototype, or NO_PROTOTYPE for an object of none (the
   * keys a getter's deletion could expose, from an object with no user
   * code); undefined for a class instance (every key checked before its
   * read: its prototype may have getters, or be a Proxy).
   */
  private plain(o: object, inherits: object | undefined, listed = -1): void {
    const plainProto = inherits !== undefined;
    const w = this.w;
    const id = this.ids.add(o, w.pos);
    // An object of Object.prototype (or none): its keys into an array kept
    // for this depth (a nested object, written while this one's keys are
    // still in use, has its own). A class instance's by Object.keys: a for-in
    // would walk its prototype chain (deep, maybe a Proxy).
    let keys: string[];
    let n: number;
    if (plainProto) {
      keys = this.keyArrays[this.depth] ??= [];
      // The shape written last at this depth, if its writer is made and
      // this object's keys are its keys: a message's objects, one after
      // another, skip the shape lookup and keep no key list.
      const last = this.lastShapes[this.depth];
      n = listed >= 0 ? listed : last?.write !== undefined ? ownKeysUnless(o, last.keys, keys) : ownKeysInto(o, keys);
      if (n < 0) {
        last!.write!(o, this, w, hasOwn, inherits, id);
        return this.ids.close(id);
      }
    } else {
      keys = Object.keys(o);
      n = keys.length;
    }
    const shape = this.shapes.shapeFor(keys, n);
    if (plainProto && shape !== undefined && this.depth < LAST_SHAPES) this.lastShapes[this.depth] = shape;
    if (shape !== undefined) {
      if (shape.write !== undefined) shape.write(o, this, w, hasOwn, inherits, id);
      else {
        w.small(shape.block);
        for (let i = 0; i < n; i++) {
          // A getter of an earlier key may have deleted this one: structuredClone leaves it out.
          const v = ownValue(o, keys[i]!, inherits);
          if (v === NOT_OWN) w.u8(F.ABSENT);
          else this.value(v);
          w.over();
        }
      }
    } else {
      w.u8(F.OBJECT);
      const countAt = w.pos;
      w.u32(0);
      let count = 0;
      for (let i = 0; i < n; i++) {
        const k = keys[i]!;
        const v = ownValue(o, k, inherits);
        if (v === NOT_OWN) continue;
        w.string(k);
        this.value(v);
        w.over();
        count++;
      }
      w.patchU32(countAt, count);
    }
    // Keep no large key list alive (an object used as a dictionary).
    if (plainProto && n > 1024) keys.length = 0;
    this.ids.close(id);
  }

  /** Everything but arrays and plain objects: told apart by internal slots, not by what the object says of itself. */
  private other(o: object, proto: object): void {
    if (isArrayBufferView(o)) return this.view(o);
    const brand = mayBeBuiltin(o, proto) ? brandOf(o) : undefined;
    if (brand !== undefined) return this.builtin(o, brand);
    const tag = tagOf(o);
    if (tag === '[object Error]' || o instanceof Error) return this.error(o as Error);
    if (tag === '[object Promise]' || o instanceof Promise) return cannot('a Promise');
    // A class instance: cloned as a plain object of its own properties, as
    // structuredClone does. An object with a tag of its own is a host object
    // (a Blob, a MessagePort, a URL): structuredClone either copies what only
    // the host can read, or refuses it; a pure codec cannot do the first, so
    // it refuses rather than send an empty object.
    if (tag === '[object Object]') return this.plain(o, undefined);
    return cannot(`a ${tag.slice(8, -1)}`);
  }

  private builtin(o: object, brand: Brand): void {
    const w = this.w;
    const id = this.ids.add(o, w.pos);
    switch (brand) {
      case 'Date':
        w.u8(F.DATE);
        w.f64(dateTime(o));
        break;
      case 'RegExp': {
        const [source, flags] = regExpParts(o);
        w.u8(F.REGEXP);
        w.string(source);
        w.string(flags);
        break;
      }
      case 'Map': {
        w.u8(F.MAP);
        const countAt = w.pos;
        w.u32(0);
        let count = 0;
        // Counted as written: a getter that changes the Map meanwhile cannot make the count lie.
        for (const [k, v] of mapEntriesOf(o)) {
          this.value(k);
          this.value(v);
          w.over();
          count++;
        }
        w.patchU32(countAt, count);
        break;
      }
      case 'Set': {
        w.u8(F.SET);
        const countAt = w.pos;
        w.u32(0);
        let count = 0;
        for (const v of setValuesOf(o)) {
          this.value(v);
          w.over();
          count++;
        }
        w.patchU32(countAt, count);
        break;
      }
      case 'ArrayBuffer':
      case 'SharedArrayBuffer': {
        const n = brand === 'ArrayBuffer' ? arrayBufferLength(o) : sharedArrayBufferLength(o);
        if (n > w.limit) throw tooLarge(w.limit);
        w.u8(F.ARRAY_BUFFER);
        w.u32(n);
        w.bytes(new Built.Uint8Array(o as ArrayBufferLike, 0, n));
        w.u32(brand === 'ArrayBuffer' ? maxByteLengthOf(o) : -1);
        break;
      }
      case 'Boolean':
        w.u8u8(F.BOXED_BOOLEAN, boxedValue(o, brand) ? 1 : 0);
        break;
      case 'Number':
        w.tagF64(F.BOXED_NUMBER, boxedValue(o, brand) as number);
        break;
      case 'String':
        w.string(boxedValue(o, brand) as string, F.BOXED_STRING);
        break;
      case 'BigInt':
        w.u8(F.BOXED_BIGINT);
        this.bigint(boxedValue(o, brand) as bigint);
        break;
    }
    this.ids.close(id);
  }

  /** A typed array or DataView: its type, its buffer (whole, or a reference to it), and its window, all read from internal slots. */
  private view(o: object): void {
    const w = this.w;
    const name = typedArrayName(o) ?? 'DataView';
    const info = name === 'DataView' ? dataViewInfo(o) : typedArrayInfo(o);
    w.u8(F.VIEW);
    w.u8(F.VIEW_TYPES.indexOf(name as (typeof F.VIEW_TYPES)[number]));
    // The view's id comes after its buffer's, as the decoder makes them.
    this.object(info.buffer);
    this.ids.add(o, -1);
    w.u32(info.byteOffset);
    w.u32(info.length);
  }

  private error(e: Error): void {
    const w = this.w;
    const id = this.ids.add(e, w.pos);
    w.u8(F.ERROR);
    const name = e.name;
    w.string(typeof name === 'string' && ERROR_NAMES.has(name) ? name : 'Error');
    w.string(String(e.message));
    const stack = e.stack;
    w.u8(typeof stack === 'string' ? 1 : 0);
    if (typeof stack === 'string') w.string(stack);
    const hasCause = hasOwn(e, 'cause');
    w.u8(hasCause ? 1 : 0);
    if (hasCause) this.value((e as { cause?: unknown }).cause);
    this.ids.close(id);
  }
}

/** What plain() passes as `inherits` for an object of no prototype: nothing to inherit, and no user code. */
const NO_PROTOTYPE: object = Object.freeze(Object.create(null) as object);
/** ownValue() of a key the object no longer has. */
const NOT_OWN = Symbol('not own');

/** The value of `o`'s own key `k` by [[Get]], or NOT_OWN if it has none (see plain(): `inherits`). */
function ownValue(o: object, k: string, inherits: object | undefined): unknown {
  if (inherits === undefined || k in inherits) return hasOwn(o, k) ? (o as Record<string, unknown>)[k] : NOT_OWN;
  const v = (o as Record<string, unknown>)[k];
  return v === undefined && !hasOwn(o, k) ? NOT_OWN : v;
}

/** Whether `o` (of prototype `proto`) may be a built-in with internal slots: it inherits from a built-in prototype, or says it is something else than an Object. */
function mayBeBuiltin(o: object, proto: object | null): boolean {
  for (let p = proto, n = 0; p !== null && n < 64; p = Object.getPrototypeOf(p), n++) if (BUILTIN_PROTOTYPES.has(p)) return true;
  return tagOf(o) !== '[object Object]';
}

/**
 * The encoder's ids of the objects written so far, in the order written (an
 * id is its position), with where each one's tag is while it is still being
 * written (for cycles). Most items hold a few objects: a short array,
 * searched from the end, costs less than a Map and allocates nothing when
 * cleared; past LINEAR objects a Map takes over.
 */
class IdTable {
  private readonly list: (object | undefined)[] = [];
  private readonly open: number[] = [];
  private n = 0;
  private map: Map<object, number> | undefined;

  get(o: object): number | undefined {
    if (this.map) return this.map.get(o);
    const list = this.list;
    for (let i = this.n - 1; i >= 0; i--) if (list[i] === o) return i;
    return undefined;
  }

  /** Registers `o`, whose tag is at `at` (-1: no tag to patch); returns its id. */
  add(o: object, at: number): number {
    const id = this.n++;
    this.list[id] = o;
    this.open[id] = at;
    if (this.map) this.map.set(o, id);
    else if (id === LINEAR) this.map = new Map(this.list.slice(0, this.n).map((x, i) => [x!, i]));
    return id;
  }

  /** The next id, for an object whose tag is at `at`, registered by set() (until then get() does not find it). */
  reserve(at: number): number {
    const id = this.n++;
    this.list[id] = undefined;
    this.open[id] = at;
    return id;
  }

  /** Registers `o` as `id` (again: nothing). */
  set(id: number, o: object): void {
    if (this.list[id] === o) return;
    this.list[id] = o;
    if (this.map) this.map.set(o, id);
    else if (this.n > LINEAR) {
      this.map = new Map();
      for (let i = 0; i < this.n; i++) if (this.list[i] !== undefined) this.map.set(this.list[i]!, i);
    }
  }

  /** `id` is written in full. */
  close(id: number): void {
    this.open[id] = -1;
  }

  /** Where the tag of `id` is, if it is still being written; else -1. */
  openAt(id: number): number {
    return this.open[id]!;
  }

  clear(): void {
    // Drop the references (the item's objects must not stay alive here);
    // keep the arrays' storage.
    for (let i = 0; i < this.n; i++) this.list[i] = undefined;
    if (this.n > 1024) this.list.length = this.open.length = 0;
    this.n = 0;
    this.map = undefined;
  }
}

const LINEAR = 16;
/** Depths whose last shape the encoder remembers. */
const LAST_SHAPES = 16;
