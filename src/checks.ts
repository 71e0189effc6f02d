import { describe } from './codec/index.js';

// The checks of the faces' arguments: each returns the value it accepts or
// throws a clear error naming the option, before anything shared is touched.

/** A timeout option, checked: undefined and Infinity mean no limit; negative or NaN is a RangeError. */
export function checkTimeout(timeout: unknown, what: string): number {
  if (timeout === undefined || timeout === Infinity) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)
    throw new RangeError(`janus-queue: ${what} timeout must be a number of milliseconds >= 0, got ${describe(timeout)}`);
  return timeout;
}

/**
 * A put's timeout: on a queue unbounded by count an invalid one is ignored,
 * as in Python (the queue can still be full by bytes; then it waits without limit).
 */
export function putTimeout(timeout: unknown, maxsize: number): number {
  if (maxsize > 0) return checkTimeout(timeout, 'put()');
  try {
    return checkTimeout(timeout, 'put()');
  } catch {
    return Infinity;
  }
}

/** getMany's `max`: an integer >= 1. */
export function checkMax(max: unknown): number {
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    throw new (typeof max === 'number' ? RangeError : TypeError)(`janus-queue: getMany() max must be an integer >= 1, got ${describe(max)}`);
  return max;
}

/** An AbortSignal option (anything with addEventListener and aborted). */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).addEventListener !== 'function' || !('aborted' in signal))
    throw new TypeError('janus-queue: option "signal" must be an AbortSignal');
  return signal as AbortSignal;
}

/**
 * A call's options object: undefined, or an object whose keys are all among
 * `names` (a misspelled option, such as `timout`, is a TypeError naming the
 * known ones, not ignored). Returns it (typed by the caller).
 */
export function checkOptions<O>(options: O | undefined, call: string, names: readonly string[]): O | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new TypeError(`janus-queue: ${call} options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!names.includes(key)) throw new TypeError(`janus-queue: unknown ${call} option "${key}" (expected ${names.join(' or ')})`);
  }
  return options;
}

export const SYNC_OPTIONS = ['block', 'timeout'] as const;
export const ASYNC_OPTIONS = ['timeout', 'signal'] as const;
export const JOIN_OPTIONS = ['timeout'] as const;
