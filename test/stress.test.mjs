// A short seeded stress run per kind of queue inside npm test (the long runs:
// npm run stress -- --seed N --seconds S). The seeds were picked to cover a
// soft shutdown in mid-run by the main thread and by a worker, and an
// immediate one in mid-run (it discards items) and at the end. A failure
// prints the seed to replay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stress } from './stress/run.mjs';

describe('seeded stress: producers, consumers and joiners in several threads, both faces, timeouts, aborts, shutdowns at random moments', () => {
  for (const [seed, kind] of [
    [11, 'Queue'],
    [12, 'LifoQueue'],
    [13, 'Queue'],
    [17, 'PriorityQueue'],
  ]) {
    it(`${kind}, seed ${seed}: nothing lost, nothing twice, unfinishedTasks exact, no thread left blocked`, async () => {
      const res = await stress({ seed, seconds: 2, kind });
      assert.deepEqual(res.problems, [], `replay with: npm run stress -- --seed ${seed} --seconds 2 --kind ${kind}`);
      assert.ok(res.total > 0, 'the producers put something');
    });
  }
});
