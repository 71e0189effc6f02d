import { QueueShutDown } from 'janus-queue';
import type { ReadableOptions, WritableOptions } from 'janus-queue';
import { checkStreamOptions } from '../streams.js';
import type { RedisCore } from './core.js';
import type { Items } from './items.js';
import type { Timing } from './line.js';

// Web Streams over a Redis queue object, with the in-memory streams'
// semantics (docs/semantics.md, "Web Streams"): the readable gets only for a
// pending read (highWaterMark 0) and ends when the queue is shut down and
// drained; cancel withdraws a pending get; the writable's write is put; close
// shuts the queue down (soft), abort withdraws a pending put and shuts it down
// immediately. What Redis changes: the shutdowns are awaited (close() and
// abort() resolve once Redis applied them), and an item whose get completed
// after the cancel goes back to the queue at once instead of being lost.

/** The readable of `asyncQ.readable(options)`. */
export function redisReadable<T>(core: RedisCore, items: Items<T>, options?: ReadableOptions): ReadableStream<T> {
  const o = checkStreamOptions(options, 'readable', ['highWaterMark', 'shutdownOnCancel']) as ReadableOptions;
  const stop = new AbortController();
  const timing: Timing = { timeout: Infinity, signal: stop.signal, commandTimeout: core.config.commandTimeout };
  return new ReadableStream<T>(
    {
      async pull(controller) {
        let taken;
        try {
          [taken] = await core.get(1, timing);
        } catch (e) {
          if (stop.signal.aborted) return; // cancelled: the stream is already closed
          if (e instanceof QueueShutDown) return controller.close();
          throw e;
        }
        const t = taken!;
        // Taken as the cancel ran: it goes back to the queue, not into a closed stream.
        if (stop.signal.aborted) return void core.giveBack([t.token]);
        controller.enqueue(items.decode(t.bytes, t.score)); // a codec's error errors the stream
      },
      async cancel(reason) {
        stop.abort(reason);
        if (o.shutdownOnCancel === true) await core.shutdown(true);
      },
    },
    { highWaterMark: o.highWaterMark ?? 0 },
  );
}

/** The writable of `asyncQ.writable(options)`. */
export function redisWritable<T>(core: RedisCore, items: Items<T>, options?: WritableOptions): WritableStream<T> {
  const o = checkStreamOptions(options, 'writable', ['highWaterMark', 'shutdownOnClose', 'shutdownOnAbort']) as WritableOptions;
  const stop = new AbortController();
  const timing: Timing = { timeout: Infinity, signal: stop.signal, commandTimeout: core.config.commandTimeout };
  return new WritableStream<T>(
    {
      start(controller) {
        // abort() calls the sink's abort only after a write in flight settled,
        // and a put into a full queue may never settle: the controller's
        // signal (aborted at once) withdraws the put first.
        const signal = (controller as { signal?: AbortSignal }).signal;
        signal?.addEventListener('abort', () => stop.abort(signal.reason), { once: true });
      },
      write(item) {
        return core.put([items.encode(item)], timing);
      },
      async close() {
        if (o.shutdownOnClose !== false) await core.shutdown(false);
      },
      async abort(reason) {
        stop.abort(reason);
        if (o.shutdownOnAbort !== false) await core.shutdown(true);
      },
    },
    { highWaterMark: o.highWaterMark ?? 1 },
  );
}
