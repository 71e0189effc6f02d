import { Reader, Writer } from './bytes-io.js';

/**
 * The default codec: what the structured clone algorithm accepts, as bytes,
 * in pure JavaScript (browsers have no synchronous structured-clone-to-bytes
 * API, and node:v8 is Node only). Each value is a tag byte and its data.
 * Objects, arrays, Maps, Sets, Dates, RegExps, Errors, boxed primitives,
 * ArrayBuffers and views get an id in the order they are first written; a
 * second reference to the same object is written as REF id, which keeps
 * shared references and cycles.
 */

const UNDEFINED = 0;
const NULL = 1;
const TRUE = 2;
const FALSE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const BIGINT = 6;
const STRING = 7;
const REF = 8;
const OBJECT = 9;
const ARRAY = 10;
const HOLE = 11;
const DATE = 12;
const REGEXP = 13;
const MAP = 14;
const SET = 15;
const ARRAY_BUFFER = 16;
const VIEW = 17;
const ERROR = 18;
const BOXED_BOOLEAN = 19;
const BOXED_NUMBER = 20;
const BOXED_STRING = 21;
const BOXED_BIGINT = 22;

type ViewCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
const VIEW_TYPES: ViewCtor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView as unknown as ViewCtor,
];

// A null-prototype table: a name like "constructor" or "__proto__" is not an error type.
const ERROR_TYPES: Record<string, ErrorConstructor> = {
  __proto__: null as unknown as ErrorConstructor,
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

const toStringTag = (v: object): string => Object.prototype.toString.call(v);

function cannot(what: string): never {
  throw new TypeError(`janus-queue: the structured codec cannot encode ${what} (as structuredClone cannot)`);
}

export class StructuredEncoder {
  private readonly w = new Writer();
  private readonly ids = new IdTable();

  encode(value: unknown, limit = Infinity): Uint8Array {
    this.w.reset(limit);
    try {
      this.value(value);
    } finally {
      this.ids.clear();
    }
    this.w.over();
    return this.w.result();
  }

  private value(v: unknown): void {
    const w = this.w;
    switch (typeof v) {
      case 'undefined':
        return w.u8(UNDEFINED);
      case 'boolean':
        return w.u8(v ? TRUE : FALSE);
      case 'number':
        if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
          w.u8(INT32);
          return w.i32(v);
        }
        w.u8(FLOAT64);
        return w.f64(v);
      case 'string':
        w.u8(STRING);
        return w.string(v);
      case 'bigint':
        w.u8(BIGINT);
        return this.bigint(v);
      case 'object':
        if (v === null) return w.u8(NULL);
        return this.object(v);
      case 'function':
        return cannot('a function');
      case 'symbol':
        return cannot('a symbol');
    }
  }

  /** [u8 sign][string: the magnitude in hex]. Hex conversion is linear in the size; shifting word by word is quadratic. */
  private bigint(v: bigint): void {
    const negative = v < 0n;
    this.w.u8(negative ? 1 : 0);
    this.w.string((negative ? -v : v).toString(16));
  }

  private object(o: object): void {
    const w = this.w;
    const seen = this.ids.get(o);
    if (seen !== undefined) {
      w.u8(REF);
      return w.u32(seen);
    }
    if (Array.isArray(o)) {
      this.ids.add(o);
      w.u8(ARRAY);
      w.u32(o.length);
      for (let i = 0; i < o.length; i++) {
        if (i in o) this.value(o[i]);
        else w.u8(HOLE);
        w.over();
      }
      return;
    }
    const tag = toStringTag(o);
    if (tag === '[object Object]' && !ArrayBuffer.isView(o)) {
      if (isPromiseLike(o)) return cannot('a Promise');
      return this.plain(o);
    }
    this.ids.add(o);
    if (o instanceof Date || tag === '[object Date]') {
      w.u8(DATE);
      return w.f64((o as Date).getTime());
    }
    if (o instanceof RegExp) {
      w.u8(REGEXP);
      w.string(o.source);
      return w.string(o.flags);
    }
    if (o instanceof Map) {
      w.u8(MAP);
      w.u32(o.size);
      for (const [k, v] of o) {
        this.value(k);
        this.value(v);
        w.over();
      }
      return;
    }
    if (o instanceof Set) {
      w.u8(SET);
      w.u32(o.size);
      for (const v of o) {
        this.value(v);
        w.over();
      }
      return;
    }
    if (o instanceof ArrayBuffer || tag === '[object SharedArrayBuffer]') {
      const bytes = new Uint8Array(o as ArrayBufferLike);
      w.u8(ARRAY_BUFFER);
      w.u32(bytes.length);
      return w.bytes(bytes);
    }
    if (ArrayBuffer.isView(o)) {
      const type = VIEW_TYPES.findIndex((C) => o instanceof C);
      if (type < 0) return cannot(`a ${tag.slice(8, -1)}`);
      this.ids.dropLast(o); // the view is registered after its buffer, as it is decoded
      w.u8(VIEW);
      w.u8(type);
      this.object(o.buffer);
      this.ids.add(o);
      w.u32(o.byteOffset);
      return w.u32(o instanceof DataView ? o.byteLength : (o as unknown as { length: number }).length);
    }
    if (o instanceof Error) {
      w.u8(ERROR);
      const name = Object.hasOwn(ERROR_TYPES, o.name) ? o.name : 'Error';
      w.string(name);
      w.string(String(o.message));
      const stack = typeof o.stack === 'string' ? o.stack : undefined;
      w.u8(stack === undefined ? 0 : 1);
      if (stack !== undefined) w.string(stack);
      const hasCause = Object.prototype.hasOwnProperty.call(o, 'cause');
      w.u8(hasCause ? 1 : 0);
      if (hasCause) this.value((o as { cause?: unknown }).cause);
      return;
    }
    switch (tag) {
      case '[object Boolean]':
        return w.u8(BOXED_BOOLEAN), w.u8((o as unknown as boolean).valueOf() ? 1 : 0);
      case '[object Number]':
        return w.u8(BOXED_NUMBER), w.f64((o as unknown as number).valueOf());
      case '[object String]':
        return w.u8(BOXED_STRING), w.string((o as unknown as string).valueOf());
      case '[object BigInt]':
        return w.u8(BOXED_BIGINT), this.bigint((o as unknown as bigint).valueOf());
      case '[object WeakMap]':
      case '[object WeakSet]':
      case '[object WeakRef]':
      case '[object Promise]':
      case '[object Symbol]':
        return cannot(`a ${tag.slice(8, -1)}`);
    }
    // An object with a tag of its own is a host object (a Blob, a
    // MessagePort, a URL): structuredClone either copies what only the host
    // can read, or refuses it. A pure codec cannot do the first, so it
    // refuses rather than send an empty object. (A class instance without a
    // tag was cloned above as a plain object, as structuredClone does.)
    return cannot(`a ${tag.slice(8, -1)}`);
  }

  private plain(o: object): void {
    const w = this.w;
    this.ids.add(o);
    const keys = Object.keys(o);
    w.u8(OBJECT);
    w.u32(keys.length);
    for (const k of keys) {
      w.string(k);
      this.value((o as Record<string, unknown>)[k]);
      w.over();
    }
  }
}

