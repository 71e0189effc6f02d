import type { Core } from './core.js';
import { BLOCKED, type Result } from './core.js';
import { LOCK, type ListId, PUTTERS, SIGNALLED, WAITING } from './layout.js';
import { withdrawWaitingPumps } from './pump.js';
import { now } from './shared.js';

/**
 * Blocking waits for syncQ: the one deadline loop every timed sync call goes
 * through. `attempt` runs with the lock held and never waits.
 */

const POLL_MIN_MS = 1;
const POLL_MAX_MS = 8;
const WAKE_ROOM_SHARE = 1 / 16;
const WAKE_ROOM_MS = 1;
let sleeper: Int32Array | undefined;

/** Sleeps this thread for `ms` (used only to poll when every slot is taken). */
function sleep(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Runs `attempt` until it does not return BLOCKED, waiting on a slot of
 * `list` in between (a putter's slot says the bytes and items it `need`s),
 * up to `deadline` (a performance.now() time, or Infinity).
 * `wait: false` tries once.
 */
export function blockingCall(
  core: Core,
  list: ListId,
  need: number,
  items: number,
  wait: boolean,
  deadline: number,
  attempt: () => Result,
): Result {
  // A single put that finds a large queue full first asks to be woken only
  // once WAKE_ROOM_SHARE of it is free, for at most WAKE_ROOM_MS: a
  // producer that outpaces its consumer then sleeps once per many items
  // instead of once per item taken, and the consumer pays for one wake-up
  // (about 7 µs of its own time per notify that wakes a thread) per many
  // items. After that one timed wait it waits like any putter, so a put
  // never waits more than WAKE_ROOM_MS longer than it must.
  let wakeRoom = list === PUTTERS && items === 1 ? Math.max(1, Math.floor(core.maxsize * WAKE_ROOM_SHARE)) : 1;
  core.lock();
  let held = true; // released on every path out, even an exception
  try {
    let atHead = false;
    let poll = POLL_MIN_MS;
    for (;;) {
      const r = attempt();
      if (r !== BLOCKED || !wait) return r;
      const remaining = deadline - now();
      if (remaining <= 0) return r;
      const room = wakeRoom > 1 && core.count() >= core.maxsize ? wakeRoom : 1;
      wakeRoom = 1;
      const s = core.lists.registerLocked(list, need, room > 1 ? room : items, atHead); // -1: every slot is taken
      held = false;
      core.unlock();
      // This thread is about to block: its async pumps, of this queue or any
      // other, cannot run until it returns, so they must not hold a place in
      // any list (a signal sent to them would wait for us while their other
      // waiters sleep). Withdrawing passes on any signal they already hold;
      // they re-register when the event loop runs them again.
      withdrawWaitingPumps();
      if (s < 0) {
        // Every slot is taken: poll. Slower, never wrong.
        sleep(Math.min(poll, remaining));
        poll = Math.min(poll * 2, POLL_MAX_MS);
        core.lock();
        held = true;
        atHead = false;
        continue;
      }
      const index = core.stateIndex(s);
      // Sleep only while our slot's state is WAITING: a signal stored between
      // the unlock above and this wait makes Atomics.wait return at once.
      const until = room > 1 ? Math.min(deadline, now() + WAKE_ROOM_MS) : deadline;
      while (Atomics.load(core.w, index) === WAITING) {
        const left = until - now();
        if (left <= 0 || Atomics.wait(core.w, index, WAITING, left) === 'timed-out') break;
      }
      core.lock();
      held = true;
      // A waiter that was signalled and still finds nothing (a *Nowait call got
      // there first) goes back to the head of the list: it keeps its place.
      atHead = core.lists.endWaitLocked(list, s) === SIGNALLED;
    }
  } catch (e) {
    // A failed call changes nothing: its section is undone.
    if (held) {
      held = false;
      try {
        core.unlockFailed();
      } catch {
        // No stack left even for that (see Core.unlockFailed).
        if ((Atomics.exchange(core.w, LOCK, 0) & 1) !== 0) Atomics.notify(core.w, LOCK, 1);
      }
    }
    throw e;
  } finally {
    if (held) core.unlock();
  }
}

/** The deadline for a timeout in ms (Infinity for none). */
export function deadlineFor(timeout: number): number {
  if (timeout === Infinity || timeout === 0) return timeout; // 0: try once, no clock needed
  return now() + timeout;
}
