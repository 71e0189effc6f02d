import { isReplyError } from './connection.js';
import { RedisTimeout } from './errors.js';

/** A failure of the connection, not of the call: the call tries again once the connection is back. */
export class Transient extends Error {}

/** The command's promise, with its connection failures (not the server's replies) marked Transient. */
export function transient<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    throw isReplyError(e) ? e : new Transient(String(e), { cause: e });
  });
}

/** The timing of one waiting call. */
export interface Timing {
  /** ms; Infinity: no limit. */
  timeout: number;
  signal?: AbortSignal | undefined;
  /** The most ms a call whose first try got no answer waits for one (when `timeout` is shorter). */
  commandTimeout: number;
}

/**
 * One try of a waiting call: a script on the server. It resolves with the
 * call's result, with `undefined` for "not yet" (empty, full, not joined),
 * and throws for a final error. A connection error is "not yet" too: the
 * next try goes out once the connection is back.
 */
export type Attempt<R> = () => Promise<R | undefined>;

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * A call that waits. Its tries run one at a time. Its timeout has two steps:
 * at `timeout` it rejects with `onTimeout()` (QueueEmpty, QueueFull, or
 * `false` for join) unless a try is in flight, whose answer then decides; at
 * `max(timeout, commandTimeout)` it rejects with RedisTimeout whatever is in
 * flight. A result that arrives after the call was settled goes to `orphan`
 * (a get's items are handed back at once).
 */
export class Waiter<R> {
  settled = false;
  private inFlight = false;
  private expired = false;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  private readonly onAbort = () => this.fail(this.timing.signal!.reason);
  line: Line | undefined;

  constructor(
    private readonly attempt: Attempt<R>,
    private readonly timing: Timing,
    private readonly resolve: (r: R) => void,
    private readonly reject: (e: unknown) => void,
    private readonly onTimeout: () => R | Error,
    private readonly orphan: (r: R) => void,
  ) {
    const { timeout, signal, commandTimeout } = timing;
    if (timeout !== Infinity) {
      this.timers.push(setTimeout(() => this.soft(), timeout));
      const hard = Math.max(timeout, commandTimeout);
      this.timers.push(setTimeout(() => this.fail(new RedisTimeout(hard)), hard));
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** One try; true once the call is settled (so the line moves on). */
  async tick(): Promise<boolean> {
    if (this.settled) return true;
    this.inFlight = true;
    let r: R | undefined;
    try {
      r = await this.attempt();
    } catch (e) {
      this.inFlight = false;
      if (this.settled) return true;
      if (e instanceof Transient) return this.late();
      this.fail(e);
      return true;
    }
    this.inFlight = false;
    if (this.settled) {
      if (r !== undefined) this.orphan(r);
      return true;
    }
    if (r === undefined) return this.late();
    this.finish();
    this.resolve(r);
    return true;
  }

  fail(e: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(e);
  }

  private late(): boolean {
    if (!this.expired) return false;
    this.timedOut();
    return true;
  }

  private soft(): void {
    if (this.inFlight) this.expired = true;
    else this.timedOut();
  }

  private timedOut(): void {
    if (this.settled) return;
    const r = this.onTimeout();
    this.finish();
    if (r instanceof Error) this.reject(r);
    else this.resolve(r);
  }

  private finish(): void {
    this.settled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timing.signal?.removeEventListener('abort', this.onAbort);
    this.line?.remove(this);
  }
}

/**
 * The waiting calls of one direction (get, put or join) of one queue object,
 * served in the order they started waiting. A line with a wake key blocks on
 * it (BLPOP on its own connection: a blocked connection serves nothing else)
 * between rounds; the scripts push one token per item or free place. `kick`
 * serves the line at once (a pub/sub event: shutdown, the last task done, a
 * reconnect). The BLPOP timeout (1 s) is a safety net for a token lost with
 * a process that died holding it, and for leases expiring.
 */
export class Line {
  private readonly waiters: Waiter<any>[] = [];
  private running = false;
  private serving = false;
  private again = false;

  constructor(
    private readonly blpop: (() => Promise<unknown>) | undefined,
    private readonly repost: () => Promise<unknown>,
  ) {}

  get length(): number {
    return this.waiters.length;
  }

  add(w: Waiter<any>): void {
    if (w.settled) return;
    w.line = this;
    this.waiters.push(w);
    void this.run();
  }

  remove(w: Waiter<any>): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Rejects every waiter (the queue object was disconnected). */
  failAll(e: Error): void {
    for (const w of this.waiters.splice(0)) w.fail(e);
  }

  kick(): void {
    if (this.waiters.length) void this.serve();
  }

  /** Tries the waiters in order until one of them does not get through. */
  private async serve(): Promise<void> {
    if (this.serving) {
      this.again = true;
      return;
    }
    this.serving = true;
    try {
      do {
        this.again = false;
        for (let w = this.waiters[0]; w; w = this.waiters[0]) {
          if (!(await w.tick())) break;
          this.remove(w);
        }
      } while (this.again);
    } finally {
      this.serving = false;
    }
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiters.length) {
        await this.serve();
        if (!this.waiters.length) break;
        if (!this.blpop) {
          await delay(1000);
          continue;
        }
        let token: unknown = null;
        try {
          token = await this.blpop();
        } catch {
          await delay(100); // the connection is down: its reconnect is under way
        }
        // A wake-up that reached nobody is passed on, for the other processes.
        if (token !== null && !this.waiters.length) await this.repost().catch(() => {});
      }
    } finally {
      this.running = false;
    }
  }
}