/**
 * The encoder's ids of the objects written so far, in the order written
 * (an id is its position). Most items hold a few objects: a short array,
 * searched from the end, costs less than a Map and allocates nothing when
 * cleared; past LINEAR objects a Map takes over.
 */
class IdTable {
  private readonly list: object[] = [];
  private map: Map<object, number> | undefined;

  get(o: object): number | undefined {
    if (this.map) return this.map.get(o);
    const list = this.list;
    for (let i = list.length - 1; i >= 0; i--) if (list[i] === o) return i;
    return undefined;
  }

  add(o: object): void {
    const id = this.list.length;
    this.list.push(o);
    if (this.map) this.map.set(o, id);
    else if (id === LINEAR) this.map = new Map(this.list.map((x, i) => [x, i]));
  }

  /** Takes back the last add(o): a view and a class instance are registered again later. */
  dropLast(o: object): void {
    this.list.pop();
    this.map?.delete(o);
  }

  clear(): void {
    this.list.length = 0;
    this.map = undefined;
  }
}

const LINEAR = 16;

function isPromiseLike(o: object): boolean {
  return o instanceof Promise;
}

export class StructuredDecoder {
  private readonly r = new Reader();
  private readonly refs: unknown[] = [];

  decode(bytes: Uint8Array): unknown {
    this.r.reset(bytes);
    try {
      const v = this.value();
      if (this.r.pos !== bytes.length) throw new TypeError('janus-queue: corrupted item bytes (trailing data)');
      return v;
    } catch (e) {
      // Bytes our encoder wrote always decode: a RangeError of a view's
      // bounds or a SyntaxError of a RegExp means they were changed.
      if (e instanceof TypeError) throw e;
      throw new TypeError(`janus-queue: corrupted item bytes (${(e as Error)?.message})`, { cause: e });
    } finally {
      this.refs.length = 0;
    }
  }

