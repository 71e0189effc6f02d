// What counts as a clear error: the queue's own outcomes, and TypeError or
// RangeError with a message of ours. A raw RangeError of a typed array or a
// DataView ("offset is out of bounds"), a SyntaxError, or anything else means
// the library read shared state it should not have trusted.
import { QueueCorrupted, QueueEmpty, QueueFull, QueueShutDown } from 'janus-queue';

export function isClearError(e) {
  if (e instanceof QueueEmpty || e instanceof QueueFull || e instanceof QueueShutDown) return true;
  if (e instanceof RangeError) return /^janus-queue: /.test(e.message);
  if (e instanceof TypeError) return /^janus-queue: /.test(e.message);
  return false;
}

/** The clear error of a corrupted buffer: its own class (a TypeError too), with its name. */
export const isCorrupted = (e) => e instanceof QueueCorrupted && e instanceof TypeError && e.name === 'QueueCorrupted' && /^janus-queue: the shared buffer is corrupted: /.test(e.message);
