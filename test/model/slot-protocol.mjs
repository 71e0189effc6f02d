// An exhaustive interleaving explorer for the slot protocol of docs/design.md
// ("Waiting: one slot per waiter"), for two or three threads. It is a model
// of the protocol, step by step as src/slot-wait.ts (driven by src/sync-wait.ts
// and src/async-wait.ts) and src/waiters.ts
// take them, not the code itself: each step is one atomic action (take the
// lock, one critical section, release, the futex check-and-sleep, a notify,
// a timeout, an abort), and every interleaving of the threads' steps is
// explored (depth-first, states memoised). Checked in every state reached:
// an item is taken at most once; and in every state where no step is
// possible: no getter that still wants an item sleeps while one is queued (a
// lost wake-up), nobody waits for a lock no one will release, and every item
// put is either taken or still queued.
//
// Threads:
//   putter(n)      puts n items: lock, add, signal the first getter, unlock, notify.
//   getter()       a syncQ.get: lock, take or register, unlock, wait while WAITING
//                  (or time out, once, if timed), lock, end the wait (unlink if
//                  WAITING; a signalled one re-registers at the head), retry;
//                  after a timeout it tries once more and gives up.
//   asyncGetter()  one asyncQ.get on a pump: as getter, and at any moment while
//                  it waits its call may be aborted: the pump withdraws (lock;
//                  WAITING: unlink, CANCELLED; SIGNALLED: PASSED_ON and pass the
//                  signal on; unlock; notify its own slot); when its wait
//                  settles with no call left it ends the wait and passes on a
//                  signal it still holds.
//   largePutter(n) puts n large items (docs/design.md, "Large puts: reserve,
//                  copy, publish"): lock, reserve, unlock; fill (store FILLED,
//                  no lock); look whether a getter is listed: if so lock,
//                  publish, unlock, notify; if not, leave it (deferred). Every
//                  section of every thread starts by publishing a FILLED
//                  item (count it, signal the first getter), and a getter
//                  that registers looks for a FILLED item right after it is
//                  listed and publishes it ("Publish when somebody waits").
//                  The putter's store of FILLED and its look, and the
//                  getter's listing and its look at FILLED, are each a step
//                  (the putter's take no lock), so every order of the four
//                  is explored. A put (large or not) finds a reservation
//                  being filled and tries again (the code lists it on
//                  PUTTERS, which the putter's look also reads: that half
//                  is tested with real threads in test/reserve.test.mjs).
// Slots are one per thread (slot reuse is not modelled: a late notify to a
// reused slot is a spurious wake-up, which every waiter tolerates). An
// asyncQ get that watches the queue before it registers (SlotWait.watch)
// only makes one more attempt, a section like any other: not modelled.

import { CANCELLED, PASSED_ON, SIGNALLED, WAITING } from '../helpers/layout.mjs';

/** `bugs`: switch off one rule of the protocol, to show the explorer finds what it guards against. */
export function explore(threads, { bugs = {} } = {}) {
  const init = {
    lock: -1,
    count: 0,
    taken: 0,
    /** A large put's reservation: 0 (none), 'reserved', or 'filled' (not yet counted). */
    res: 0,
    list: [],
    state: threads.map(() => WAITING),
    t: threads.map((spec) => ({ pc: 'start', ...spec, notify: [], asleep: false, woken: false, done: false })),
  };
  const seen = new Set();
  const violations = [];
  let states = 0;
  const stack = [[init, []]];
  while (stack.length > 0) {
    const [s, trace] = stack.pop();
    const key = JSON.stringify(s);
    if (seen.has(key)) continue;
    seen.add(key);
    states++;
    if (s.taken > putCount(s)) violations.push({ what: 'an item taken twice', trace });
    const moves = [];
    s.t.forEach((t, i) => {
      for (const [label, next] of steps(s, i, bugs)) moves.push([`${i}:${t.kind}:${label}`, next]);
    });
    if (moves.length === 0) {
      const v = terminalProblem(s);
      if (v) violations.push({ what: v, trace });
      continue;
    }
    for (const [label, next] of moves) stack.push([next, trace.length < 80 ? [...trace, label] : trace]);
    if (violations.length > 0) break;
  }
  return { states, violations };
}

