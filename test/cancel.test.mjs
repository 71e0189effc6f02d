// Issue 14, item 10: cancelling pending asyncQ calls is linear. 100,000
// pending gets with timeouts settle about as late as as many bare timers
// with the same deadlines, and aborting them all at once costs O(n) (an
// indexOf + splice per call made it O(n²): 7 s for 100 k, and seconds of a
// blocked event loop for the abort). Each bound is a floor measured in the
// same process, so a slower machine does not fail a linear library.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue, QueueEmpty } from 'janus-queue';
import { within } from './helpers/bounded.mjs';

const N = 100_000;

describe('linear cancellation (issue 14, item 10)', () => {
  it(`${N} pending asyncQ.get calls with timeouts settle about as late as ${N} bare timers`, async () => {
    const last = 3000;
    // Deadlines spread over the second half of the window, the last at `last` ms
    // after t0; `start` makes a call (one with this timeout) and returns its promise.
    const spread = async (start) => {
      const t0 = performance.now();
      const calls = [];
      for (let i = 0; i < N; i++) calls.push(start(Math.max(0, last / 2 + ((i + 1) * (last / 2)) / N - (performance.now() - t0))));
      const results = await within(Promise.allSettled(calls), 'the timeouts');
      return { results, late: performance.now() - t0 - last };
    };
    // The floor, measured now (the machine is shared): bare timers that reject.
    const bare = await spread((ms) => new Promise((_, reject) => setTimeout(() => reject(new Error('bare')), ms)));
    const q = new Queue();
    const { results, late } = await spread((timeout) => q.asyncQ.get({ timeout }));
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof QueueEmpty));
    assert.ok(late < 1500 + 3 * Math.max(0, bare.late), `${N} timeouts settled ${Math.round(late)} ms after the last deadline (bare timers: ${Math.round(bare.late)} ms)`);
    q.syncQ.putNowait('after'); // the pump is gone: the item stays for the next get
    assert.equal(q.syncQ.getNowait(), 'after');
  });

  for (const shared of [true, false]) {
    it(`aborting ${N} pending asyncQ.get calls (${shared ? 'one signal' : 'a signal each'}) costs O(n): the loop is blocked under 1.5 s plus 3x what bare aborts cost, and the queue serves the next call`, async () => {
      const q = new Queue();
      const one = new AbortController();
      const controllers = shared ? [] : Array.from({ length: N }, () => new AbortController());
      const calls = [];
      for (let i = 0; i < N; i++) calls.push(q.asyncQ.get({ signal: shared ? one.signal : controllers[i].signal }));
      await new Promise((r) => setImmediate(r));
      const t0 = performance.now();
      if (shared) one.abort(new Error('stop'));
      else for (const c of controllers) c.abort(new Error('stop'));
      const blocked = performance.now() - t0;
      const results = await within(Promise.allSettled(calls), 'the aborts');
      assert.ok(results.every((r) => r.status === 'rejected' && r.reason.message === 'stop'));
      // What the same aborts cost bare, measured now (the machine is shared):
      // one bare listener per signal; for one signal, one listener that
      // rejects N promises with its reason (N listeners on one signal would
      // cost O(n²) to add: Node's addEventListener looks for a duplicate).
      const bare = Array.from({ length: shared ? 1 : N }, () => new AbortController());
      const rejects = [];
      const pending = shared ? Array.from({ length: N }, () => new Promise((_, reject) => rejects.push(reject)).catch(() => {})) : [];
      for (const c of bare) c.signal.addEventListener('abort', shared ? () => rejects.forEach((reject) => reject(c.signal.reason)) : () => {}, { once: true });
      const t1 = performance.now();
      for (const c of bare) c.abort(new Error('stop'));
      const floor = performance.now() - t1;
      await Promise.all(pending);
      assert.ok(blocked < 1500 + 3 * floor, `the abort blocked the event loop ${Math.round(blocked)} ms (bare aborts: ${Math.round(floor)} ms)`);
      const get = q.asyncQ.get();
      q.syncQ.putNowait('next');
      assert.equal(await within(get, 'a get after the aborts'), 'next');
    });
  }

  it(`${N} pending asyncQ.get calls sharing one signal, served by items, leave no listener behind`, async () => {
    const q = new Queue();
    const c = new AbortController();
    const calls = [];
    for (let i = 0; i < N; i++) calls.push(q.asyncQ.get({ signal: c.signal }));
    const t0 = performance.now();
    q.syncQ.putMany(Array.from({ length: 1000 }, (_, i) => i)); // served in order
    for (let k = 1; k < N / 1000; k++) {
      await calls[k * 1000 - 1];
      q.syncQ.putMany(Array.from({ length: 1000 }, (_, i) => k * 1000 + i));
    }
    const values = await within(Promise.all(calls), 'the gets');
    assert.deepEqual(values.slice(0, 3), [0, 1, 2]);
    assert.equal(values[N - 1], N - 1);
    assert.ok(performance.now() - t0 < 10000, `served in ${Math.round(performance.now() - t0)} ms`);
    c.abort(); // nothing is listening any more
  });
});
