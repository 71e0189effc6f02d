/**
 * The thread behind a Redis queue's `syncQ` (one per syncQ, started by
 * createSyncFn): it owns the connections and runs the async core, while the
 * calling thread blocks. Items cross as bytes (the caller encodes and
 * decodes); each reply carries the queue's numbers.
 */
import { runAsWorker } from '../sync-fn/index.js';
import { type CoreConfig, RedisCore } from './core.js';

let core: RedisCore | undefined;

function opened(): RedisCore {
  if (!core) throw new Error('janus-queue: the sync face was not opened');
  return core;
}

const timing = (timeout: number) => ({ timeout, commandTimeout: opened().config.commandTimeout });

/** One blocking call of the sync face: what it does, by name. */
export async function serveCall(op: string, a?: unknown, b?: unknown): Promise<unknown> {
  switch (op) {
    case 'open':
      core = new RedisCore(a as CoreConfig);
      return undefined;
    case 'put':
      await opened().put(a as [number, Uint8Array][], timing(b as number));
      return undefined;
    case 'get': {
      const taken = await opened().get(a as number, timing(b as number));
      return taken.map((t) => [new Uint8Array(t.bytes), t.score]);
    }
    case 'join':
      return opened().join(timing(a as number));
    case 'taskDone':
      return opened().taskDone();
    case 'shutdown':
      return opened().shutdown(a === true);
    case 'stats':
      return opened().stats();
    case 'disconnect':
      return core?.disconnect();
    default:
      throw new TypeError(`janus-queue: unknown sync call ${op}`);
  }
}

runAsWorker(serveCall);
