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
  /** The codec's name ('structured', 'json', 'bytes', 'string'; 'custom' for a custom one): recorded with the queue. */
  codec: string;
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

/** taskDone calls that leave in one script: they resolve (or reject) together. */
class DoneBatch {
  readonly tokens: string[] = [];
  resolve!: () => void;
  reject!: (e: unknown) => void;
  readonly promise = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

const KINDS: Record<number, string> = { 1: 'FIFO', 2: 'LIFO', 3: 'priority' };
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
  private readonly puts$: Batcher<[number, [number, Uint8Array][]], number>;
  private readonly gets$: Batcher<number, { taken: Taken[]; shut: boolean }>;
  /** The get line's parked tries (behind its BLMPOP), one script for those of one wake-up. */
  private parked$: Batcher<number, { taken: Taken[]; shut: boolean }> | undefined;
  /** Lease tokens of the items this object took and has not marked done, oldest first. */
  private readonly held: string[] = [];
  /** taskDone calls not yet sent: their tokens ride on this object's next script (see taskDone), and they all resolve with it. */
  private dones: DoneBatch | undefined;
  /** The check of the queue's recorded configuration; undefined once passed. */
  private attaching: Promise<void> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private putSeq = 0;
  private readonly soon: (f: () => void) => void;
  private gone: Error | undefined;

  /** `soon`: when a batch of calls leaves (see Batcher). */
  constructor(
    readonly config: CoreConfig,
    soon?: (f: () => void) => void,
  ) {
    this.puts$ = new Batcher((calls) => this.putAll(calls), soon);
    this.gets$ = new Batcher((maxes) => this.takeAll(maxes), soon);
    this.soon = soon ?? setImmediate;
    const p = `${config.prefix}:{${config.name}}`;
    this.keys = ['items', 'meta', 'taken', 'leases', 'wake:get', 'wake:put'].map((k) => `${p}:${k}`);
    this.channel = `${p}:events`;
    this.clientKey = `${p}:client:${randomUUID()}`;
    this.base = [config.kind, config.maxsize > 0 ? config.maxsize : 0, this.channel];
    this.cmd = openClient(config.connection);
    this.gets = this.line('get', this.keys[4]!, 32);
    this.puts = this.line('put', this.keys[5]!, 0);
    this.joins = new Line(undefined, async () => {});
    this.attaching = this.attach();
    this.attaching.catch(() => {}); // seen by every call
  }

  /** Resolves once the queue's recorded configuration was found to be this object's; rejects with the TypeError that refuses it. */
  checked(): Promise<void> {
    return this.attaching ?? Promise.resolve();
  }

  /** Records this object's kind, maxsize and codec with the queue, or refuses them (TypeError) when the queue has others. */
  private async attach(): Promise<void> {
    const { kind, maxsize, codec, name } = this.config;
    const was = (await this.retry(() => transient(this.cmd.jqAttach(...this.keys, ...this.base, codec)))) as string[];
    if (was.length === 0) {
      this.attaching = undefined;
      return;
    }
    const show = (k: number, m: number, c: string) => `${KINDS[k] ?? `kind ${k}`}, maxsize ${m > 0 ? m : 'unbounded'}, codec ${c === '' ? '(not recorded)' : `'${c}'`}`;
    throw new TypeError(
      `janus-queue: the Redis queue "${name}" exists as ${show(Number(was[0]), Number(was[1]), was[2]!)}; this object asks for ${show(kind, maxsize, codec)}. ` +
        'Open it with the same kind, maxsize and codec, or destroy() it first.',
    );
  }

