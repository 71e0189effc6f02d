import type { Codec, CodecName } from 'janus-queue';
import { type RedisConnection, checkConnection } from './connection.js';
import type { CoreConfig } from './core.js';

/**
 * Options of `new RedisQueue(options)` (and of `RedisLifoQueue`,
 * `RedisPriorityQueue`). An unknown option name is a `TypeError`; a bad value
 * is a `TypeError` or `RangeError` naming the option.
 */
export interface RedisQueueOptions<T = unknown> {
  /** The queue's name: every object made with the same name (and prefix, on the same server) is the same queue. Required. */
  name: string;
  /** Where Redis is: a `redis://` URL or ioredis options (plain data). Default `redis://127.0.0.1:6379`. */
  connection?: RedisConnection;
  /** The most items waiting; a put waits while the queue holds that many. `<= 0`, `Infinity` or omitted: unbounded. Every object of a queue must give the same. */
  maxsize?: number;
  /** How items become bytes, as for the in-memory queue: `'structured'` (default), `'json'`, `'bytes'`, `'string'`, or a custom codec. Every object of a queue must use the same. */
  codec?: CodecName | Codec<T>;
  /** How long an item taken and not marked done stays leased to this object's process without a heartbeat, in ms (default 30000, at least 100). The heartbeat renews it every third of that. */
  leaseMs?: number;
  /** The most ms a call waits for Redis to answer when its own timeout is shorter (default 5000): then it rejects with `RedisTimeout`. */
  commandTimeout?: number;
  /** The first part of every key (default `'janus'`). */
  prefix?: string;
}

const NAMES = new Set(['name', 'connection', 'maxsize', 'codec', 'leaseMs', 'commandTimeout', 'prefix']);

/** Checks the options (the codec is checked by Items); returns the core's plain config and the codec option. */
export function checkOptions(options: unknown, kind: 1 | 2 | 3): { config: CoreConfig; codec: unknown } {
  if (typeof options !== 'object' || options === null) throw new TypeError('janus-queue: RedisQueue needs options with at least a "name"');
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!NAMES.has(key)) throw new TypeError(`janus-queue: unknown option "${key}"`);
  const { name, maxsize = 0, leaseMs = 30_000, commandTimeout = 5000, prefix = 'janus' } = o;
  if (typeof name !== 'string' || name === '' || /[{}]/.test(name)) throw new TypeError(`janus-queue: option "name" must be a non-empty string without braces, got ${typeof name === 'string' ? JSON.stringify(name) : typeof name}`);
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) throw new TypeError('janus-queue: option "prefix" must be a string without braces');
  if (typeof maxsize !== 'number' || (maxsize !== Infinity && !(Number.isInteger(maxsize) && maxsize >= -(2 ** 31) && maxsize < 2 ** 31)))
    throw new RangeError(`janus-queue: option "maxsize" must be a 32-bit integer or Infinity, got ${String(maxsize)}`);
  if (typeof leaseMs !== 'number' || !Number.isInteger(leaseMs) || leaseMs < 100) throw new RangeError(`janus-queue: option "leaseMs" must be an integer >= 100, got ${String(leaseMs)}`);
  if (typeof commandTimeout !== 'number' || !(commandTimeout > 0) || commandTimeout === Infinity) throw new RangeError(`janus-queue: option "commandTimeout" must be a finite number > 0, got ${String(commandTimeout)}`);
  const codec = o.codec === undefined ? 'structured' : typeof o.codec === 'string' ? o.codec : 'custom';
  const config: CoreConfig = { name, prefix, kind, maxsize: maxsize === Infinity || maxsize < 0 ? 0 : maxsize, codec, leaseMs, commandTimeout, connection: checkConnection(o.connection) };
  return { config, codec: o.codec };
}

/** A call's timeout in ms: Infinity when omitted; RangeError for a negative, NaN or non-number one. */
export function checkTimeout(timeout: unknown): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) throw new RangeError(`janus-queue: timeout must be a number >= 0 (ms), got ${String(timeout)}`);
  return timeout;
}

/** getMany's `max`: an integer >= 1. */
export function checkMax(max: unknown): number {
  if (typeof max !== 'number') throw new TypeError(`janus-queue: getMany(max) needs a number, got ${typeof max}`);
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`janus-queue: getMany(max) needs an integer >= 1, got ${max}`);
  return max;
}
