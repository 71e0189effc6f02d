import { checkOptions } from './checks.js';
import { QueueShutDown } from './errors.js';
import type { AsyncQueue, ReadableOptions, WritableOptions } from './types.js';

// Web Streams over the promise face. Nothing here touches shared memory: a
// stream is a thin caller of asyncQ.get / asyncQ.put, and their AbortSignal
// support is what makes cancel and abort clean (a pending call is withdrawn
// and loses nothing).

/**
 * A ReadableStream that takes items with `asyncQ.get` only when the stream
 * wants one (highWaterMark 0 by default: only for a pending read), and closes
 * once the queue is shut down and drained. cancel() withdraws a pending get;
 * it shuts the queue down (immediately) only with `shutdownOnCancel: true`.
 */
export function readableFrom<T>(q: AsyncQueue<T>, options?: ReadableOptions): ReadableStream<T> {
  const o = checkStreamOptions(options, 'readable', ['highWaterMark', 'shutdownOnCancel']) as ReadableOptions;
  const stop = new AbortController();
  return new ReadableStream<T>(
    {
      async pull(controller) {
        let item: T;
        try {
          item = await q.get({ signal: stop.signal });
        } catch (e) {
          if (stop.signal.aborted) return; // cancelled: the stream is already closed
          if (e instanceof QueueShutDown) return controller.close();
          throw e; // a codec's error: the stream errors with it
        }
        controller.enqueue(item);
      },
      cancel(reason) {
        stop.abort(reason);
        if (o.shutdownOnCancel === true) q.shutdown(true);
      },
    },
    { highWaterMark: o.highWaterMark ?? 0 },
  );
}

/**
 * A WritableStream whose write() is `asyncQ.put`, so a full queue holds the
 * writer (writer.ready stays pending). close() shuts the queue down (soft)
 * unless `shutdownOnClose: false`; abort() withdraws a pending put and shuts
 * the queue down immediately unless `shutdownOnAbort: false`.
 */
export function writableTo<T>(q: AsyncQueue<T>, options?: WritableOptions): WritableStream<T> {
  const o = checkStreamOptions(options, 'writable', ['highWaterMark', 'shutdownOnClose', 'shutdownOnAbort']) as WritableOptions;
  const stop = new AbortController();
  return new WritableStream<T>(
    {
      start(controller) {
        // abort() calls the sink's abort only after a write in flight has
        // settled, and a put into a full queue may never settle: the
        // controller's signal (aborted at once) withdraws the put first.
        const signal = (controller as { signal?: AbortSignal }).signal;
        signal?.addEventListener('abort', () => stop.abort(signal.reason), { once: true });
      },
      write(item) {
        return q.put(item, { signal: stop.signal });
      },
      close() {
        if (o.shutdownOnClose !== false) q.shutdown(false);
      },
      abort(reason) {
        stop.abort(reason);
        if (o.shutdownOnAbort !== false) q.shutdown(true);
      },
    },
    { highWaterMark: o.highWaterMark ?? 1 },
  );
}

/** The options of readable() / writable() (also the Redis queue's, src/redis/streams.ts): known keys, a highWaterMark >= 0, the rest booleans. */
export function checkStreamOptions(options: unknown, call: string, names: string[]): Record<string, unknown> {
  const o = (checkOptions(options, `${call}()`, names) ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v === undefined) continue;
    if (key === 'highWaterMark') {
      if (typeof v !== 'number' || !(v >= 0)) throw new RangeError(`janus-queue: ${call}() option "highWaterMark" must be a number >= 0, got ${String(v)}`);
    } else if (typeof v !== 'boolean') throw new TypeError(`janus-queue: ${call}() option "${key}" must be a boolean, got ${typeof v}`);
  }
  return o;
}
