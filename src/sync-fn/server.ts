import { LockTimeout, QueueCorrupted, QueueEmpty, QueueFull, QueueShutDown, type WatchedWorker } from 'janus-queue';
import { sayGoodbye } from './farewell.js';
import { Spin } from './spin.js';
import { C_CALLER, C_LAST_ID, C_SERVING, THREAD_TOKEN, type Channel, RETURNED, type Reply, type Request, THREW_ERROR, type WireError, thrownReply, toWireError } from './protocol.js';

/** Options of `serveAsync`. */
export interface ServeOptions {
  /**
   * How long (ms) the server may block its thread on `syncQ.get` for the next
   * request after answering one, before it waits on the event loop instead.
   * Back-to-back calls then cost one futex wake-up instead of an
   * `Atomics.waitAsync` one. Default 0 (never block); `runAsWorker` uses 1.
   */
  blockMs?: number;
}

/** A running server (of `serveAsync`). */
export interface AsyncServer {
  /**
   * Stops taking calls: later calls throw `ServerGone`; the calls already in
   * the request queue are answered first. A call still running when the
   * queue is empty is not waited for (it may never settle): its caller gets
   * `ServerGone`. Resolves once it has stopped.
   */
  close(): Promise<void>;
  /** Resolves once the server has stopped (closed, or its queues shut down). */
  readonly done: Promise<void>;
  /**
   * Watches the Worker that calls (Node): when it exits, even killed inside
   * a call, repairs what it left in the channel, then closes the server.
   * Resolves with its exit code once the server has stopped. Use it instead
   * of `worker.on('exit', () => server.close())`.
   */
  watch(worker: WatchedWorker): Promise<number>;
}

/** Longest run of back-to-back calls served without giving the event loop a turn. */
const YIELD_EVERY_MS = 5;

/** Serves `fn` on the calling thread's event loop until the channel's request queue is shut down. */
export function serve(channel: Channel, fn: (...args: any[]) => unknown, blockMs: number): AsyncServer {
  if (typeof fn !== 'function') throw new TypeError(`janus-queue/sync-fn: the function to serve must be a function, got ${typeof fn}`);
  if (typeof blockMs !== 'number' || !(blockMs >= 0) || blockMs === Infinity)
    throw new RangeError(`janus-queue/sync-fn: blockMs must be a finite number of ms >= 0, got ${String(blockMs)}`);
  const { requests, control } = channel;
  if (Atomics.load(control, C_CALLER) === THREAD_TOKEN)
    throw new TypeError('janus-queue/sync-fn: this thread is the caller of this handle; its blocking calls would stop the event loop that serves them: serve on another thread');
  if (Atomics.compareExchange(control, C_SERVING, 0, THREAD_TOKEN) !== 0) throw new TypeError('janus-queue/sync-fn: this handle already has a server');
  const detach = onThreadExit((code) => sayGoodbye(channel, { message: `janus-queue/sync-fn: the server's thread exited (code ${code})`, exitCode: code, error: undefined }));

  const spin = new Spin();
  const called = () => requests.syncQ.qsize() > 0;
  async function next(): Promise<Request> {
    try {
      if (blockMs > 0) {
        spin.until(called); // a busy caller calls again within microseconds
        return requests.syncQ.get({ timeout: blockMs });
      }
      return requests.syncQ.getNowait();
    } catch (e) {
      if (!(e instanceof QueueEmpty)) throw e;
    }
    return requests.asyncQ.get();
  }

  /** Runs one call and answers it; never rejects (a failure to answer is told by the farewell). */
  async function run(id: number, args: unknown[]): Promise<void> {
    let reply: Reply;
    try {
      reply = [id, RETURNED, await fn(...args)];
    } catch (e) {
      reply = thrownReply(id, e);
    }
    await answer(channel, reply);
  }

  const done = (async () => {
    let turn = performance.now();
    // The id of the last request taken: requests carry consecutive ids (caller.ts).
    let lastId = Atomics.load(control, C_LAST_ID);
    // The next request, asked for while a slow call runs.
    let pending: Promise<Request> | undefined;
    try {
      for (;;) {
        let request: Request;
        try {
          request = await (pending ?? next());
          pending = undefined;
        } catch (e) {
          pending = undefined;
          if (e instanceof QueueShutDown) return;
          if (e instanceof QueueCorrupted) throw e;
          // A request taken but not decoded (a value this thread cannot
          // rebuild): that call fails, the server goes on. Its id is the
          // next one.
          lastId++;
          await answer(channel, thrownReply(lastId, new TypeError(`janus-queue/sync-fn: the call's arguments could not be decoded on the serving thread: ${(e as Error)?.message}`)));
          continue;
        }
        if (!Array.isArray(request) || typeof request[0] !== 'number' || !Array.isArray(request[1])) {
          lastId++;
          await answer(channel, thrownReply(lastId, new TypeError('janus-queue/sync-fn: a request that is not an [id, args] pair')));
          continue;
        }
        const [id, args] = request;
        lastId = id;
        // A call that the caller gave up on (CallTimeout) must not hold up
        // the calls after it: one that has not settled within SLOW_CALL_MS
        // is left to run while the next request is awaited too, and whichever
        // comes first goes on (its late reply is dropped by id). The caller
        // blocks for each reply, so calls run one at a time unless one timed out.
        const call = run(id, args);
        if (!(await settlesWithin(call, SLOW_CALL_MS))) {
          pending = requests.asyncQ.get();
          pending.catch(() => {}); // met at the top of the loop
          await Promise.race([call, pending.then(noop, noop)]);
        }
        if (performance.now() - turn > YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          turn = performance.now();
        }
      }
    } finally {
      detach();
      sayGoodbye(channel, { message: 'janus-queue/sync-fn: the server was closed', exitCode: undefined, error: undefined });
    }
  })();
  done.catch(() => {}); // a failure is told to the caller by the farewell; never an unhandled rejection here
  return {
    done,
    close() {
      closeWhenFree(requests);
      return done;
    },
    watch(worker) {
      // Repairs what the caller left in both queues (even inside a lock) on
      // its exit, then closes: the repair comes first, so the close never
      // waits for a lock the dead caller holds.
      return Promise.all([channel.requests.watch(worker), channel.replies.watch(worker)]).then(([code]) => {
        closeWhenFree(requests);
        return done.then(() => code);
      });
    },
  };
}

