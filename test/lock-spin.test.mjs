// The lock's adaptive spin (src/lock.ts): how long a thread spins for a
// queue's lock before it sleeps. A spin that runs out without the lock must
// lengthen the next one, as glibc's adaptive mutex does; the first version
// shortened it, and a thread that once slept behind a long hold (a 64 KiB
// copy) slept at every later one (bench/breakdown.mjs: 39,820 lock sleeps
// per 100,000 gets of 64 KiB items). These tests drive the real acquire()
// against a lock word held by another token.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCK, LOCK_SPIN, SLOT_SPIN, acquire, newSpinEstimate, nextSlotSpinAverage, nextSpinAverage, slotSpinMs, spinLimit } from '../dist/internal.js';

/** A lock word held by thread token 7 (never released here). */
function heldLock() {
  const w = new Int32Array(new SharedArrayBuffer(4 * (LOCK + 16)));
  w[LOCK] = 7 << 1;
  return w;
}

describe('the adaptive spin before a lock sleep', () => {
  it('lengthens after each spin that ran out, up to its cap, and gives up in time', () => {
    const w = heldLock();
    const spin = newSpinEstimate();
    const limits = [spinLimit(spin.average)];
    for (let k = 0; k < 40; k++) {
      const t0 = performance.now();
      // A patience long enough for a whole spin of the cap, even unoptimised on a busy machine.
      assert.equal(acquire(w, 3, 25, spin), false);
      assert.ok(performance.now() - t0 < 1000, 'gave up long after its patience');
      limits.push(spinLimit(spin.average));
    }
    for (let k = 1; k < limits.length; k++) assert.ok(limits[k] >= limits[k - 1], `limits ${limits}`);
    assert.equal(limits.at(-1), LOCK_SPIN.max, `limits ${limits}`);
    assert.equal(w[LOCK] >>> 1, 7, 'the holder keeps its lock');
  });

  it('a caller with no patience spins briefly, gives up, and leaves the estimate alone', () => {
    const w = heldLock();
    const spin = newSpinEstimate();
    spin.average = 3000;
    const t0 = performance.now();
    for (let k = 0; k < 100; k++) assert.equal(acquire(w, 3, 0, spin), false);
    assert.equal(spin.average, 3000);
    assert.ok(performance.now() - t0 < 500, `100 tries took ${performance.now() - t0} ms`);
  });

  it('stays between its bounds, and spins that get the lock at once shorten it back', () => {
    assert.equal(spinLimit(0), LOCK_SPIN.min);
    assert.equal(spinLimit(1e9), LOCK_SPIN.max);
    let average = LOCK_SPIN.max;
    for (let k = 0; k < 100; k++) average = nextSpinAverage(average, 0);
    assert.equal(spinLimit(average), LOCK_SPIN.min);
  });
});

// The spin before a waiter's sleep on its slot (src/slot-wait.ts): a few
// microseconds, adapted to the waits the waiter met, so that a signal that
// comes soon costs no futex call, and a waiter that waits long spins least.
describe('the adaptive spin before a slot sleep', () => {
  it('stays within its bounds, grows toward the length of short waits, and shrinks after long ones', () => {
    const { minMs, maxMs } = SLOT_SPIN;
    assert.equal(slotSpinMs(0), minMs);
    assert.equal(slotSpinMs(1), maxMs);
    // Waits of 8 µs: the spin settles at twice that, 16 µs.
    let a = minMs;
    for (let k = 0; k < 100; k++) a = nextSlotSpinAverage(a, 0.008);
    assert.ok(Math.abs(slotSpinMs(a) - 0.016) < 1e-6, String(slotSpinMs(a)));
    // Waits of 1 ms (past the cap): back to the least spin.
    for (let k = 0; k < 100; k++) a = nextSlotSpinAverage(a, 1);
    assert.equal(slotSpinMs(a), minMs);
    // One long wait among short ones moves it an eighth of the way only.
    a = 0.008;
    assert.equal(nextSlotSpinAverage(a, 5), 0.007);
  });

  it('does not hold a timed syncQ.get past its deadline, whatever it learned', async () => {
    const { Queue } = await import('../dist/index.js');
    const q = new Queue();
    // Teach the getter's slot wait that items come fast, then wait for one that never comes.
    for (let k = 0; k < 50; k++) {
      q.syncQ.put(k);
      q.syncQ.get();
    }
    for (const timeout of [0.01, 1, 5]) {
      const t0 = performance.now();
      assert.throws(() => q.syncQ.get({ timeout }), { name: 'QueueEmpty' });
      assert.ok(performance.now() - t0 < timeout + 500, `get({ timeout: ${timeout} }) took ${performance.now() - t0} ms`);
    }
  });
});

describe('the slot spin of an asyncQ pump', () => {
  it('does not grow when the items come from its own thread (which cannot run while it spins)', async () => {
    const { Queue } = await import('../dist/index.js');
    const q = new Queue();
    const N = 2000;
    let put = 0;
    const produce = () => {
      if (put < N) {
        q.syncQ.put(put++);
        setImmediate(produce);
      }
    };
    // The getters' pump and its slot wait (src/async-wait.ts, src/slot-wait.ts):
    // its running average of short waits must stay at its least, so that it
    // neither watches before registering nor spins long before its sleeps.
    const wait = q.asyncQ.getters?.wait;
    assert.equal(typeof wait?.spinAverage, 'number', 'the pump\'s slot wait is not where this test reads it');
    // Count the library's reads of shared words too: a spin is a loop of them.
    const load = Atomics.load;
    let loads = 0;
    Atomics.load = (...a) => (loads++, load(...a));
    let most = 0;
    try {
      setImmediate(produce);
      for (let got = 0; got < N; got++) {
        assert.equal(await q.asyncQ.get(), got);
        most = Math.max(most, wait.spinAverage);
      }
    } finally {
      Atomics.load = load;
    }
    // The first version, which learned from these waits, grew its average
    // to 7-21 µs here (and made 650-920 reads per get; the fix, 40-60).
    assert.ok(most <= SLOT_SPIN.minMs, `the spin's average grew to ${(most * 1000).toFixed(1)} µs`);
    // The reads' bound is a fixed share of the spin's cap in reads, not a
    // figure measured on this machine: the fix's reads per get do not change
    // with the machine's speed, and a probe of that speed does (a bound of
    // a third of one failed CI on a slower machine).
    assert.ok(loads / N < SLOT_SPIN.maxLoads / 8, `${(loads / N).toFixed(0)} reads of shared words per get`);
  });
});
