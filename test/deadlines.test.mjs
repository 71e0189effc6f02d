// Issue 14, items 7 and 8: timeouts are deadlines whatever holds the lock, and
// the thread that watches a worker never blocks for ever on the lock of that
// worker once it is dead, even without turning its event loop.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { LockTimeout, Queue, QueueEmpty } from 'janus-queue';
import { within } from './helpers/bounded.mjs';
import { LOCK } from './helpers/layout.mjs';

const CALLS = new URL('./fixtures/deadline-calls.mjs', import.meta.url);
const WATCHER = new URL('./fixtures/watcher-sync.mjs', import.meta.url);
const DEAD = 4999; // a threadId no thread of this process has

function callsIn(q, calls) {
  const worker = new Worker(CALLS, { workerData: { handle: q.handle, className: 'Queue', calls } });
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return within(done, `${calls.join(', ')} with a dead lock holder (a hang)`).finally(() => worker.terminate());
}

function runProcess(mode) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [WATCHER.pathname, mode], { timeout: 60000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${mode}: ${error.killed ? 'killed after 60 s (a hang)' : error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

describe('timeouts are deadlines whatever holds the lock (issue 14, item 7)', () => {
  it('with the lock held by a dead thread, every call with a timeout ends by it, try-once calls within a bounded moment, taskDone and shutdown within 1 s', async () => {
    const q = new Queue({ maxsize: 2 });
    q.syncQ.put('a');
    const w = new Int32Array(q.handle.buffer);
    Atomics.store(w, LOCK, (DEAD + 1) << 1);
    const timed = ['syncQ.get({ timeout: 200 })', 'syncQ.put({ timeout: 200 })', 'syncQ.getMany(2, { timeout: 200 })', 'syncQ.putMany({ timeout: 200 })', 'asyncQ.get({ timeout: 200 })'];
    const once = ['syncQ.get({ block: false })', 'syncQ.getNowait()', 'syncQ.putNowait()', 'asyncQ.getNowait()', 'asyncQ.putNowait()', 'asyncQ.get({ timeout: 0 })', 'asyncQ.put({ timeout: 0 })'];
    const results = await callsIn(q, [...timed, ...once, 'syncQ.join({ timeout: 200 })', 'syncQ.taskDone()', 'syncQ.shutdown()']);
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    // The upper bounds leave a busy machine's stalls room, and stay below
    // the 1 s that a call which waited out taskDone's lock patience would take.
    for (const name of timed) {
      const r = by[name];
      assert.equal(r.error, /put/i.test(name) ? 'QueueFull' : 'QueueEmpty', name);
      assert.ok(r.ms >= 190 && r.ms < 900, `${name} ended after ${Math.round(r.ms)} ms (timeout 200)`);
    }
    for (const name of once) {
      const r = by[name];
      assert.equal(r.error, /put/i.test(name) ? 'QueueFull' : 'QueueEmpty', name);
      assert.match(r.message, /lock was not free in time/);
      assert.ok(r.ms < 900, `${name} ended after ${Math.round(r.ms)} ms`);
    }
    assert.equal(by['syncQ.join({ timeout: 200 })'].value, false);
    for (const name of ['syncQ.taskDone()', 'syncQ.shutdown()']) {
      assert.equal(by[name].error, 'LockTimeout', name);
      assert.ok(by[name].ms >= 900 && by[name].ms < 2500, `${name} ended after ${Math.round(by[name].ms)} ms`);
    }
    // Nothing changed: recovered, the queue is as it was.
    assert.equal(await q.recover(DEAD), true);
    assert.equal(q.closed, false);
    assert.deepEqual(q.syncQ.getMany(5), ['a']);
  });

  it('asyncQ.get({ timeout: 0 }) and getNowait on this thread end within a bounded moment, and LockTimeout is exported with its name', async () => {
    const q = new Queue();
    q.syncQ.put('a');
    Atomics.store(new Int32Array(q.handle.buffer), LOCK, (DEAD + 1) << 1);
    const t0 = performance.now();
    await assert.rejects(q.asyncQ.get({ timeout: 0 }), QueueEmpty);
    assert.throws(() => q.asyncQ.getNowait(), QueueEmpty);
    assert.throws(() => q.asyncQ.taskDone(), (e) => e instanceof LockTimeout && e.name === 'LockTimeout');
    assert.ok(performance.now() - t0 < 3000);
    await q.recover(DEAD);
    assert.equal(await q.asyncQ.get({ timeout: 0 }), 'a');
  });
});

describe('the watching thread never blocks for ever on a dead worker\'s lock (issue 14, item 8)', () => {
  it('watch(worker), then the worker dies holding the lock: the watching thread\'s synchronous calls recover it themselves, without the event loop', async () => {
    const r = await runProcess('watch');
    assert.ok(r.firstTaskDone.ok, `the first taskDone: ${JSON.stringify(r.firstTaskDone)}`);
    assert.ok(r.firstTaskDone.ms < 2000, `the first taskDone took ${Math.round(r.firstTaskDone.ms)} ms`);
    for (const call of ['putNowait', 'getNowait', 'taskDone', 'shutdown']) assert.ok(r[call].ok, `${call}: ${JSON.stringify(r[call])}`);
    assert.equal(r.lockFree, true);
  });

  it('without watch(), the watching thread\'s synchronous calls end by their deadline with a clear error instead of hanging', async () => {
    const r = await runProcess('unwatched');
    assert.equal(r.firstTaskDone.error, 'LockTimeout');
    assert.ok(r.firstTaskDone.ms < 2500);
    assert.equal(r.putNowait.error, 'QueueFull');
    assert.ok(r.putNowait.ms < 900);
  });
});
