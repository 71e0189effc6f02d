import { Reader } from './bytes-io.js';
import { type Shape, ShapeTable } from './shapes.js';
import { Built, brandOf, uint8Set, viewOf } from './intrinsics.js';
import * as F from './structured-format.js';

type ViewCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
const VIEW_CTORS = F.VIEW_TYPES.map((name) => (globalThis as unknown as Record<string, ViewCtor>)[name]!);
// A null-prototype table: a name like "constructor" or "__proto__" is not an error type.
const ERROR_TYPES: Record<string, ErrorConstructor> = Object.assign(
  Object.create(null) as Record<string, ErrorConstructor>,
  Object.fromEntries(F.ERROR_NAMES.map((n) => [n, (globalThis as unknown as Record<string, ErrorConstructor>)[n]!])),
);
/** What an ABSENT value reads as, until the object it is in drops the key. */
const ABSENT_VALUE = Symbol('absent');

function corrupted(what: string): TypeError {
  return new TypeError(`janus-queue: corrupted item bytes (${what})`);
}

/** The default codec's decoder (see StructuredEncoder). */
export class StructuredDecoder {
  private readonly r = new Reader();
  /** The objects decoded so far, by id: the first `nrefs` (the array is kept between items, cleared, so a decode does not grow a new one). */
  private readonly refs: unknown[] = [];
  private nrefs = 0;
  private readonly shapes = new ShapeTable();
  private depth = 0;
  private absent = false;
  private busy = false;

  /** Decodes the item in `bytes[start … start + len)`. */
  decode(bytes: Uint8Array, len = bytes.length, start = 0): unknown {
    if (this.busy) return new StructuredDecoder().decode(bytes, len, start);
    this.busy = true;
    this.r.reset(bytes, len, start);
    this.depth = 0;
    this.absent = false;
    try {
      // An item of the shape the last item was: its block compared in
      // place, and its object made with no step of value() or shaped().
      // (Four bytes at a time where the item starts on a 4-byte boundary:
      // the queue's scratch buffer, and each item of a batch.)
      const top = this.shapes.top;
      let v: unknown;
      const w32 = top !== undefined && len >= 3 + top.bytes.length && (start & 3) === 0 ? this.r.words() : undefined;
      if (
        top !== undefined &&
        len >= 3 + top.bytes.length &&
        (w32 !== undefined && (start >> 2) + ((top.bytes.length + 6) >> 2) <= w32.length
          ? top.head!(w32, start >> 2)
          : bytes[start] === F.SHAPE && (bytes[start + 1]! | (bytes[start + 2]! << 8)) === top.bytes.length && top.matches!(bytes, start + 3))
      ) {
        this.r.pos = start + 3 + top.bytes.length;
        v = this.item(top);
      } else v = this.value();
      if (this.r.pos !== this.r.end) throw corrupted('trailing data');
      return v;
    } catch (e) {
      // Bytes our encoder wrote always decode: a RangeError of a view's
      // bounds or a SyntaxError of a RegExp means they were changed.
      if (e instanceof TypeError) throw e;
      throw new TypeError(`janus-queue: corrupted item bytes (${(e as Error)?.message})`, { cause: e });
    } finally {
      // Drop the item's objects; keep the array's storage (unless an item made it huge).
      const refs = this.refs;
      for (let i = 0; i < this.nrefs; i++) refs[i] = undefined;
      if (this.nrefs > 1024) refs.length = 0;
      this.nrefs = 0;
      this.busy = false;
    }
  }

  /**
   * The next value of a SHAPE object (public for the functions a shape
   * makes, shapes.ts): a value, or ABSENT, which only a SHAPE object's value
   * may be (anywhere else it is an unknown tag).
   */
  field(): unknown {
    const r = this.r;
    if (r.pos < r.end && r.buf[r.pos] === F.ABSENT) {
      r.pos++;
      this.absent = true;
      return ABSENT_VALUE;
    }
    return this.value();
  }

  /** The next value. */
  value(): unknown {
    const r = this.r;
    const tag = r.u8();
    switch (tag) {
      case F.STRING:
        return r.string();
      case F.UINT8:
        return r.u8();
      case F.INT32:
        return r.i32();
      case F.FLOAT64:
        return r.f64();
      case F.SHAPE:
      case F.SHAPE_OPEN:
        return this.shaped(tag);
      case F.NULL:
        return null;
      case F.TRUE:
        return true;
      case F.FALSE:
        return false;
      case F.UNDEFINED:
        return undefined;
      case F.REF: {
        const id = r.u32();
        if (id >= this.nrefs) throw corrupted('bad reference');
        return this.refs[id];
      }
    }
    return this.rare(tag);
  }

  private enter(): void {
    if (++this.depth > F.MAX_DEPTH) throw corrupted(`nested more than ${F.MAX_DEPTH} deep`);
  }

  /**
   * The item's own object, of shape `s` (SHAPE, not SHAPE_OPEN: none of its
   * values refers back to it, and nothing comes after it, so its id is
   * held but the object is not stored for REFs).
   */
  private item(s: Shape): Record<string, unknown> {
    this.depth = 1;
    this.ref(undefined);
    const o = s.make!(this, this.r);
    if (this.absent) dropAbsent(o, s.keys);
    return o;
  }