  private value(): unknown {
    const r = this.r;
    const tag = r.u8();
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case TRUE:
        return true;
      case FALSE:
        return false;
      case INT32:
        return r.i32();
      case FLOAT64:
        return r.f64();
      case BIGINT:
        return this.bigint();
      case STRING:
        return r.string();
      case REF: {
        const id = r.u32();
        if (id >= this.refs.length) throw new TypeError('janus-queue: corrupted item bytes (bad reference)');
        return this.refs[id];
      }
      case OBJECT: {
        const o: Record<string, unknown> = {};
        this.refs.push(o);
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const k = r.key();
          const v = this.value();
          if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          else o[k] = v;
        }
        return o;
      }
      case ARRAY: {
        const n = r.u32();
        // Each element takes at least one byte: a larger count is corruption.
        if (n > r.buf.length - r.pos) throw new TypeError('janus-queue: corrupted item bytes (array length)');
        const a: unknown[] = new Array(n);
        this.refs.push(a);
        for (let i = 0; i < n; i++) {
          if (r.buf[r.pos] === HOLE) r.pos++;
          else a[i] = this.value();
        }
        return a;
      }
      case DATE: {
        const d = new Date(r.f64());
        this.refs.push(d);
        return d;
      }
      case REGEXP: {
        const re = new RegExp(r.string(), r.string());
        this.refs.push(re);
        return re;
      }
      case MAP: {
        const m = new Map();
        this.refs.push(m);
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          m.set(k, this.value());
        }
        return m;
      }
      case SET: {
        const s = new Set();
        this.refs.push(s);
        const n = r.u32();
        for (let i = 0; i < n; i++) s.add(this.value());
        return s;
      }
      case ARRAY_BUFFER: {
        const bytes = r.bytes(r.u32());
        this.refs.push(bytes.buffer);
        return bytes.buffer;
      }
      case VIEW: {
        const C = VIEW_TYPES[r.u8()];
        const buffer = this.value();
        if (!C || !(buffer instanceof ArrayBuffer)) throw new TypeError('janus-queue: corrupted item bytes (view)');
        const v = new C(buffer, r.u32(), r.u32());
        this.refs.push(v);
        return v;
      }
      case ERROR: {
        const slot = this.refs.length;
        this.refs.push(undefined);
        const name = r.string();
        const E = Object.hasOwn(ERROR_TYPES, name) ? ERROR_TYPES[name]! : Error;
        const e = new E(r.string());
        this.refs[slot] = e;
        if (r.u8()) Object.defineProperty(e, 'stack', { value: r.string(), writable: true, configurable: true });
        else delete (e as { stack?: string }).stack;
        if (r.u8()) Object.defineProperty(e, 'cause', { value: this.value(), writable: true, configurable: true });
        return e;
      }
      case BOXED_BOOLEAN:
        return this.ref(Object(r.u8() === 1));
      case BOXED_NUMBER:
        return this.ref(Object(r.f64()));
      case BOXED_STRING:
        return this.ref(Object(r.string()));
      case BOXED_BIGINT:
        return this.ref(Object(this.bigint()));
    }
    throw new TypeError(`janus-queue: corrupted item bytes (unknown tag ${tag})`);
  }

  private ref<T>(v: T): T {
    this.refs.push(v);
    return v;
  }

  private bigint(): bigint {
    const negative = this.r.u8() === 1;
    const hex = this.r.string();
    if (!/^[0-9a-f]+$/.test(hex)) throw new TypeError('janus-queue: corrupted item bytes (bigint)');
    const m = BigInt(`0x${hex}`);
    return negative ? -m : m;
  }
}
