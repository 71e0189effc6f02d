import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { CallTimeout, ServerGone } from './errors.js';
import { Spin } from './spin.js';
import {
  C_CALLER,
  C_LAST_ID,
  C_SERVING,
  type Channel,
  type Farewell,
  GONE,
  RETURNED,
  type Reply,
  THREW_ERROR,
  THREAD_TOKEN,
  threadName,
  type WireError,
  fromWireError,
} from './protocol.js';

/** Per-call options. */
export interface CallOptions {
  /** Most ms to wait for the reply; omitted or Infinity: no limit. */
  timeout?: number;
}

/**
 * The calling side of a channel: puts a request, then blocks on the reply
 * queue until the reply with its id comes. One calling thread per channel,
 * claimed at construction, so no other thread can take its replies.
 */
export class Caller {
  private farewell: Farewell | undefined;
  private readonly spin = new Spin();
  private readonly replied = () => this.channel.replies.syncQ.qsize() > 0;
  private readonly token = THREAD_TOKEN;

  constructor(
    private readonly channel: Channel,
    private readonly timeout: number,
  ) {
    if (Atomics.load(channel.control, C_SERVING) === this.token)
      throw new TypeError('janus-queue/sync-fn: this thread serves this handle; a blocking call here would stop the event loop that must answer it: call from another thread');
    const owner = Atomics.compareExchange(channel.control, C_CALLER, 0, this.token);
    if (owner !== 0 && owner !== this.token)
      throw new TypeError(`janus-queue/sync-fn: this handle already has a caller (${threadName(owner)}); create one handle per calling thread`);
  }

  call(args: unknown[], options?: CallOptions): unknown {
    const timeout = options?.timeout ?? this.timeout;
    checkTimeout(timeout);
    const { requests, replies, control } = this.channel;
    if (this.farewell) throw gone(this.farewell);
    const deadline = performance.now() + timeout;
    // Ids grow, so a late reply of any earlier call on this channel has a
    // smaller id; and the requests in the queue carry consecutive ids (the
    // counter moves only once a request is in), so the server knows the id
    // of a request it could not decode: the one after the last it served.
    // One calling thread per channel: nobody else writes the counter meanwhile.
    const id = Atomics.load(control, C_LAST_ID) + 1;
    try {
      requests.syncQ.put([id, args], { timeout: remaining(deadline) });
    } catch (e) {
      if (e instanceof QueueShutDown) throw this.gone();
      if (e instanceof QueueFull) throw new CallTimeout();
      throw e; // TypeError (cannot encode) or RangeError (too large): nothing was sent
    }
    Atomics.store(control, C_LAST_ID, id);
    for (;;) {
      let reply: Reply;
      this.spin.until(this.replied); // a reply may be microseconds away: see spin.ts
      try {
        reply = replies.syncQ.get({ timeout: remaining(deadline) });
      } catch (e) {
        if (e instanceof QueueEmpty) throw new CallTimeout(`janus-queue/sync-fn: no reply within ${timeout} ms`);
        if (e instanceof QueueShutDown) throw this.gone();
        throw e;
      }
      const [rid, kind, payload] = reply;
      if (kind === GONE) {
        this.farewell = payload as Farewell;
        throw gone(this.farewell);
      }
      if (rid !== id) continue; // the late reply of a call that timed out
      if (kind === RETURNED) return payload;
      throw kind === THREW_ERROR ? fromWireError(payload as WireError) : payload;
    }
  }

  /** Makes every later call throw ServerGone with `message`, without reading the channel. */
  closed(message: string): void {
    this.farewell ??= { message, exitCode: undefined, error: undefined };
  }

  /** Lets another thread connect to the channel. */
  release(): void {
    Atomics.compareExchange(this.channel.control, C_CALLER, this.token, 0);
  }

  /** The error for a channel whose queues are shut down: the server's farewell if it left one, else a plain one. */
  private gone(): ServerGone {
    if (!this.farewell) {
      // The farewell is the last reply the server put; older ones before it are late replies.
      for (;;) {
        let reply: Reply;
        try {
          reply = this.channel.replies.syncQ.getNowait();
        } catch {
          break; // empty or shut down and drained: no farewell was left
        }
        if (reply[1] === GONE) {
          this.farewell = reply[2] as Farewell;
          break;
        }
      }
      this.farewell ??= { message: 'janus-queue/sync-fn: the server is gone (its queues are shut down)', exitCode: undefined, error: undefined };
    }
    return gone(this.farewell);
  }
}

/** A fresh error each time: callers may keep and compare them. */
function gone(f: Farewell): ServerGone {
  return new ServerGone(f.message, f.exitCode, f.error === undefined ? undefined : fromWireError(f.error));
}

function remaining(deadline: number): number {
  return deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
}

export function checkTimeout(timeout: unknown): void {
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)
    throw new RangeError(`janus-queue/sync-fn: timeout must be a number of ms >= 0 (or Infinity), got ${String(timeout)}`);
}
