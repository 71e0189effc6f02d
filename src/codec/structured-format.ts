/**
 * The default codec's byte format, shared by its encoder and decoder: each
 * value is a tag byte and its data. Objects, arrays, Maps, Sets, Dates,
 * RegExps, Errors, boxed primitives, ArrayBuffers and views get an id in the
 * order they are first written (pre-order); a second reference to one is
 * written as REF id, which keeps shared references and cycles.
 */

export const UNDEFINED = 0;
export const NULL = 1;
export const TRUE = 2;
export const FALSE = 3;
export const INT32 = 4; // i32
export const FLOAT64 = 5; // f64
export const BIGINT = 6; // u8 sign, string (hex magnitude)
export const STRING = 7; // string (bytes-io.ts)
export const REF = 8; // u32 id
export const OBJECT = 9; // u32 count, then count × (string key, value)
export const ARRAY = 10; // u32 length, then length × (value or HOLE)
export const HOLE = 11;
export const DATE = 12; // f64
export const REGEXP = 13; // string source, string flags
export const MAP = 14; // u32 count, then count × (key, value)
export const SET = 15; // u32 count, then count × value
export const ARRAY_BUFFER = 16; // u32 byte length, bytes, i32 maxByteLength (-1: fixed length)
export const VIEW = 17; // u8 type, the buffer (ARRAY_BUFFER or REF), u32 byte offset, u32 length
export const ERROR = 18; // string name, string message, u8 has stack [string], u8 has cause [value]
export const BOXED_BOOLEAN = 19;
export const BOXED_NUMBER = 20;
export const BOXED_STRING = 21;
export const BOXED_BIGINT = 22;
/** A plain object of a known shape: the shape's key block (shapes.ts), then one value per key. */
export const SHAPE = 23;
/** SHAPE whose object a value inside it refers back to (a cycle): the decoder creates the object before reading its values. */
export const SHAPE_OPEN = 24;
/** In a SHAPE object: the key was deleted (by a getter of an earlier key) before its value was read; the key is left out. */
export const ABSENT = 25;
/** An integer 0–255 in one byte. */
export const UINT8 = 26;

/**
 * Containers (objects, arrays, Maps, Sets, errors with a cause) nested more
 * deeply than this are refused at put (a RangeError), and bytes that nest
 * more deeply are refused at get: every thread, whatever its stack, can
 * decode what any thread could encode.
 */
export const MAX_DEPTH = 1000;

export const VIEW_TYPES = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
] as const;

export const ERROR_NAMES = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'] as const;
