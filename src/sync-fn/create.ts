import { Worker } from 'node:worker_threads';
import type { SpawnRequest } from './supervisor.js';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Caller, type CallOptions, checkTimeout } from './caller.js';
import { type ChannelOptions, type SyncFnHandle, createHandle, openChannel } from './protocol.js';

/** Options of `createSyncFn` (a number instead of them is the `timeout`). */
export interface SyncFnOptions extends ChannelOptions {
  /** Default timeout of every call, in ms (omitted or Infinity: none). */
  timeout?: number;
  /** Node flags of the worker (`execArgv` of `new Worker`); default: the process's own, less `--input-type`, `-e` and `-p`. */
  execArgv?: string[];
  /** Environment of the worker (`env` of `new Worker`); default: a plain copy of `process.env` at this call (Deno's `process.env` is a Proxy that cannot be posted). */
  env?: Record<string, string | undefined>;
  /** Resource limits of the worker (`resourceLimits` of `new Worker`). */
  resourceLimits?: {
    /** The most MB of the worker's main heap. */
    maxOldGenerationSizeMb?: number;
    /** The most MB of the heap space for recently created objects. */
    maxYoungGenerationSizeMb?: number;
    /** MB pre-allocated for generated code. */
    codeRangeSizeMb?: number;
    /** The worker's default stack size, in MB. */
    stackSizeMb?: number;
  };
}

type AnyFn = (...args: any[]) => unknown;

/** The blocking function createSyncFn returns (and connectSyncFn). */
export interface SyncFn<F extends AnyFn> {
  (...args: Parameters<F>): Awaited<ReturnType<F>>;
  /** One call with its own options (a timeout for this call only). */
  callWith(options: CallOptions, ...args: Parameters<F>): Awaited<ReturnType<F>>;
  /** createSyncFn's: stops its worker. connectSyncFn's: disconnects this thread, so another may connect (the server runs on). Either way later calls of this function throw ServerGone. */
  close(): void;
}

const OPTION_NAMES = ['timeout', 'execArgv', 'env', 'resourceLimits', 'maxBytes'];
const CONNECT_OPTION_NAMES = ['timeout'];

/**
 * Starts a worker running the module at `workerPath` (which calls
 * `runAsWorker(fn)`), and returns a function that calls `fn` with its
 * arguments and blocks until it settles: it returns the result or throws
 * what `fn` threw. The worker does not keep the process alive.
 *
 * @typeParam F - the worker's function type (`typeof fn`), for the arguments and the result; default: any arguments, an `any` result, as synckit's.
 * @throws TypeError for a path that is not a string or URL, or an unknown option; RangeError for a bad timeout.
 *   A call of the returned function throws what `fn` threw, `CallTimeout`, or `ServerGone`.
 * @example
 * const format = createSyncFn<typeof import('./format-worker.js').format>(new URL('./format-worker.js', import.meta.url));
 * const out = format('code'); // blocks until the worker's async function resolves
 */
export function createSyncFn<F extends AnyFn = (...args: any[]) => any>(workerPath: string | URL, options?: SyncFnOptions | number): SyncFn<F> {
  const o: SyncFnOptions = typeof options === 'number' ? { timeout: options } : checkOptions(options, OPTION_NAMES, 'an object or a timeout');
  const timeout = o.timeout ?? Infinity;
  checkTimeout(timeout);
  const entry = entryURL(workerPath);
  const handle = createHandle(o.maxBytes === undefined ? undefined : { maxBytes: o.maxBytes });
  const channel = openChannel(handle, 'createSyncFn()');
  // The caller's own thread starts nothing: the supervisor starts the worker
  // and watches it (see supervisor.ts). The message is queued before the
  // first call blocks this thread.
  const request: SpawnRequest = {
    handle,
    entry,
    bootstrap: new URL('./sync-fn-worker.js', import.meta.url).href,
    options: { execArgv: o.execArgv ?? workerExecArgv(), env: o.env ?? { ...process.env }, resourceLimits: o.resourceLimits },
    inheritedFlags: o.execArgv === undefined,
  };
  supervisor().postMessage(request);
  const caller = new Caller(channel, timeout);
  return syncFn<F>(caller, () => {
    caller.closed('janus-queue/sync-fn: close() was called on this function');
    channel.requests.shutdown(false); // the worker answers what is queued, then exits
  });
}

/**
 * The blocking caller of a handle served by `serveAsync` on another thread,
 * for this thread. One calling thread per handle.
 *
 * @typeParam F - the served function's type, for the arguments and the result; default: any arguments, an `any` result.
 * @throws TypeError for something that is not a sync-fn handle, a handle another thread is connected to or this thread serves, or an unknown option; RangeError for a bad timeout.
 * @example
 * // worker.mjs
 * const lookup = connectSyncFn(workerData, { timeout: 5000 });
 * const value = lookup('key'); // blocks while the main thread's async function runs
 */
export function connectSyncFn<F extends AnyFn = (...args: any[]) => any>(handle: SyncFnHandle, options?: { timeout?: number }): SyncFn<F> {
  const timeout = checkOptions(options, CONNECT_OPTION_NAMES, 'an object').timeout ?? Infinity;
  checkTimeout(timeout);
  const channel = openChannel(handle, 'connectSyncFn()');
  const caller = new Caller(channel, timeout);
  return syncFn<F>(caller, () => {
    caller.closed('janus-queue/sync-fn: close() was called on this function');
    caller.release();
  });
}

function syncFn<F extends AnyFn>(caller: Caller, close: () => void): SyncFn<F> {
  const f = ((...args: unknown[]) => caller.call(args)) as unknown as SyncFn<F>;
  f.callWith = (options: CallOptions, ...args: unknown[]) => caller.call(args, options) as Awaited<ReturnType<F>>;
  f.close = close;
  return f;
}

let watcher: Worker | undefined;

/** The one supervisor thread of this thread, started at the first createSyncFn; it never keeps the process alive. */
function supervisor(): Worker {
  if (!watcher) {
    // execArgv: [] so that no flag of the process (an --import that fails,
    // --input-type) can stop it from starting.
    // NODE_OPTIONS is dropped for the same reason (a preload that refuses worker threads).
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    watcher = new Worker(new URL('./sync-fn-supervisor.js', import.meta.url), { execArgv: [], env });
    watcher.unref();
  }
  return watcher;
}

/** The process's flags, less those that only make sense for its entry (they stop a worker from loading a file). */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--input-type')) continue;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++;
      continue;
    }
    if (a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    out.push(a);
  }
  return out;
}

/** `options` (an object whose keys are all in `names`), or {}; `expected` says what may be passed, for the error. */
function checkOptions<O extends object>(options: O | undefined, names: readonly string[], expected: string): O | Record<string, never> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`janus-queue/sync-fn: options must be ${expected}, got ${typeof options}`);
  for (const key of Object.keys(options))
    if (!names.includes(key)) throw new TypeError(`janus-queue/sync-fn: unknown option "${key}" (known: ${names.join(', ')})`);
  return options;
}

function entryURL(workerPath: string | URL): string {
  if (workerPath instanceof URL) return workerPath.href;
  if (typeof workerPath !== 'string' || workerPath === '')
    throw new TypeError(`janus-queue/sync-fn: createSyncFn() needs the worker's path or file URL, got ${typeof workerPath}`);
  return workerPath.startsWith('file:') ? workerPath : pathToFileURL(resolve(workerPath)).href;
}
