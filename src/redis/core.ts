import { QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';
import { randomUUID } from 'node:crypto';
import { type RedisConnection, type ScriptClient, openClient } from './connection.js';
import { Batcher } from './batch.js';
import { parseScore } from './items.js';
import { type Attempt, Line, type Timing, Transient, Waiter, transient } from './line.js';

/** What a queue object is: the same for its async face and for its sync face's worker. Plain data. */
export interface CoreConfig {
  name: string;
  prefix: string;
  /** 1 FIFO, 2 LIFO, 3 priority. */
  kind: 1 | 2 | 3;
  maxsize: number;
  leaseMs: number;
  commandTimeout: number;
  connection: RedisConnection;
}

/** An item as the server gave it: its encoded bytes, and its priority (0 outside a priority queue). */
export interface Taken {
  /** The lease token (what taskDone hands back). */
  token: string;
  bytes: Buffer;
  score: number;
}

/** The queue's numbers as of the last reply this object got. */
export interface Snapshot {
  /** Items waiting (taken items are not counted). */
  qsize: number;
  /** Items put and not yet marked done (taken ones included). */
  unfinished: number;
  /** True once the queue is shut down. */
  closed: boolean;
}

const SHUT = -1;
const FULL = -2;
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * One queue object's side of a Redis queue, in bytes: the scripts, the
 * waiting lines, the leases it holds. The faces add codecs and argument
 * checks; nothing here decides a rule of the queue (the scripts do).
 *
 * Connections: one for commands, and, made when first needed, one each for
 * the get and put lines' BLMPOP (a blocked connection serves nothing else)
 * and one subscribed to the queue's events.
 */
export class RedisCore {
  readonly snapshot: Snapshot = { qsize: 0, unfinished: 0, closed: false };
  private readonly cmd: ScriptClient;
  private readonly others: ScriptClient[] = [];
  private subscribing: Promise<unknown> | undefined;
  private readonly keys: string[];
  private readonly channel: string;
  private readonly base: (string | number)[];
  private readonly clientKey: string;
  private readonly gets: Line;
  private readonly puts: Line;
  private readonly joins: Line;
  private readonly puts$: Batcher<(string | number | Buffer)[], number>;
  private readonly gets$: Batcher<number, { taken: Taken[]; shut: boolean }>;
  private readonly dones$: Batcher<string, void>;
  /** Lease tokens of the items this object took and has not marked done, oldest first. */
  private readonly held: string[] = [];
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private putSeq = 0;
  private gone: Error | undefined;

  /** `soon`: when a batch of calls leaves (see Batcher). */
  constructor(
    readonly config: CoreConfig,
    soon?: (f: () => void) => void,
  ) {
    this.puts$ = new Batcher((calls) => this.putAll(calls), soon);
    this.gets$ = new Batcher((maxes) => this.takeAll(maxes), soon);
    this.dones$ = new Batcher((tokens) => this.doneAll(tokens), soon);
    const p = `${config.prefix}:{${config.name}}`;
    this.keys = ['items', 'meta', 'taken', 'leases', 'wake:get', 'wake:put'].map((k) => `${p}:${k}`);
    this.channel = `${p}:events`;
    this.clientKey = `${p}:client:${randomUUID()}`;
    this.base = [config.kind, config.maxsize > 0 ? config.maxsize : 0, this.channel];
    this.cmd = openClient(config.connection);
    this.gets = this.line('get', this.keys[4]!, 32);
    this.puts = this.line('put', this.keys[5]!, 0);
    this.joins = new Line(undefined, async () => {});
  }

  /** Puts `entries` ([priority, bytes]) all or none, waiting for room. */
  put(entries: [number, Uint8Array][], timing: Timing): Promise<void> {
    const call: (string | number | Buffer)[] = [++this.putSeq, entries.length];
    for (const [score, bytes] of entries) call.push(score, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return this.wait<true>(
      this.puts,
      async () => {
        const status = await this.puts$.add(call);
        if (status === SHUT) throw this.closed();
        return status === FULL ? undefined : true;
      },
      timing,
      () => new QueueFull(),
      () => {},
    ).then(() => {});
  }

  /** Takes 1 to `max` items, waiting for one. */
  get(max: number, timing: Timing): Promise<Taken[]> {
    return this.wait<Taken[]>(
      this.gets,
      async (via) => {
        // A parked try (behind a BLMPOP) goes alone on its connection; the others in this tick's batch.
        const { taken, shut } = via ? (await this.takeAll([max], via))[0]! : await this.gets$.add(max);
        if (taken.length > 0) return taken;
        if (shut) throw this.closed();
        return undefined;
      },
      timing,
      () => new QueueEmpty(),
      (items) => void this.release(items.map((t) => t.token)),
    );
  }

  /** Resolves true once no task is unfinished; false at the timeout. */
  join(timing: Timing): Promise<boolean> {
    return this.wait<boolean>(this.joins, async () => ((await this.stats()).unfinished === 0 ? true : undefined), timing, () => false, () => {});
  }

  /** Marks the oldest item this object took as done. */
  async taskDone(): Promise<void> {
    const token = this.held.shift();
    if (token === undefined) throw new RangeError('janus-queue: taskDone() called more times than this queue object took items');
    await this.retry(() => this.dones$.add(token));
  }

  /** One put script for the puts of this tick: their statuses, in order. */
  private async putAll(calls: (string | number | Buffer)[][]): Promise<number[]> {
    const reply = (await this.script('jqPut', [...this.keys, this.clientKey, ...this.base, calls.length, ...calls.flat()])) as number[];
    this.snapshot.qsize = reply[0]!;
    this.snapshot.unfinished = reply[1]!;
    return reply.slice(2);
  }

  /** One get script for the gets of this tick (or one parked get, on `via`): each call's items, and whether the queue is shut down. */
  private async takeAll(maxes: number[], via?: ScriptClient): Promise<{ taken: Taken[]; shut: boolean }[]> {
    const reply = (await this.script('jqGetBuffer', [...this.keys, ...this.base, this.config.leaseMs, maxes.length, ...maxes], via)) as (number | Buffer)[];
    this.snapshot.qsize = reply[0] as number;
    this.snapshot.unfinished = reply[1] as number;
    const shut = reply[2] === 1;
    if (shut) this.snapshot.closed = true;
    const out: { taken: Taken[]; shut: boolean }[] = [];
    let i = 3;
    for (let c = 0; c < maxes.length; c++) {
      const taken: Taken[] = [];
      for (let k = reply[i++] as number; k > 0; k--, i += 3) {
        const token = String(reply[i]);
        this.held.push(token);
        taken.push({ token, bytes: reply[i + 1] as Buffer, score: parseScore(String(reply[i + 2])) });
      }
      out.push({ taken, shut });
    }
    this.beat();
    return out;
  }

  /** One done script for the taskDone calls of this tick. */
  private async doneAll(tokens: string[]): Promise<void[]> {
    const [, unfinished] = (await this.script('jqDone', [...this.keys, ...this.base, ...tokens])) as number[];
    this.snapshot.unfinished = unfinished!;
    return tokens.map(() => undefined);
  }

  async shutdown(immediate: boolean): Promise<void> {
    const [qsize, unfinished] = (await this.retry(() => this.script('jqShutdown', [...this.keys, ...this.base, immediate ? 1 : 0]))) as number[];
    Object.assign(this.snapshot, { qsize, unfinished, closed: true });
    this.kick();
  }

  /** A fresh read of the queue's numbers (expired leases are returned first). */
  async stats(): Promise<Snapshot> {
    const [qsize, unfinished, shut] = (await this.script('jqStats', [...this.keys, ...this.base])) as number[];
    return Object.assign(this.snapshot, { qsize, unfinished, closed: shut! > 0 });
  }

  /** Closes this object's connections; its waiting calls reject. The queue itself is untouched. */
  async disconnect(): Promise<void> {
    this.gone ??= new Error('janus-queue: disconnect() was called on this queue object');
    for (const line of [this.gets, this.puts, this.joins]) line.failAll(this.gone);
    clearInterval(this.heartbeat);
    for (const c of [this.cmd, ...this.others]) c.disconnect();
  }

  /** Deletes every key of the queue (items, counters, leases, the shutdown flag). */
  async destroy(): Promise<void> {
    await this.cmd.del(...this.keys);
  }

  private wait<R>(line: Line, attempt: Attempt<R>, timing: Timing, onTimeout: () => R | Error, orphan: (r: R) => void): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.gone) return reject(this.gone);
      if (timing.signal?.aborted) return reject(timing.signal.reason);
      const w = new Waiter<R>(attempt, timing, resolve, reject, onTimeout, orphan);
      void w.tick().then(async (settled) => {
        if (settled) return;
        await this.subscribe(); // before the next try, so that no event between them is missed
        line.add(w);
      });
    });
  }

  /** Runs a script, on the command connection or on `via`. */
  private script(name: string, args: (string | number | Buffer)[], via: ScriptClient = this.cmd): Promise<unknown> {
    if (this.gone) return Promise.reject(this.gone);
    return transient((via as any)[name](...args) as Promise<unknown>);
  }

  /** Repeats a call that is safe to repeat until the connection lets it through. */
  private async retry<T>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (e) {
        if (!(e instanceof Transient) || this.gone) throw e;
        await delay(100);
      }
    }
  }

  /** A waiting line; `park`: how many of its first waiters' next tries ride behind the BLMPOP (gets: what a given-up try took is handed back). */
  private line(direction: 'get' | 'put', key: string, park: number): Line {
    let client: ScriptClient | undefined;
    return new Line(
      async (n, heads) => {
        const c = (client ??= this.connect());
        // BLMPOP (Redis 7): up to n tokens, blocking 1 s at most for the first. Reply: [key, [tokens...]] or null.
        const tokens = c.call('BLMPOP', 1, 1, key, 'LEFT', 'COUNT', n) as Promise<[string, string[]] | null>;
        const [reply, settled] = await Promise.all([tokens, Promise.all(heads.map((w) => w.tick(c, true)))]);
        return [reply ? reply[1].length : 0, settled];
      },
      (n) => this.script('jqRepost', [...this.keys, ...this.base, direction, n]),
      park,
    );
  }

  private connect(): ScriptClient {
    const c = openClient(this.config.connection);
    this.others.push(c);
    return c;
  }

  private subscribe(): Promise<unknown> {
    if (!this.subscribing) {
      const sub = this.connect();
      sub.on('message', (_channel: string, message: string) => {
        if (message === 'shutdown') this.snapshot.closed = true;
        if (message === 'done') this.snapshot.unfinished = 0;
        this.kick();
      });
      // After a reconnect (ioredis subscribes again): events may have been missed.
      sub.on('ready', () => this.kick());
      this.subscribing = sub.subscribe(this.channel).catch(() => {});
    }
    return this.subscribing;
  }

  private kick(): void {
    this.gets.kick();
    this.puts.kick();
    this.joins.kick();
  }

  private closed(): QueueShutDown {
    this.snapshot.closed = true;
    return new QueueShutDown();
  }

  /** Keeps the leases of held items alive while this process runs (every third of the lease). */
  private beat(): void {
    if (this.heartbeat || this.held.length === 0) return;
    this.heartbeat = setInterval(() => {
      if (this.held.length === 0) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
        return;
      }
      this.script('jqExtend', [...this.keys, ...this.base, this.config.leaseMs, ...this.held]).catch(() => {});
    }, Math.max(1, Math.floor(this.config.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** Hands back items taken by a get that gave up before their answer came. */
  private release(tokens: string[]): Promise<unknown> {
    for (const t of tokens) this.held.splice(this.held.indexOf(t), 1);
    return this.script('jqRelease', [...this.keys, ...this.base, ...tokens]).catch(() => {});
  }
}