  /** Puts `entries` ([priority, bytes]) all or none, waiting for room. */
  put(entries: [number, Uint8Array][], timing: Timing): Promise<void> {
    const call: [number, [number, Uint8Array][]] = [++this.putSeq, entries];
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
        const { taken, shut } = await (via ? this.parked$! : this.gets$).add(max);
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

  /**
   * Marks the oldest item this object took as done (RangeError when it holds
   * none). No round trip of its own: the taskDone calls of one turn of the
   * event loop ride on this object's next get script of that turn (a
   * consumer loop's get for the next item), or leave as one script at the
   * end of the turn; any later script of this object goes after them, so
   * Redis applies them first. A process that dies before they left has those
   * items given out again, as for any item not marked done (at least once).
   */
  taskDone(): void {
    const token = this.held.shift();
    if (token === undefined) throw new RangeError('janus-queue: taskDone() called more times than this queue object took items');
    if (!this.dones) {
      const batch = (this.dones = new DoneBatch());
      this.soon(() => {
        // A get of this turn takes them along; else they leave now.
        if (this.dones === batch && !this.gets$.waiting) void this.flushDones();
      });
    }
    this.dones.tokens.push(token);
  }

  /** Sends the taskDone calls not yet sent (`batch`: those a get script failed to carry), repeated until the connection lets them through. */
  private async flushDones(batch = this.dones): Promise<void> {
    if (!batch) return;
    if (batch === this.dones) this.dones = undefined;
    try {
      const [, unfinished] = (await this.retry(() => this.script('jqDone', [...this.keys, ...this.base, ...batch.tokens]))) as number[];
      this.snapshot.unfinished = unfinished!;
      batch.resolve();
    } catch (e) {
      batch.reject(e); // disconnected: the items come back when their leases expire
    }
  }

  /** One put script for the puts of this tick: their statuses, in order. */
  private async putAll(calls: [id: number, entries: [number, Uint8Array][]][]): Promise<number[]> {
    const head: (string | number)[] = [];
    const blobs: Uint8Array[] = [];
    for (const [id, entries] of calls) {
      head.push(id, entries.length);
      for (const [score, bytes] of entries) {
        head.push(score, bytes.byteLength);
        blobs.push(bytes);
      }
    }
    const blob = blobs.length === 1 ? Buffer.from(blobs[0]!.buffer, blobs[0]!.byteOffset, blobs[0]!.byteLength) : Buffer.concat(blobs);
    const reply = (await this.script('jqPut', [...this.keys, this.clientKey, ...this.base, head.join(' '), blob])) as number[];
    this.snapshot.qsize = reply[0]!;
    this.snapshot.unfinished = reply[1]!;
    return reply.slice(2);
  }

  /**
   * One get script for the gets of this tick (or the parked ones, on `via`),
   * carrying the tokens marked done before them: each call's items, and
   * whether the queue is shut down.
   */
  private async takeAll(maxes: number[], via?: ScriptClient): Promise<{ taken: Taken[]; shut: boolean }[]> {
    // Parked tries run when their BLMPOP returns: taskDone calls leave now, on the command connection.
    const dones = via ? undefined : this.dones;
    if (!via) this.dones = undefined;
    const tokens = dones?.tokens ?? [];
    let reply: [number, number, number, Buffer, Buffer];
    try {
      reply = (await this.script('jqGetBuffer', [...this.keys, ...this.base, this.config.leaseMs, tokens.length, ...tokens, maxes.length, ...maxes], via)) as typeof reply;
    } catch (e) {
      // Marking done again is harmless (only tokens still held count): they go on their own, until they get through.
      if (dones) void this.flushDones(dones);
      throw e;
    }
    dones?.resolve();
    const [qsize, unfinished, shutFlag, header, blob] = reply;
    Object.assign(this.snapshot, { qsize, unfinished });
    const shut = shutFlag === 1;
    if (shut) this.snapshot.closed = true;
    const head = header.toString('latin1').split(' ');
    const out: { taken: Taken[]; shut: boolean }[] = [];
    let i = 0;
    let off = 0;
    for (let c = 0; c < maxes.length; c++) {
      const taken: Taken[] = [];
      for (let k = Number(head[i++]); k > 0; k--, i += 3) {
        const token = head[i]!;
        const len = Number(head[i + 1]);
        this.held.push(token);
        taken.push({ token, bytes: blob.subarray(off, off + len), score: parseScore(head[i + 2]!) });
        off += len;
      }
      out.push({ taken, shut });
    }
    this.beat();
    return out;
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
    // Tokens marked done and not yet sent leave first (within commandTimeout).
    if (!this.gone && this.dones) await Promise.race([this.flushDones(), delay(this.config.commandTimeout)]);
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
    if (this.attaching) return this.attaching.then(() => this.script(name, args, via));
    // Tokens marked done go before any other script of this object (a get takes them along).
    if (this.dones && name !== 'jqGetBuffer' && name !== 'jqDone') void this.flushDones();
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
        if (!client) {
          const c = (client = this.connect());
          // The tries of the heads leave together, right behind the BLMPOP (a microtask later, on the same connection).
          if (park > 0) this.parked$ = new Batcher((maxes) => this.takeAll(maxes, c), queueMicrotask);
        }
        const c = client;
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

  /** Hands back items this object took and will not deliver (a stream cancelled as their get completed): they go back to the queue at once. */
  giveBack(tokens: string[]): Promise<unknown> {
    return this.release(tokens);
  }

  /** Hands back items taken by a get that gave up before their answer came. */
  private release(tokens: string[]): Promise<unknown> {
    for (const t of tokens) this.held.splice(this.held.indexOf(t), 1);
    return this.script('jqRelease', [...this.keys, ...this.base, ...tokens]).catch(() => {});
  }
}
