/** One pending asyncQ call. */
export interface Call {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  /** In its pump's Deadlines (it has a timeout and has not expired). */
  timed?: boolean;
  deadlines?: Deadlines;
  /** Settles it as its timeout says (rejected, or resolved for a join). */
  timedOut?: () => void;
  /** The abort signal it listens to, through its pump's Aborts. */
  signal?: AbortSignal | undefined;
  aborts?: Aborts | undefined;
  /** Set once it left its FIFO (served, timed out, aborted). */
  gone?: boolean;
  /** Putters: the encoded item (a private copy), its priority and record size; or a putMany batch. */
  batch?: import('./core.js').Batch;
  bytes?: Uint8Array;
  len?: number;
  priority?: number;
  need?: number;
  /** getMany: the most items to take. */
  max?: number;
  /** getView: the function the item's bytes are lent to. */
  view?: (view: Uint8Array) => unknown;
  /** putView: the function that writes the item's `len` bytes in place. */
  fill?: (view: Uint8Array) => void;
}

/**
 * A pump's FIFO of pending calls, in which removing any call costs O(1): a
 * call that times out or is aborted is only marked gone and skipped when it
 * reaches the head (an indexOf + splice per call made cancelling n calls
 * O(n²): 100,000 pending gets took 7 s to time out).
 */
export class Calls {
  private items: Call[] = [];
  private head = 0;
  /** The calls still pending. */
  length = 0;

  push(call: Call): void {
    this.items.push(call);
    this.length++;
  }

  /** The oldest pending call, or undefined. */
  first(): Call | undefined {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.gone) items[this.head++] = GONE;
    if (this.head > 1024 && this.head * 2 > items.length) {
      // Drop the skipped front once it is most of the array: amortised O(1).
      this.items = items.slice(this.head);
      this.head = 0;
    }
    return this.items[this.head];
  }

  /** How many pending calls from the oldest on, up to `limit`, `match` accepts before the first it refuses. */
  leading(match: (call: Call) => boolean, limit: number): number {
    const items = this.items;
    let n = 0;
    for (let i = this.head; i < items.length && n < limit; i++) {
      const call = items[i]!;
      if (call.gone) continue;
      if (!match(call)) break;
      n++;
    }
    return n;
  }

  /** Takes the oldest pending call (the caller checked length > 0). */
  shift(): Call {
    const call = this.first()!;
    call.gone = true;
    this.length--;
    return call;
  }

  /** Removes a pending call; false if it had already left. */
  remove(call: Call): boolean {
    if (call.gone) return false;
    call.gone = true;
    this.length--;
    if (this.length === 0) {
      this.items = [];
      this.head = 0;
    }
    return true;
  }
}

const GONE: Call = { resolve() {}, reject() {}, gone: true };

/**
 * The abort listeners of one pump: one listener per signal, however many
 * calls share it (Node's removeEventListener walks the signal's listeners,
 * so one listener per call made settling n calls of one signal O(n²)).
 */
export class Aborts {
  private readonly bySignal = new Map<AbortSignal, { calls: Set<Call>; listener: () => void }>();

  /** `onAbort(call)` runs for each call still listening when `signal` aborts. */
  constructor(private readonly onAbort: (call: Call, reason: unknown) => void) {}

  add(call: Call, signal: AbortSignal): void {
    let entry = this.bySignal.get(signal);
    if (!entry) {
      const calls = new Set<Call>();
      const listener = (): void => {
        this.bySignal.delete(signal);
        for (const c of calls) {
          c.aborts = c.signal = undefined;
          this.onAbort(c, signal.reason);
        }
      };
      entry = { calls, listener };
      this.bySignal.set(signal, entry);
      signal.addEventListener('abort', listener, { once: true });
    }
    entry.calls.add(call);
    call.signal = signal;
    call.aborts = this;
  }

  /** The call settled otherwise: it no longer listens (the last one of a signal removes the listener). */
  forget(call: Call): void {
    const signal = call.signal!;
    call.aborts = call.signal = undefined;
    const entry = this.bySignal.get(signal);
    if (!entry || !entry.calls.delete(call) || entry.calls.size > 0) return;
    this.bySignal.delete(signal);
    signal.removeEventListener('abort', entry.listener);
  }
}

const MAX_TIMER_MS = 0x7fffffff;

/**
 * The timeouts of one pump's calls, on one timer: a min-heap of deadlines
 * (a timer per call cost a Timeout object and two closures each, and Node's
 * timer lists: 100,000 pending gets settled 1.8x past their last deadline).
 * A call that settles otherwise stays in the heap, marked gone, until its
 * deadline or until gone entries are most of the heap (then it is rebuilt).
 */
export class Deadlines {
  private heap: { at: number; call: Call }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private live = 0;

  /** `expire(call)` runs for each call still pending at its deadline. */
  constructor(
    private readonly now: () => number,
    private readonly expire: (call: Call) => void,
  ) {}

  add(call: Call, at: number): void {
    const heap = this.heap;
    heap.push({ at, call });
    siftUp(heap, heap.length - 1);
    call.timed = true;
    call.deadlines = this;
    this.live++;
    if (at < this.timerAt) this.arm(at);
  }

  /** The call left before its deadline. */
  forget(call: Call): void {
    call.timed = false;
    if (--this.live === 0) {
      this.heap = [];
      this.disarm();
    } else if (this.heap.length > 1024 && this.live * 2 < this.heap.length) {
      this.heap = this.heap.filter((e) => e.call.timed === true && !e.call.gone);
      for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) siftDown(this.heap, i);
    }
  }

  private arm(at: number): void {
    this.disarm();
    this.timerAt = at;
    // setTimeout fires at once for delays past 2^31-1 ms: re-arm in steps.
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(0, at - this.now())));
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const heap = this.heap;
    const t = this.now();
    while (heap.length > 0 && heap[0]!.at <= t) {
      const { call } = popMin(heap);
      if (call.timed !== true || call.gone) continue;
      call.timed = false;
      this.live--;
      this.expire(call);
    }
    if (heap.length > 0 && this.timer === undefined) this.arm(heap[0]!.at);
  };
}

type Entry = { at: number; call: Call };

function popMin(heap: Entry[]): Entry {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    siftDown(heap, 0);
  }
  return top;
}

function siftUp(heap: Entry[], i: number): void {
  const e = heap[i]!;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (heap[p]!.at <= e.at) break;
    heap[i] = heap[p]!;
    i = p;
  }
  heap[i] = e;
}

function siftDown(heap: Entry[], i: number): void {
  const n = heap.length;
  const e = heap[i]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && heap[c + 1]!.at < heap[c]!.at) c++;
    if (heap[c]!.at >= e.at) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = e;
}

/**
 * What a caller's own function (getView's `fn`, putView's `fill`) threw, on
 * its way out of a critical section: the error of that one call, which a
 * pump rejects alone (src/async-wait.ts), not a fault of the queue. Its
 * call site unwraps it (`error`).
 */
export class CallbackError {
  constructor(readonly error: unknown) {}
}

/** `fn`, with what it throws wrapped in a CallbackError. */
export function guarded<A, R>(fn: (a: A) => R): (a: A) => R {
  return (a) => {
    try {
      return fn(a);
    } catch (e) {
      throw new CallbackError(e);
    }
  };
}

/** The caller's own error, if `e` wraps one. */
export const unwrapped = (e: unknown): unknown => (e instanceof CallbackError ? e.error : e);
