/**
 * Calls of one kind (put, get) that a queue object makes in one
 * turn of the event loop leave as one script: `flush` gets their arguments
 * in call order and resolves with one result per call. Redis runs the
 * script atomically, so the calls are applied in that order, as one after
 * the other would be; each keeps its own outcome. A connection failure fails
 * every call of the batch (each then decides whether to try again).
 */
export class Batcher<A, R> {
  private pending: { arg: A; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];

  /** `soon`: when the batch leaves (setImmediate; a microtask where calls come one at a time, as in the sync face's worker). */
  constructor(
    private readonly flush: (args: A[]) => Promise<R[]>,
    private readonly soon: (f: () => void) => void = setImmediate,
  ) {}

  /** True while calls wait for their batch to leave. */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  add(arg: A): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // By default setImmediate, not a microtask: the callers resumed by the last
      // batch's answers (many promise hops each) make their next calls before it runs.
      if (this.pending.push({ arg, resolve, reject }) === 1) this.soon(() => this.send());
    });
  }

  private send(): void {
    const batch = this.pending;
    this.pending = [];
    this.flush(batch.map((b) => b.arg)).then(
      (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
      (e: unknown) => batch.forEach((b) => b.reject(e)),
    );
  }
}
