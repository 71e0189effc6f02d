// Issue 14, item 8, under random kills: the watching thread keeps making
// synchronous calls (putNowait, getNowait, taskDone) without turning its
// event loop while workers are terminated at random points, kill points
// inside the lock included. Every call ends by its deadline, the calls go on
// within a bound after each kill (the thread recovers the dead worker itself),
// and the queue is whole afterwards. Each run is a process of its own (test/soak/
// watcher-faults.mjs): before the fix a hang blocked its main thread for ever,
// and only the process timeout ended it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';

const SCRIPT = new URL('./soak/watcher-faults.mjs', import.meta.url).pathname;
const SEEDS = [(Number(process.env.FAULT_SEED) || 11), 12];
/** Node itself crashing (a segmentation fault), not the library failing: Node can crash while workers are terminated and started (nodejs/node#56312; seen once here in CI, 0 times in 120 runs after). */
const RUNTIME_CRASH = new Set(['SIGSEGV', 'SIGBUS']);

/** One run of the soak script: its report, or a rejection saying how it ended (a hang, a crash of Node, an exit code and its output). */
function run(seed) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SCRIPT, '--seed', String(seed), '--rounds', '6'], { timeout: 100000 }, (error, stdout, stderr) => {
      if (!error) return resolve(JSON.parse(stdout.trim().split('\n').pop()));
      const how = error.killed ? 'killed after 100 s: a hang' : `ended by ${error.signal ?? `exit code ${error.code}`}`;
      reject(Object.assign(new Error(`${how}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`), { signal: error.killed ? undefined : error.signal }));
    });
  });
}

for (const seed of SEEDS) {
  it(`seed ${seed}: 6 rounds of two victims killed at random points while the watching thread makes only synchronous calls: 0 hangs, the queue whole`, async (t) => {
    let report;
    try {
      report = await run(seed);
    } catch (e) {
      // A crash of Node itself is run again once, and said; a second one, a
      // hang, or any other end fails the test.
      if (!RUNTIME_CRASH.has(e.signal)) throw e;
      t.diagnostic(`the run crashed Node (${e.signal}); run again once`);
      report = await run(seed);
    }
    assert.equal(report.hangs, 0, JSON.stringify(report.bad));
    assert.deepEqual(report.bad, []);
    assert.equal(report.duplicates, 0);
    assert.equal(report.kills, 12);
    assert.ok(report.slowestCallMs < 3000, `slowest call ${report.slowestCallMs} ms`);
  });
}
