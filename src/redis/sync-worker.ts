/**
 * The thread behind a Redis queue's `syncQ` (one per syncQ, started by
 * createSyncFn): it owns the connections and runs the async core, while the
 * calling thread blocks. Items cross as bytes (the caller encodes and
 * decodes); each reply carries the queue's numbers.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { runAsWorker } from '../sync-fn/index.js';
import { type CoreConfig, RedisCore } from './core.js';

let core: RedisCore | undefined;
/** The caller's count of taskDone calls not yet applied (shared memory; see RedisSyncQueue.taskDone). */
let dones: Int32Array | undefined;
let arrived: Promise<void> | undefined;
let closed = false;
/** The items of the last get answered, until the next call shows they arrived (see RedisSyncQueue.takeItems). */
let answered: { id: number; items: [Uint8Array, number][]; tokens: string[] } | undefined;
const W_CLAIM = 1;
const W_ABANDONED = 2;

/** Before any call but 'reclaim': the last get's items go back to the queue if the caller could not receive them. */
function settleAnswered(): void {
  if (answered && dones && Atomics.load(dones, W_ABANDONED) === answered.id) void core?.giveBack(answered.tokens);
  answered = undefined;
}

/** Applies the taskDone calls the caller counted, before anything else it asks (they came first). */
function applyDones(): void {
  if (!dones || !core) return;
  const n = Atomics.exchange(dones, 0, 0); // take them all: the caller only adds
  // The caller checked the count: none of them is spare. They leave with the next script.
  for (let i = 0; i < n; i++) core.taskDone();
}

/** Applies taskDone calls as they come, between calls too (the caller notifies the word). */
async function watchDones(): Promise<void> {
  while (dones && !closed) {
    const w = Atomics.waitAsync(dones, 0, 0);
    if (w.async) await w.value;
    applyDones();
  }
}

/** Receives the caller's shared counter of taskDone calls (the caller posts it on this channel). */
function receiveDones(channel: string): void {
  const bc = new BroadcastChannel(channel);
  arrived = new Promise<void>((resolve) => {
    bc.onmessage = (e) => {
      dones = new Int32Array((e as MessageEvent).data as SharedArrayBuffer);
      bc.close();
      resolve();
      void watchDones();
    };
  });
}

function opened(): RedisCore {
  if (!core) throw new Error('janus-queue: the sync face was not opened');
  return core;
}

const timing = (timeout: number) => ({ timeout, commandTimeout: opened().config.commandTimeout });

/** One blocking call of the sync face: what it does, by name. */
export async function serveCall(op: string, a?: unknown, b?: unknown, c?: unknown): Promise<unknown> {
  applyDones();
  if (op === 'reclaim') {
    // `answered` stays: if this answer too is abandoned (the caller's wait
    // for it timed out and it stored the id in W_ABANDONED), the next call's
    // settleAnswered() hands the items back; else it drops them, delivered.
    return answered && answered.id === a ? answered.items : [];
  }
  settleAnswered();
  switch (op) {
    case 'open':
      core = new RedisCore(a as CoreConfig, queueMicrotask); // one call at a time: nothing to wait for
      receiveDones(b as string);
      await core.checked(); // a queue recorded with another configuration is refused here (TypeError)
      return undefined;
    case 'attach':
      return arrived;
    case 'put':
      await opened().put(a as [number, Uint8Array][], timing(b as number));
      return undefined;
    case 'get': {
      const taken = await opened().get(a as number, timing(b as number));
      const tokens = taken.map((t) => t.token);
      // The handshake (RedisSyncQueue.takeItems): deliver only if the caller still waits for this get.
      if (dones && Atomics.compareExchange(dones, W_CLAIM, c as number, 0) !== c) {
        void opened().giveBack(tokens);
        return [];
      }
      const items = taken.map((t): [Uint8Array, number] => [new Uint8Array(t.bytes), t.score]);
      answered = { id: c as number, items, tokens };
      return items;
    }
    case 'join':
      return opened().join(timing(a as number));
    case 'shutdown':
      return opened().shutdown(a === true);
    case 'stats':
      return opened().stats();
    case 'disconnect':
      closed = true;
      if (dones) Atomics.notify(dones, 0); // ends watchDones
      return core?.disconnect();
    default:
      throw new TypeError(`janus-queue: unknown sync call ${op}`);
  }
}

runAsWorker(serveCall);