/** A call still running after this long may have been given up by its caller: the next request is awaited beside it. */
const SLOW_CALL_MS = 20;

const noop = (): void => {};

/** Whether `p` settles within `ms` (it never rejects). */
async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Shuts the request queue down without throwing: if its lock is not free
 * (a caller killed inside a call holds it until it is recovered), tries again
 * from a timer, so close() in an 'exit' handler neither throws nor blocks.
 */
function closeWhenFree(requests: Channel['requests']): void {
  try {
    requests.shutdown(false);
  } catch (e) {
    if (!(e instanceof LockTimeout)) throw e;
    setTimeout(() => closeWhenFree(requests), 50);
  }
}

/**
 * Puts a reply. One that the codec cannot carry is sent in a plainer form:
 * an error without its own properties and cause, else the encoding error
 * itself (a RangeError for a result too large, a TypeError that says what
 * could not cross), so the caller always gets an answer.
 */
async function answer({ replies }: Channel, reply: Reply): Promise<void> {
  const [id, kind, payload] = reply;
  const forms: (Reply | undefined)[] = kind === THREW_ERROR ? [reply, [id, kind, { ...(payload as WireError), props: {}, cause: undefined }], undefined] : [reply, undefined];
  let failure: unknown;
  for (const form of forms) {
    const r: Reply = form ?? [id, THREW_ERROR, toWireError(failure instanceof RangeError ? failure : new TypeError(`janus-queue/sync-fn: the function's ${kind === RETURNED ? 'result' : 'thrown value'} cannot cross threads: ${(failure as Error).message}`))];
    try {
      replies.syncQ.putNowait(r);
      return;
    } catch (e) {
      if (e instanceof QueueShutDown) return; // the calling side is gone: nobody to answer
      if (e instanceof QueueFull) return answerWhenRoom(replies, r);
      if (form === undefined) throw e;
      failure = e;
    }
  }
}

async function answerWhenRoom(replies: Channel['replies'], reply: Reply): Promise<void> {
  try {
    await replies.asyncQ.put(reply);
  } catch (e) {
    if (!(e instanceof QueueShutDown)) throw e;
  }
}

/**
 * Tells the caller, once, that the server is gone: a GONE reply, then both
 * queues shut down, so a blocked caller wakes at once and later calls fail
 * at once. Synchronous, so it can run in a thread's 'exit' handler.
 */
const atExit = new Set<(code: number) => void>();

/**
 * Runs `f(code)` when this thread exits (Node's process 'exit', which a
 * worker's own end, process.exit() and an uncaught error all reach). One
 * listener for all the servers of the thread.
 */
function onThreadExit(f: (code: number) => void): () => void {
  const p = (globalThis as { process?: NodeJS.Process }).process;
  if (!p || typeof p.on !== 'function') return () => {};
  if (atExit.size === 0) p.on('exit', runAtExit);
  atExit.add(f);
  return () => {
    atExit.delete(f);
    if (atExit.size === 0) p.off('exit', runAtExit);
  };
}

function runAtExit(code: number): void {
  for (const f of atExit) f(code);
}
