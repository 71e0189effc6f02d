// Runs the scribble property in a worker, so that a hang shows up as a
// failure of the test (with the seed) instead of a stalled test run.
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { runScribble, scribbleCase } from './scribble.mjs';

const { seed, numRuns } = workerData;
try {
  await fc.assert(
    fc.asyncProperty(scribbleCase, async (c) => {
      const problem = await runScribble(c);
      if (problem) throw new Error(problem);
    }),
    { seed, numRuns },
  );
  parentPort.postMessage({ ok: true });
} catch (e) {
  parentPort.postMessage({ ok: false, message: String(e?.message ?? e) });
}
