/** Thrown by `getNowait()`, `get({ block: false })` and a `get` whose timeout passed on an empty queue. */
export class QueueEmpty extends Error {
  constructor(message = 'janus-queue: the queue is empty') {
    super(message);
    this.name = 'QueueEmpty';
  }
}

/** Thrown by `putNowait()`, `put(item, { block: false })` and a `put` whose timeout passed on a full queue. */
export class QueueFull extends Error {
  constructor(message = 'janus-queue: the queue is full') {
    super(message);
    this.name = 'QueueFull';
  }
}

/**
 * Thrown by `taskDone()`, `shutdown()` and `close()` when the queue's lock
 * was not free within 1 s: a thread killed inside a call holds it until
 * `watch()` or `recover()` repairs it (a call with a timeout throws
 * `QueueEmpty`/`QueueFull` by its deadline instead; docs/timeouts.md).
 */
export class LockTimeout extends Error {
  constructor(message = 'janus-queue: the queue\'s lock was not free in time') {
    super(message);
    this.name = 'LockTimeout';
  }
}

/** The message of an error for a call whose deadline passed while the lock was held. */
export function lockHeld(what: string): string {
  return `janus-queue: ${what}: the queue's lock was not free in time (a thread killed inside a call holds it until watch() or recover() repairs it)`;
}

/** The RangeError for an item whose encoding is larger than maxBytes (`len` when known). */
export function tooLarge(maxBytes: number, len?: number): RangeError {
  const size = len === undefined ? `more than maxBytes (${maxBytes} bytes)` : `${len} bytes, more than maxBytes (${maxBytes})`;
  return new RangeError(`janus-queue: the item encodes to ${size}; it can never fit this queue`);
}

/** Thrown by `put` once the queue is shut down, and by `get` once it is shut down and empty. */
export class QueueShutDown extends Error {
  constructor(message = 'janus-queue: the queue is shut down') {
    super(message);
    this.name = 'QueueShutDown';
  }
}

/**
 * Thrown when the queue's shared buffer holds what no thread using the
 * library leaves there (a thread wrote into `q.handle.buffer` itself): a
 * word or record that is not what it must be. Its message names it. A
 * `TypeError` (the error of a value that is not what it must be), so
 * `instanceof TypeError` holds too. The queue is not repaired: every later
 * call that meets the garbage throws it again.
 */
export class QueueCorrupted extends TypeError {
  constructor(message = 'janus-queue: the shared buffer is corrupted') {
    super(message);
    this.name = 'QueueCorrupted';
  }
}
