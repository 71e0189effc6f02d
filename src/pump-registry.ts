import { LOCK_PATIENCE_MS } from './section.js';

/** What the registry needs of a pump (src/async-wait.ts). */
interface WaitingPump {
  /** Withdraws its listed slot, waiting for the lock at most `patience` ms at once. */
  withdraw(patience: number): void;
  /** Withdraws and frees its slot: its thread exits, and it will never run again. */
  release(): void;
}

/**
 * The pumps of this thread that are waiting now (listed, or settled and not
 * yet ended). While its thread cannot run them, a waiting pump must not hold
 * a place in any list: a signal sent to it would wait for the thread while
 * other waiters sleep on. So a thread about to block in a syncQ call
 * withdraws them (withdrawWaitingPumps), and a Node thread that exits
 * (process.exit() in a worker, or the end of the main script with a pending
 * call) releases them. A thread stopped by worker.terminate() runs no exit
 * handler: recover() frees its slots (docs/design.md, "Dead peers").
 */
const waiting = new Set<WaitingPump>();
let exitHooked = false;

export function listWaiting(pump: WaitingPump): void {
  waiting.add(pump);
  if (exitHooked) return;
  exitHooked = true;
  const proc = (globalThis as { process?: { on?: (event: string, f: () => void) => void } }).process;
  proc?.on?.('exit', () => {
    for (const p of waiting) {
      try {
        p.release();
      } catch {
        // A corrupted buffer (src/integrity.ts): nothing to release safely.
      }
    }
  });
}

export function unlistWaiting(pump: WaitingPump): void {
  waiting.delete(pump);
}

/**
 * Withdraws every waiting pump of this thread, of every queue, each under its
 * own queue's lock (the caller holds none). Each waits for its lock at most
 * LOCK_PATIENCE_MS: a queue whose lock a dead thread holds must not keep this
 * thread from its own call (nor from the event loop that would recover it).
 * A pump not withdrawn then is retried soon, once the thread returns.
 */
export function withdrawWaitingPumps(): void {
  for (const p of waiting) p.withdraw(LOCK_PATIENCE_MS);
}
