/**
 * The farewell a sync-fn server leaves its caller when it ends: its own
 * module, so that the threads that only say goodbye (a createSyncFn worker's
 * first module, the supervisor) do not load the server and its imports.
 */
import { C_GONE, type Channel, type Farewell, GONE, toWireError } from './protocol.js';

export function sayGoodbye({ requests, replies, control }: Channel, farewell: Farewell): void {
  if (Atomics.compareExchange(control, C_GONE, 0, 1) !== 0) return;
  try {
    replies.syncQ.putNowait([0, GONE, farewell]);
  } catch {
    // full or unencodable error: the shutdown below still wakes the caller
  }
  requests.shutdown(true);
  replies.shutdown(false); // keeps the farewell for the caller
}

export function farewellOf(message: string, exitCode: number | undefined, error: unknown): Farewell {
  const isErr = Object.prototype.toString.call(error) === '[object Error]';
  return { message: isErr ? `${message}: ${(error as Error).message}` : message, exitCode, error: isErr ? toWireError(error as Error) : undefined };
}
