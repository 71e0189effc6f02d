/** Thrown by a synchronous call whose timeout passed before the reply came. The reply, if it comes later, is dropped. */
export class CallTimeout extends Error {
  constructor(message = 'janus-queue/sync-fn: the call timed out') {
    super(message);
    this.name = 'CallTimeout';
  }
}

/**
 * Thrown by a synchronous call when the other side is gone: its worker failed
 * to start, threw an uncaught error, exited, never called `runAsWorker`, or
 * the server was closed. Every later call throws it too, at once.
 */
export class ServerGone extends Error {
  /** The worker's exit code, when it exited. */
  readonly exitCode: number | undefined;

  constructor(message: string, exitCode?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ServerGone';
    this.exitCode = exitCode;
  }
}
