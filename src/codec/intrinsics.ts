/**
 * The built-in getters and methods the codecs read values through, captured
 * when this module loads. A value's own properties cannot shadow them (a
 * typed array with an own `length`, a Map with an own `size`), and they read
 * the internal slots, as structuredClone does: what the codec measures is
 * what it writes. Calling one on an object of the wrong kind throws a
 * TypeError, which is also how the codec tells kinds apart when a value's
 * prototype or Symbol.toStringTag says something else.
 */

type Getter<T> = (this: unknown) => T;

function getter<T>(proto: object, name: PropertyKey): Getter<T> {
  return Object.getOwnPropertyDescriptor(proto, name)!.get as Getter<T>;
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = getter<string | undefined>(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayLength = getter<number>(TypedArrayPrototype, 'length');
const typedArrayByteOffset = getter<number>(TypedArrayPrototype, 'byteOffset');
const typedArrayBuffer = getter<ArrayBufferLike>(TypedArrayPrototype, 'buffer');
const dataViewByteLength = getter<number>(DataView.prototype, 'byteLength');
const dataViewByteOffset = getter<number>(DataView.prototype, 'byteOffset');
const dataViewBuffer = getter<ArrayBufferLike>(DataView.prototype, 'buffer');
const arrayBufferByteLength = getter<number>(ArrayBuffer.prototype, 'byteLength');
const arrayBufferResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get as Getter<boolean> | undefined;
const arrayBufferMaxByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'maxByteLength')?.get as Getter<number> | undefined;
const sharedByteLength = typeof SharedArrayBuffer === 'function' ? getter<number>(SharedArrayBuffer.prototype, 'byteLength') : undefined;
const mapSize = getter<number>(Map.prototype, 'size');
const setSize = getter<number>(Set.prototype, 'size');
const mapEntries = Map.prototype.entries as (this: unknown) => Iterator<[unknown, unknown]>;
const setValues = Set.prototype.values as (this: unknown) => Iterator<unknown>;
const mapIteratorNext = Object.getPrototypeOf(new Map().entries()).next as (this: unknown) => IteratorResult<[unknown, unknown]>;
const setIteratorNext = Object.getPrototypeOf(new Set().values()).next as (this: unknown) => IteratorResult<unknown>;
const dateGetTime = Date.prototype.getTime as (this: unknown) => number;
const regExpSource = getter<string>(RegExp.prototype, 'source');
const regExpFlags = getter<string>(RegExp.prototype, 'flags');
const booleanValueOf = Boolean.prototype.valueOf as (this: unknown) => boolean;
const numberValueOf = Number.prototype.valueOf as (this: unknown) => number;
const stringValueOf = String.prototype.valueOf as (this: unknown) => string;
const bigintValueOf = BigInt.prototype.valueOf as (this: unknown) => bigint;
const objectToString = Object.prototype.toString as (this: unknown) => string;
const setInto = Uint8Array.prototype.set as (this: Uint8Array, src: ArrayLike<number>, offset?: number) => void;

export const isArrayBufferView = ArrayBuffer.isView;
export const hasOwn = Object.hasOwn as (o: object, key: PropertyKey) => boolean;
const hasOwnProperty = Object.prototype.hasOwnProperty as (this: object, key: PropertyKey) => boolean;

/**
 * Writes the own enumerable string keys of `o` (an object of
 * Object.prototype, or of none) into `keys` from index 0, in Object.keys
 * order, and returns how many: a for-in filtered by hasOwnProperty (V8
 * answers both from the object's enum cache), so no array is made per
 * object. for-in lists the same own keys in the same order as Object.keys,
 * then inherited enumerable ones (one polluting Object.prototype), which the
 * filter drops.
 */
export function ownKeysInto(o: object, keys: string[]): number {
  let n = 0;
  for (const k in o) if (hasOwnProperty.call(o, k)) keys[n++] = k;
  return n;
}

/**
 * ownKeysInto, for an object expected to have the keys `expected`: -1 when
 * its for-in lists exactly those, in that order (nothing is written into
 * `keys`); else its own enumerable string keys' count, listed into `keys`.
 * One for-in either way: a Proxy's traps run once, as when the keys are
 * listed. On the -1 path no key is checked to be own here (a
 * hasOwnProperty per key is a third of the listing's cost): for-in lists
 * own keys before inherited ones, so only a key the prototype has can be
 * inherited, and the shape's writer checks those before it reads any value
 * (shapes.ts, compileWriter).
 */
export function ownKeysUnless(o: object, expected: readonly string[], keys: string[]): number {
  const m = expected.length;
  let n = 0;
  let same = true;
  for (const k in o) {
    if (same) {
      if (n < m && k === expected[n]) {
        n++;
        continue;
      }
      same = false;
      for (let j = 0; j < n; j++) keys[j] = expected[j]!;
    }
    keys[n++] = k;
  }
  if (same) {
    if (n === m) return -1;
    for (let j = 0; j < n; j++) keys[j] = expected[j]!;
  }
  // The keys listed, own ones kept.
  let own = 0;
  for (let j = 0; j < n; j++) if (hasOwnProperty.call(o, keys[j]!)) keys[own++] = keys[j]!;
  return own;
}

export const tagOf = (v: object): string => objectToString.call(v);
export const uint8Set = (dst: Uint8Array, src: Uint8Array, at: number): void => setInto.call(dst, src, at);
const copyWithinOf = Uint8Array.prototype.copyWithin as (this: Uint8Array, target: number, start: number, end: number) => Uint8Array;
export const uint8CopyWithin = (buf: Uint8Array, to: number, start: number, end: number): void => void copyWithinOf.call(buf, to, start, end);

/** Runs `read` on `v`; undefined if `v` lacks the internal slot (a TypeError), without the cost of a stack trace. */
function probe<T>(read: (this: unknown) => T, v: object): T | undefined {
  const limit = Error.stackTraceLimit;
  // Reflect.set: where the limit cannot be changed (a frozen Error, as a
  // hardened environment leaves it), probe with the stack trace instead.
  const lowered = Reflect.set(Error, 'stackTraceLimit', 0);
  try {
    return read.call(v);
  } catch {
    return undefined;
  } finally {
    if (lowered) Error.stackTraceLimit = limit;
  }
}

/** A typed array's constructor name from its internal slot ('Uint8Array', …), or undefined for anything else (a DataView too). */
export const typedArrayName = (v: object): string | undefined => typedArrayTag.call(v);
export const typedArrayInfo = (v: object): { buffer: ArrayBufferLike; byteOffset: number; length: number } => ({
  buffer: typedArrayBuffer.call(v),
  byteOffset: typedArrayByteOffset.call(v),
  length: typedArrayLength.call(v),
});
export const dataViewInfo = (v: object): { buffer: ArrayBufferLike; byteOffset: number; length: number } => ({
  buffer: dataViewBuffer.call(v),
  byteOffset: dataViewByteOffset.call(v),
  length: dataViewByteLength.call(v),
});
/** A Uint8Array's length from its internal slot (an own `length` property cannot lie about it). */
export const uint8Length = (v: Uint8Array): number => typedArrayLength.call(v);
/** Whether `v` is a real Uint8Array (not a Proxy, not an object that only inherits from Uint8Array.prototype). */
export const isUint8Array = (v: unknown): v is Uint8Array => typeof v === 'object' && v !== null && typedArrayTag.call(v) === 'Uint8Array';

/** What kind of built-in `v` is, by its internal slots; undefined for an ordinary object (or a host object). */
export type Brand = 'Date' | 'RegExp' | 'Map' | 'Set' | 'ArrayBuffer' | 'SharedArrayBuffer' | 'Boolean' | 'Number' | 'String' | 'BigInt';
export function brandOf(v: object): Brand | undefined {
  // The tag is only a hint (Symbol.toStringTag can say anything): the hinted
  // brand is checked first (it is almost always right), then every other one.
  const hint = HINTS[tagOf(v)];
  if (hint !== undefined) {
    // Tried first without probe()'s guard of the stack trace limit: a
    // hinted check almost always succeeds, and one that throws only costs
    // its stack trace (the value lied about its tag). A check the runtime
    // lacks (no SharedArrayBuffer) answers undefined: not that brand.
    try {
      if (CHECKS[hint].call(v) !== undefined) return hint;
    } catch {
      // Not what its tag says: try every other brand below.
    }
  }
  for (const b of BRANDS) if (b !== hint && probe(CHECKS[b], v) !== undefined) return b;
  return undefined;
}
const BRANDS: Brand[] = ['Date', 'Map', 'Set', 'RegExp', 'ArrayBuffer', 'SharedArrayBuffer', 'Boolean', 'Number', 'String', 'BigInt'];
const HINTS: Record<string, Brand | undefined> = Object.assign(Object.create(null) as Record<string, Brand | undefined>, Object.fromEntries(['Date', 'Map', 'Set', 'RegExp', 'ArrayBuffer', 'SharedArrayBuffer', 'Boolean', 'Number', 'String', 'BigInt'].map((b) => [`[object ${b}]`, b as Brand])));
const CHECKS: Record<Brand, (this: unknown) => unknown> = {
  Date: dateGetTime,
  RegExp: regExpSource,
  Map: mapSize,
  Set: setSize,
  ArrayBuffer: arrayBufferByteLength,
  SharedArrayBuffer: sharedByteLength ?? (() => undefined),
  Boolean: booleanValueOf,
  Number: numberValueOf,
  String: stringValueOf,
  BigInt: bigintValueOf,
};

export const dateTime = (v: object): number => dateGetTime.call(v);
export const regExpParts = (v: object): [source: string, flags: string] => [regExpSource.call(v), regExpFlags.call(v)];
const VALUE_OF: Record<'Boolean' | 'Number' | 'String' | 'BigInt', (this: unknown) => unknown> = {
  Boolean: booleanValueOf,
  Number: numberValueOf,
  String: stringValueOf,
  BigInt: bigintValueOf,
};
export const boxedValue = (v: object, b: 'Boolean' | 'Number' | 'String' | 'BigInt'): unknown => VALUE_OF[b].call(v);
/** A Map's entries through the built-in iterator (a Map whose `entries` or iterator was replaced cannot lie). */
export function* mapEntriesOf(v: object): Generator<[unknown, unknown]> {
  const it = mapEntries.call(v);
  for (let r = mapIteratorNext.call(it); !r.done; r = mapIteratorNext.call(it)) yield r.value;
}
export function* setValuesOf(v: object): Generator<unknown> {
  const it = setValues.call(v);
  for (let r = setIteratorNext.call(it); !r.done; r = setIteratorNext.call(it)) yield r.value;
}
export const arrayBufferLength = (v: object): number => arrayBufferByteLength.call(v);
export const sharedArrayBufferLength = (v: object): number => sharedByteLength!.call(v);
/** A resizable ArrayBuffer's maxByteLength, or -1 for a fixed-length one (or a runtime without resizable buffers). */
export const maxByteLengthOf = (v: object): number => (arrayBufferResizable?.call(v) ? arrayBufferMaxByteLength!.call(v) : -1);

/**
 * What the decoders build values with, captured at load as well: a later
 * patch of `Map.prototype.set`, `Set.prototype.add`, a global constructor,
 * `String.fromCharCode` or a typed array's `subarray` runs none of the
 * caller's code while an item is decoded. That code could get from the same
 * queue and refill the buffer a `getMany` is still decoding; structured
 * clone's deserializer runs none either.
 */
export const Built = {
  Date,
  RegExp,
  Map,
  Set,
  ArrayBuffer,
  Uint8Array,
  Int32Array,
  BigInt,
  box: Object as (v: unknown) => object,
  Function,
  stringify: JSON.stringify,
  defineProperty: Object.defineProperty,
  create: Object.create,
  fromCharCode: String.fromCharCode,
  imul: Math.imul,
  mapSet: Map.prototype.set as (this: Map<unknown, unknown>, k: unknown, v: unknown) => Map<unknown, unknown>,
  setAdd: Set.prototype.add as (this: Set<unknown>, v: unknown) => Set<unknown>,
} as const;

/** An Int32Array of `buf`'s bytes from its start (as many whole words as it holds), or undefined if it does not start on a 4-byte boundary. */
export function wordsOf(buf: Uint8Array): Int32Array | undefined {
  const offset = typedArrayByteOffset.call(buf);
  if ((offset & 3) !== 0) return undefined;
  return new Built.Int32Array(typedArrayBuffer.call(buf) as ArrayBuffer, offset, typedArrayLength.call(buf) >> 2);
}

/** A typed array's buffer and byte offset, read through the intrinsic getters. */
export const bufferOf = (v: ArrayBufferView): ArrayBufferLike => typedArrayBuffer.call(v);
export const byteOffsetOf = (v: ArrayBufferView): number => typedArrayByteOffset.call(v);

/** A view of `buf[start … start + n)`, made from its internal slots (no `subarray`, whose species a caller can replace). */
export const viewOf = (buf: Uint8Array, start: number, n: number): Uint8Array =>
  new Built.Uint8Array(typedArrayBuffer.call(buf), typedArrayByteOffset.call(buf) + start, n);

/**
 * Node's and Bun's `Buffer.allocUnsafeSlow`, captured: an ArrayBuffer of its
 * own, not zeroed, as a structured clone's receiver allocates one. A 64 KiB
 * array made zeroed and then copied into writes its memory twice. Not
 * Deno's (it zeroes, and measured slower than a Uint8Array), nor a
 * polyfill's in a browser bundle (plain JavaScript that calls the global
 * Uint8Array, which a caller may have replaced).
 */
const host = globalThis as { Buffer?: { allocUnsafeSlow?: (n: number) => Uint8Array }; process?: { versions?: { node?: string } }; Deno?: unknown };
const allocUnsafe = host.process?.versions?.node !== undefined && host.Deno === undefined ? host.Buffer?.allocUnsafeSlow : undefined;

/**
 * A new Uint8Array of `n` bytes over an ArrayBuffer of exactly its own, for
 * a caller that overwrites every byte before anyone reads it: from 4 KiB on,
 * not zeroed where the runtime can (below, zeroing costs nothing measurable).
 */
export function freshArray(n: number): Uint8Array {
  if (n >= 4096 && allocUnsafe !== undefined) {
    const b = typedArrayBuffer.call(allocUnsafe(n)) as ArrayBuffer;
    if (arrayBufferByteLength.call(b) === n) return new Built.Uint8Array(b, 0, n);
  }
  return new Built.Uint8Array(n);
}

/** A fresh copy of `buf[start … start + n)`, made as viewOf() makes its view (no `slice`). */
export function copyOf(buf: Uint8Array, start: number, n: number): Uint8Array {
  const copy = freshArray(n);
  uint8Set(copy, viewOf(buf, start, n), 0);
  return copy;
}
