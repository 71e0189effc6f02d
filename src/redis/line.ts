import { type ScriptClient, isReplyError } from './connection.js';
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
export type Attempt<R> = (via?: ScriptClient) => Promise<R | undefined>;

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
  /** The try in flight waits behind a BLMPOP on the same connection: a timeout need not wait for it. */
  private parked = false;
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

  /**
   * One try (on `via`, a line's blocking connection, when given); true once
   * the call is settled (so the line moves on). A `parked` try is sent behind
   * a BLMPOP: it runs when that returns, so the call may time out or abort
   * before, and then hands back what the try took (only gets park).
   */
  async tick(via?: ScriptClient, parked = false): Promise<boolean> {
    if (this.settled) return true;
    if (this.inFlight) return false;
    this.inFlight = true;
    this.parked = parked;
    let r: R | undefined;
    try {
      r = await this.attempt(via);
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
    if (this.inFlight && !this.parked) this.expired = true;
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
 * it between rounds (BLMPOP on its own connection: a blocked connection
 * serves nothing else), taking up to one token per waiter; the scripts push
 * one token per item or free place, so a round tries that many waiters at
 * once (their scripts go out in line order on one connection, and Redis runs
 * them in that order). `kick` serves the line at once (a pub/sub event:
 * shutdown, the last task done, a reconnect). The BLMPOP timeout (1 s) is a
 * safety net for a token lost with a process that died holding it, and for
 * leases expiring.
 */
export class Line {
  private readonly waiters: Waiter<any>[] = [];
  private running = false;
  private serving = false;
  private again = false;

  /**
   * `block(n, heads)`: waits (1 s at most) for up to n wake tokens and
   * resolves with how many it got, and whether each of `heads` settled: the
   * next try of each of them is sent right behind the BLMPOP on the same
   * connection (parked), so a wake-up and the tries that follow it cost one
   * round trip. None for a line woken by events only. `repost(n)` gives n
   * tokens that reached nobody back.
   */
  constructor(
    private readonly block: ((n: number, heads: Waiter<any>[]) => Promise<[tokens: number, settled: boolean[]]>) | undefined,
    private readonly repost: (n: number) => Promise<unknown>,
    private readonly park = 0,
  ) {}

  get length(): number {
    return this.waiters.length;
  }

  /**
   * Adds a waiter whose first try failed. A line with wake tokens waits for
   * one before the next try (a put after that try left one); an
   * event-driven line tries again at once (an event may have come before the
   * subscription).
   */
  add(w: Waiter<any>): void {
    if (w.settled) return;
    w.line = this;
    this.waiters.push(w);
    void this.run(this.block !== undefined);
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
    if (this.waiters.length) void this.serve(1);
  }

  /** Tries the first `n` waiters at once, and again while all of them get through; returns how many did. */
  private async serve(n: number): Promise<number> {
    if (this.serving) {
      this.again = true;
      return 0;
    }
    this.serving = true;
    let through = 0;
    try {
      do {
        this.again = false;
        for (;;) {
          const round = this.waiters.slice(0, n);
          if (round.length === 0) break;
          const settled = await Promise.all(round.map((w) => w.tick()));
          round.forEach((w, i) => settled[i] && this.remove(w));
          through += settled.filter(Boolean).length;
          if (!settled.every(Boolean)) break;
        }
      } while (this.again);
    } finally {
      this.serving = false;
    }
    return through;
  }

  private async run(waitFirst: boolean): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let tokens = waitFirst ? 0 : 1;
      while (this.waiters.length) {
        if (tokens > 0) await this.serve(tokens);
        if (!this.waiters.length) break;
        if (!this.block) {
          await delay(1000);
          tokens = 1;
          continue;
        }
        const heads = this.waiters.slice(0, this.park);
        let got = 0;
        let settled: boolean[] = [];
        try {
          [got, settled] = await this.block(this.waiters.length, heads);
        } catch {
          await delay(100); // the connection is down: its reconnect is under way
        }
        heads.forEach((w, i) => {
          if (!settled[i]) return;
          this.remove(w);
          got = Math.max(0, got - 1);
        });
        // Wake-ups that reached nobody (their waiters gave up meanwhile) are passed on, for the other processes.
        if (got > this.waiters.length) await this.repost(got - this.waiters.length).catch(() => {});
        // No token (the 1 s passed): one try all the same, unless the parked tries were it.
        tokens = Math.min(got, this.waiters.length) || (heads.length ? 0 : 1);
      }
    } finally {
      this.running = false;
    }
  }
}
