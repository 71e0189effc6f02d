/**
 * The wire of a synchronous call, shared by the caller (blocks on `syncQ`)
 * and the server (serves on the event loop). One handle is two queues and a
 * small control buffer:
 *
 * - `requests`: `[id, args]`, put by the caller, got by the server;
 * - `replies`: `[id, kind, payload]`, put by the server, got by the caller;
 * - `control`: the words below.
 *
 * Roles: one calling thread at a time per handle (claimed in `CALLER`), one
 * server. Ids come from one counter, so a reply that arrives after its call
 * timed out has a smaller id than the call that finds it, and is dropped.
 */
import { Queue, type QueueHandle } from 'janus-queue';
import { RANDOM_TOKENS, threadToken } from '../platform.js';

/** Control words (Int32Array indices). */
export const C_MAGIC = 0;
/** The thread token (THREAD_TOKEN) of the connected caller, 0 when none. */
export const C_CALLER = 1;
/** The id of the last call; ids start at 1. */
export const C_LAST_ID = 2;
/** The thread token (THREAD_TOKEN) of the server once it serves, 0 before. */
export const C_SERVING = 3;
/** 1 once the server has said goodbye (its farewell reply is in `replies`). */
export const C_GONE = 4;
const CONTROL_WORDS = 16; // 64 bytes: one cache line
const MAGIC = 0x53464e31; // 'SFN1'

/** The key under which a createSyncFn worker finds its channel and entry in `workerData`. */
export const WORKER_KEY = '__janusQueueSyncFn';

/** Reply kinds. */
export const RETURNED = 0;
export const THREW_ERROR = 1;
export const THREW_VALUE = 2;
/** The server is gone; the payload is a `Farewell`. */
export const GONE = 3;

/**
 * This thread's token in the control words (0 means nobody): the queue's
 * rule (src/platform.ts), `threadId + 1` where that is unique in the process,
 * else a random number no threadId token reaches (a Deno web Worker, whose
 * threadId reads 0 as the main thread's does).
 */
export const THREAD_TOKEN = threadToken();

/** How an error message names the thread of a token. */
export function threadName(token: number): string {
  return token < RANDOM_TOKENS ? `thread ${token - 1}` : 'a thread without a threadId (a web worker)';
}

export type Request = [id: number, args: unknown[]];
export type Reply = [id: number, kind: number, payload: unknown];

/** A thrown Error, as it crosses threads. */
export interface WireError {
  name: string;
  message: string;
  stack: string | undefined;
  props: Record<string, unknown>;
  cause?: WireError | { value: unknown };
}

export interface Farewell {
  message: string;
  exitCode: number | undefined;
  error: WireError | undefined;
}

/** A plain, structured-cloneable description of a sync-fn channel: pass it to another thread. */
export interface SyncFnHandle {
  /** Marks a sync-fn handle. */
  readonly janusSyncFn: 1;
  /** The queue of `[id, args]` calls. */
  readonly requests: QueueHandle;
  /** The queue of `[id, kind, payload]` replies. */
  readonly replies: QueueHandle;
  /** The control words: who calls, the last call id, whether a server serves, whether it has left. */
  readonly control: SharedArrayBuffer;
}

/** Options of a sync-fn channel (`createSyncFnHandle`, `createSyncFn`). */
export interface ChannelOptions {
  /** The largest encoded arguments or result, in bytes (default 1 MiB): the queues' maxBytes. */
  maxBytes?: number;
}

export interface Channel {
  requests: Queue<Request>;
  replies: Queue<Reply>;
  control: Int32Array;
}

export function createHandle(options?: ChannelOptions): SyncFnHandle {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new TypeError(`janus-queue/sync-fn: options must be an object, got ${typeof options}`);
  const maxBytes = options?.maxBytes;
  const queueOptions = maxBytes === undefined ? {} : { maxBytes };
  const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
  new Int32Array(control)[C_MAGIC] = MAGIC;
  return Object.freeze({
    janusSyncFn: 1,
    requests: new Queue<Request>(queueOptions).handle,
    replies: new Queue<Reply>(queueOptions).handle,
    control,
  });
}

/** Attaches both queues of a handle; a TypeError says what is wrong with anything else. */
export function openChannel(handle: unknown, who: string): Channel {
  const h = handle as Partial<SyncFnHandle> | null;
  if (typeof h !== 'object' || h === null || h.janusSyncFn !== 1)
    throw new TypeError(`janus-queue/sync-fn: ${who} needs the handle of createSyncFnHandle(), got ${h === null ? 'null' : typeof h}`);
  const c = h.control;
  if (Object.prototype.toString.call(c) !== '[object SharedArrayBuffer]' || (c as SharedArrayBuffer).byteLength !== CONTROL_WORDS * 4)
    throw new TypeError(`janus-queue/sync-fn: ${who}: the handle has no control buffer of ${CONTROL_WORDS * 4} bytes`);
  const control = new Int32Array(c as SharedArrayBuffer);
  if (Atomics.load(control, C_MAGIC) !== MAGIC) throw new TypeError(`janus-queue/sync-fn: ${who}: not a sync-fn control buffer`);
  return { requests: Queue.attach<Request>(h.requests as QueueHandle), replies: Queue.attach<Reply>(h.replies as QueueHandle), control };
}

const ERROR_TYPES: Record<string, ErrorConstructor> = Object.assign(Object.create(null), {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
});

const isError = (e: unknown): e is Error => Object.prototype.toString.call(e) === '[object Error]';

/** Reads `o[key]`; a getter that throws gives `undefined`. */
function read(o: object, key: PropertyKey): unknown {
  try {
    return (o as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `String(v)` that cannot throw (a Symbol, an object whose toString throws). */
function text(v: unknown): string {
  try {
    return typeof v === 'symbol' ? v.toString() : String(v);
  } catch {
    return '';
  }
}

/**
 * An Error as plain data: name, message, stack, own enumerable properties,
 * and its cause. Total: a property whose getter throws is left out, so a
 * strange error still gets an answer to the caller.
 */
export function toWireError(e: Error, depth = 0): WireError {
  const props: Record<string, unknown> = {};
  let keys: string[] = [];
  try {
    keys = Object.keys(e);
  } catch {
    // a Proxy that refuses: no own properties then
  }
  for (const key of keys) if (key !== 'cause') props[key] = read(e, key);
  const stack = read(e, 'stack');
  const wire: WireError = { name: text(read(e, 'name')), message: text(read(e, 'message')), stack: typeof stack === 'string' ? stack : undefined, props };
  if ('cause' in e) {
    const cause = read(e, 'cause');
    wire.cause = isError(cause) && depth < 8 ? toWireError(cause, depth + 1) : { value: cause };
  }
  return wire;
}

/** The Error of `toWireError`, rebuilt: the standard class of its name (else Error), same name, message, stack and properties. */
export function fromWireError(w: WireError): Error {
  const e = new (ERROR_TYPES[w.name] ?? Error)(w.message);
  if (e.name !== w.name) Object.defineProperty(e, 'name', { value: w.name, writable: true, configurable: true, enumerable: false });
  if (w.stack !== undefined) Object.defineProperty(e, 'stack', { value: w.stack, writable: true, configurable: true, enumerable: false });
  Object.assign(e, w.props);
  if (w.cause !== undefined) {
    const cause = 'value' in w.cause ? w.cause.value : fromWireError(w.cause);
    Object.defineProperty(e, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  }
  return e;
}

/** The reply for a call that threw `e`. */
export function thrownReply(id: number, e: unknown): Reply {
  return isError(e) ? [id, THREW_ERROR, toWireError(e)] : [id, THREW_VALUE, e];
}
