// A short seeded stress run per kind of queue inside npm test (the long runs:
// npm run stress -- --seed N --seconds S). A failure prints the seed to replay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stress } from './stress/run.mjs';

describe('seeded stress: producers and consumers in several threads, both faces, timeouts, aborts, shutdown', () => {
  for (const [seed, kind, immediate] of [
    [11, 'Queue', false],
    [12, 'LifoQueue', true],
    [13, 'PriorityQueue', false],
    [14, 'Queue', true],
  ]) {
    it(`${kind}, seed ${seed}, ${immediate ? 'immediate' : 'soft'} shutdown at the end: nothing lost, nothing twice`, async () => {
      const res = await stress({ seed, seconds: 2, kind, immediate });
      assert.deepEqual(res.problems, [], `replay with: npm run stress -- --seed ${seed} --seconds 2 --kind ${kind}`);
      assert.ok(res.total > 0, 'the producers put something');
    });
  }
});
