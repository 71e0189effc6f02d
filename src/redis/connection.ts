import { Redis, type RedisOptions } from 'ioredis';
import { SCRIPTS, type ScriptName } from './scripts.js';

/** Where the queue's Redis is: a `redis://` URL, or ioredis options (host, port, password, tls, db, …). Plain data, so that `syncQ` can pass it to its worker. */
export type RedisConnection = string | RedisOptions;

/** A client with the queue's scripts; `<name>Buffer` returns bytes. */
export type ScriptClient = Redis & {
  [K in ScriptName | `${ScriptName}Buffer`]: (...args: (string | number | Buffer)[]) => Promise<unknown>;
};

// What the queue needs of every connection, over what the caller gave:
// - maxRetriesPerRequest null, offline queue on: a command sent while the
//   connection is down waits for it to come back (the call's own deadline,
//   not the client, decides when to give up);
// - autoResendUnfulfilledCommands off: a command in flight when the
//   connection dropped is failed, not sent again; the queue decides whether
//   it may be repeated (every script is safe to repeat: a put carries its id);
// - a reconnect every 50 ms at first, then every 500 ms, for ever.
const FORCED: RedisOptions = {
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  autoResendUnfulfilledCommands: false,
  lazyConnect: false,
  retryStrategy: (times: number) => Math.min(50 * times, 500),
  // No auto-pipelining: the queue batches its calls of one tick itself (one
  // script), and ioredis's per-tick pipeline object cost more CPU than it saved.
  enableAutoPipelining: false,
};

/** A new connection with the queue's scripts defined (EVALSHA, and EVAL when the server does not know the script yet). */
export function openClient(connection: RedisConnection): ScriptClient {
  const client = typeof connection === 'string' ? new Redis(connection, FORCED) : new Redis({ ...connection, ...FORCED });
  // An 'error' event without a listener would be thrown; the calls see the
  // errors that concern them, and a lost connection is retried for ever.
  client.on('error', () => {});
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua, numberOfKeys: name === 'jqPut' ? 7 : 6 });
  return client as ScriptClient;
}

/** True for an error the server replied (a script's error, a wrong type): repeating the call would not help. */
export function isReplyError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ReplyError';
}

/** Checks the `connection` option; throws a TypeError naming it. */
export function checkConnection(connection: unknown): RedisConnection {
  if (connection === undefined) return 'redis://127.0.0.1:6379';
  if (typeof connection === 'string' && /^rediss?:\/\//.test(connection)) return connection;
  if (typeof connection === 'object' && connection !== null && !Array.isArray(connection)) return connection as RedisOptions;
  throw new TypeError(`janus-queue: option "connection" must be a redis:// URL or an ioredis options object, got ${typeof connection === 'string' ? JSON.stringify(connection) : typeof connection}`);
}