const putCount = (s) => s.t.reduce((n, t) => n + (t.kind === 'putter' || t.kind === 'largePutter' ? t.n : 0), 0);

function terminalProblem(s) {
  const put = putCount(s);
  const filled = s.res === 'filled' ? 1 : 0;
  if (s.taken + s.count + filled !== put) return `items lost: ${put} put, ${s.taken} taken, ${s.count} queued, ${filled} filled`;
  for (const t of s.t) {
    if (t.done) continue;
    if (t.pc === 'lock' || t.pc === 'relock' || t.pc === 'cancelLock' || t.pc === 'publishLock') return `a thread waits for ever on the lock (${t.kind})`;
    if (t.asleep && s.count + filled > 0) return `lost wake-up: a ${t.kind} sleeps while ${s.count} item(s) are queued and ${filled} filled`;
  }
  return null;
}

const clone = (s) => structuredClone(s);

/** The steps thread i can take in state s: [label, next state]. */
function steps(s, i, bugs) {
  const t = s.t[i];
  if (t.done) return [];
  const out = [];
  const step = (label, f) => {
    const n = clone(s);
    f(n, n.t[i]);
    out.push([label, n]);
  };
  // Every section begins by publishing a filled large put (Core.begun).
  const publish = (n, me) => {
    if (n.res !== 'filled') return;
    n.res = 0;
    n.count++;
    signalFirst(n, me);
  };
  const lock = (n, me, pc) => {
    n.lock = i;
    me.pc = pc;
    publish(n, me);
  };
  const nextPut = (n, me) => {
    me.n_done = (me.n_done ?? 0) + 1;
    return me.n_done < me.n ? 'lock' : 'finish';
  };
  const unlockAndNotify = (n, me, pc) => {
    n.lock = -1;
    me.pc = me.notify.length > 0 ? 'notify' : pc;
    me.after = pc;
  };
  const signalFirst = (n, me) => {
    if (n.list.length === 0) return;
    const w = n.list.shift();
    n.state[w] = SIGNALLED;
    me.notify.push(w);
  };
  switch (t.pc) {
    case 'start':
      step('begin', (n, me) => (me.pc = 'lock'));
      break;
    case 'lock':
    case 'relock':
    case 'cancelLock':
    case 'publishLock':
      if (s.lock === -1) step('lock', (n, me) => lock(n, me, { lock: 'attempt', relock: 'endWait', cancelLock: 'withdraw', publishLock: 'published' }[t.pc]));
      break;
    case 'published':
      // The section's begin published it (or a section of another thread had).
      step('unlock', (n, me) => unlockAndNotify(n, me, nextPut(n, me)));
      break;
    case 'fill':
      step('fill', (n, me) => {
        n.res = 'filled';
        me.pc = 'look';
      });
      break;
    case 'look':
      // Anybody listed? Then publish now; else leave it to the next section.
      step(s.list.length > 0 && !bugs.alwaysDefer ? 'someone waits' : 'defer', (n, me) => {
        if (n.list.length > 0 && !bugs.alwaysDefer) me.pc = 'publishLock';
        else me.pc = nextPut(n, me);
      });
      break;
    case 'attempt':
      if ((t.kind === 'largePutter' || t.kind === 'putter') && s.res !== 0) {
        // Behind a reservation being filled, a put is blocked as if the
        // queue were full (the code lists it on PUTTERS; here it tries again).
        step('blocked', (n, me) => {
          n.lock = -1;
          me.pc = 'lock';
        });
      } else if (t.kind === 'largePutter') {
        step('reserve', (n, me) => {
          n.res = 'reserved';
          unlockAndNotify(n, me, 'fill');
        });
      } else if (t.kind === 'putter') {
        step('put', (n, me) => {
          n.count++;
          signalFirst(n, me);
          me.n_done = (me.n_done ?? 0) + 1;
          unlockAndNotify(n, me, me.n_done < me.n ? 'lock' : 'finish');
        });
      } else {
        step(s.count > 0 ? 'take' : t.lastTry ? 'give up' : 'register', (n, me) => {
          if (n.count > 0) {
            n.count--;
            n.taken++;
            me.got = true;
            unlockAndNotify(n, me, 'finish');
          } else if (me.lastTry) unlockAndNotify(n, me, 'finish');
          else {
            n.state[i] = WAITING;
            // Listed (its store of LIST_HEAD), then a look at FILLED
            // (Core.registeredLocked): two steps, between which a large
            // putter's fill and look may fall (they take no lock).
            me.pc = bugs.checkFirst ? 'recheck' : 'link';
          }
        });
      }
      break;
    case 'link':
      step('link', (n, me) => {
        if (me.atHead) n.list.unshift(i);
        else n.list.push(i);
        if (bugs.checkFirst) unlockAndNotify(n, me, 'wait');
        else me.pc = 'recheck';
      });
      break;
    case 'recheck':
      step('look at FILLED', (n, me) => {
        // A large put filled meanwhile is published now.
        if (!bugs.noRecheck) publish(n, me);
        if (bugs.checkFirst) me.pc = 'link';
        else unlockAndNotify(n, me, 'wait');
      });
      break;
    case 'notify':
      step('notify', (n, me) => {
        for (const w of me.notify) {
          const other = n.t[w];
          if (other.asleep) {
            other.asleep = false;
            other.pc = 'wait';
          }
        }
        me.notify = [];
        me.pc = me.after;
      });
      break;
    case 'finish':
      step('done', (n, me) => (me.done = true));
      break;
    case 'wait':
      // The futex check-and-sleep: one atomic step.
      step(s.state[i] === WAITING || (bugs.sleepWithoutCheck && !t.aborted) ? 'sleep' : 'not-equal', (n, me) => {
        if (n.state[i] === WAITING || (bugs.sleepWithoutCheck && !me.aborted)) (me.asleep = true), (me.pc = 'asleep');
        else me.pc = 'relock';
      });
      if (t.kind === 'asyncGetter' && !t.aborted) abort();
      break;
    case 'asleep':
      if (t.timeouts > 0)
        step('time out', (n, me) => {
          me.asleep = false;
          me.timeouts--;
          me.timedOut = true;
          me.pc = 'relock';
        });
      if (t.kind === 'asyncGetter' && !t.aborted) abort();
      break;
    case 'endWait':
      step('end wait', (n, me) => {
        const st = n.state[i];
        if (st === WAITING) n.list.splice(n.list.indexOf(i), 1);
        if (me.aborted) {
          // No call left: a signal this pump still holds goes to the next waiter.
          if (st === SIGNALLED && !bugs.noPassOnAtEnd && n.count > 0) signalFirst(n, me);
          unlockAndNotify(n, me, 'finish');
          return;
        }
        me.atHead = st === SIGNALLED;
        if (me.timedOut) me.lastTry = true;
        me.pc = 'attempt';
      });
      break;
    case 'withdraw':
      step('withdraw', (n, me) => {
        const st = n.state[i];
        if (st === WAITING) {
          n.list.splice(n.list.indexOf(i), 1);
          n.state[i] = CANCELLED;
        } else if (st === SIGNALLED) {
          n.state[i] = bugs.noPassOnWithdraw ? CANCELLED : PASSED_ON;
          if (!bugs.noPassOnWithdraw && n.count > 0) signalFirst(n, me);
        }
        // Its own wait settles now (the withdrawer notifies the slot): it
        // re-checks its state, which is no longer WAITING.
        unlockAndNotify(n, me, 'wait');
      });
      break;
  }
  return out;

  // The abort of the pump's only call, which runs on the pump's thread while
  // the pump awaits: it withdraws, then the pump's wait settles and it ends.
  function abort() {
    step('abort', (n, me) => {
      me.aborted = true;
      me.asleep = false;
      me.pc = 'cancelLock';
    });
  }
}

export const putter = (n) => ({ kind: 'putter', n });
export const largePutter = (n) => ({ kind: 'largePutter', n });
export const getter = (timeouts = 0) => ({ kind: 'getter', timeouts });
export const asyncGetter = () => ({ kind: 'asyncGetter', timeouts: 0 });
