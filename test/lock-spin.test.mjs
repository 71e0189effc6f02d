// The lock's adaptive spin (src/lock.ts): how long a thread spins before it
// sleeps. A spin that runs out without the lock must lengthen the next one,
// as glibc's adaptive mutex does; until the sixth round of Performance II it
// shortened it, and a thread that once slept behind a long hold (a 64 KiB
// copy) slept at every later one: 39,820 lock sleeps per 100,000 gets of 64
// KiB items in bench/breakdown.mjs, 4,300 with this rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSpinAverage, spinLimit } from '../dist/internal.js';

/** The limit after `rounds` spins against a holder that keeps the lock for `hold` loads each time (Infinity: never in time). */
function learn(average, hold, rounds) {
  for (let r = 0; r < rounds; r++) {
    const limit = spinLimit(average);
    average = nextSpinAverage(average, hold < limit ? hold : limit);
  }
  return average;
}

describe('the adaptive spin before a lock sleep', () => {
  it('stays between 100 and 20,000 loads', () => {
    assert.equal(spinLimit(0), 100);
    assert.equal(spinLimit(50), 110);
    assert.equal(spinLimit(1e9), 20000);
  });

  it('spins that run out lengthen the next, up to the longest', () => {
    let average = 50; // a thread's first estimate
    const limits = [];
    for (let r = 0; r < 8; r++) {
      limits.push(spinLimit(average));
      average = learn(average, Infinity, 1);
    }
    for (let r = 1; r < limits.length; r++) assert.ok(limits[r] > limits[r - 1], `limits ${limits}`);
    assert.equal(spinLimit(learn(50, Infinity, 100)), 20000);
  });

  it('learns to outlast a hold it once lost to, and then keeps getting the lock by spinning', () => {
    // A hold of 3,000 loads, longer than the first spins: they run out,
    // then the spin outgrows the hold and settles above it.
    const hold = 3000;
    let average = 50;
    let lost = 0;
    let rounds = 0;
    for (; rounds < 200; rounds++) {
      const limit = spinLimit(average);
      if (hold >= limit) lost++;
      average = nextSpinAverage(average, hold < limit ? hold : limit);
    }
    assert.ok(lost > 0 && lost < 40, `lost ${lost} of ${rounds}`);
    assert.ok(spinLimit(average) > hold, `limit ${spinLimit(average)}`);
  });

  it('spins that get the lock at once shorten it back to the shortest', () => {
    assert.equal(spinLimit(learn(10000, 0, 100)), 100);
  });
});
