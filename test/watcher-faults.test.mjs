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

for (const seed of SEEDS) {
  it(`seed ${seed}: 6 rounds of two victims killed at random points while the watching thread makes only synchronous calls: 0 hangs, the queue whole`, async () => {
    const report = await new Promise((resolve, reject) => {
      execFile(process.execPath, [SCRIPT, '--seed', String(seed), '--rounds', '6'], { timeout: 100000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.killed ? 'killed after 100 s: a hang' : error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()));
      });
    });
    assert.equal(report.hangs, 0, JSON.stringify(report.bad));
    assert.deepEqual(report.bad, []);
    assert.equal(report.duplicates, 0);
    assert.equal(report.kills, 12);
    assert.ok(report.slowestCallMs < 3000, `slowest call ${report.slowestCallMs} ms`);
  });
}