  private shaped(tag: number): Record<string, unknown> {
    const r = this.r;
    r.need(2);
    const len = r.buf[r.pos]! | (r.buf[r.pos + 1]! << 8);
    r.pos += 2;
    r.need(len);
    const shape = this.shapes.read(r.buf, r.pos, len);
    r.pos += len;
    // The item's own object: the next item is compared with its shape first (decode()).
    if (this.depth === 0 && tag === F.SHAPE && shape.make !== undefined && shape.matches !== undefined && shape.head !== undefined) this.shapes.top = shape;
    this.enter();
    const keys = shape.keys;
    let o: Record<string, unknown>;
    if (tag === F.SHAPE && shape.make !== undefined) {
      // Ids are given in pre-order: hold this object's place until it exists.
      const slot = this.ref(undefined);
      o = shape.make(this, r);
      this.refs[slot] = o;
    } else {
      o = {};
      this.ref(o);
      for (let i = 0; i < keys.length; i++) define(o, keys[i]!, this.field());
    }
    if (this.absent) dropAbsent(o, keys);
    this.depth--;
    return o;
  }

  private rare(tag: number): unknown {
    const r = this.r;
    switch (tag) {
      case F.BIGINT:
        return this.bigint();
      case F.OBJECT: {
        this.enter();
        const o: Record<string, unknown> = {};
        this.ref(o);
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const k = r.string();
          define(o, k, this.value());
        }
        this.depth--;
        return o;
      }
      case F.ARRAY: {
        this.enter();
        const n = r.u32();
        // Each element takes at least one byte: a larger count is corruption.
        if (n > r.end - r.pos) throw corrupted('array length');
        const a: unknown[] = new Array(n);
        this.ref(a);
        for (let i = 0; i < n; i++) {
          if (r.pos < r.end && r.buf[r.pos] === F.HOLE) r.pos++;
          else a[i] = this.value();
        }
        this.depth--;
        return a;
      }
      case F.DATE:
        return this.made(new Built.Date(r.f64()));
      case F.REGEXP: {
        const source = r.string();
        return this.made(new Built.RegExp(source, r.string()));
      }
      case F.MAP: {
        this.enter();
        const m = new Built.Map();
        this.ref(m);
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          Built.mapSet.call(m, k, this.value());
        }
        this.depth--;
        return m;
      }
      case F.SET: {
        this.enter();
        const s = new Built.Set();
        this.ref(s);
        const n = r.u32();
        for (let i = 0; i < n; i++) Built.setAdd.call(s, this.value());
        this.depth--;
        return s;
      }
      case F.ARRAY_BUFFER: {
        const n = r.u32();
        r.need(n + 4);
        const start = r.pos;
        r.pos += n;
        const max = r.i32();
        const buffer = max >= n ? new (Built.ArrayBuffer as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(n, { maxByteLength: max }) : new Built.ArrayBuffer(n);
        uint8Set(new Built.Uint8Array(buffer), viewOf(r.buf, start, n), 0);
        return this.made(buffer);
      }
      case F.VIEW: {
        const C = VIEW_CTORS[r.u8()];
        const buffer = this.value();
        if (!C || typeof buffer !== 'object' || buffer === null || brandOf(buffer) !== 'ArrayBuffer') throw corrupted('view');
        return this.made(new C(buffer as ArrayBuffer, r.u32(), r.u32()));
      }
      case F.ERROR: {
        this.enter();
        const slot = this.ref(undefined);
        const name = r.string();
        const E = ERROR_TYPES[name] ?? Error;
        const e = new E(r.string());
        this.refs[slot] = e;
        // Deleted first: redefining V8's stack accessor formats the stack,
        // which runs a caller's Error.prepareStackTrace.
        delete (e as { stack?: string }).stack;
        if (r.u8()) Built.defineProperty(e, 'stack', dataProperty(r.string(), false));
        if (r.u8()) Built.defineProperty(e, 'cause', dataProperty(this.value(), false));
        this.depth--;
        return e;
      }
      case F.BOXED_BOOLEAN:
        return this.made(Built.box(r.u8() === 1));
      case F.BOXED_NUMBER:
        return this.made(Built.box(r.f64()));
      case F.BOXED_STRING:
        return this.made(Built.box(r.string()));
      case F.BOXED_BIGINT:
        return this.made(Built.box(this.bigint()));
    }
    throw corrupted(`unknown tag ${tag}`);
  }

  /** Gives `v` the next id (returned). */
  private ref(v: unknown): number {
    this.refs[this.nrefs] = v;
    return this.nrefs++;
  }

  /** ref(), returning `v`. */
  private made<T>(v: T): T {
    this.ref(v);
    return v;
  }

  private bigint(): bigint {
    const negative = this.r.u8() === 1;
    const hex = this.r.string();
    if (hex.length === 0) throw corrupted('bigint');
    for (let i = 0; i < hex.length; i++) {
      const c = hex.charCodeAt(i);
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) throw corrupted('bigint');
    }
    const m = Built.BigInt(`0x${hex}`);
    return negative ? -m : m;
  }
}

/** Deletes the keys of `o` whose value read as ABSENT (a getter deleted them before they were written). */
function dropAbsent(o: Record<string, unknown>, keys: readonly string[]): void {
  for (let i = 0; i < keys.length; i++) if (o[keys[i]!] === ABSENT_VALUE) delete o[keys[i]!];
}

/** Adds an own data property, as structuredClone does: a "__proto__" key, or a setter on Object.prototype, cannot intercept it. */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k !== '__proto__' && !(k in o)) o[k] = v;
  else Built.defineProperty(o, k, dataProperty(v, true));
}

/** A data property's descriptor, of no prototype: a `get` or `set` added to Object.prototype cannot make it an accessor's. */
function dataProperty(value: unknown, enumerable: boolean): PropertyDescriptor {
  const d = Built.create(null) as PropertyDescriptor;
  d.value = value;
  d.enumerable = enumerable;
  d.writable = true;
  d.configurable = true;
  return d;
}
