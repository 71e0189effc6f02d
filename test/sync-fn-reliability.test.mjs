// Issue 14, items 9 and 11: janus-queue/sync-fn never hangs past a timeout
// when a thread dies inside a queue's lock, fails one bad call without ending
// the server, and a call that timed out does not hold up the next ones. Each
// case runs in a process of its own (test/fixtures/sync-fn/dead-in-lock.mjs):
// before the fixes, the blocked caller (or the server's close) hung its
// thread for ever, and only the process timeout ended it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';

const SCRIPT = new URL('./fixtures/sync-fn/dead-in-lock.mjs', import.meta.url).pathname;

function run(mode) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SCRIPT, mode], { timeout: 60000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${mode}: ${error.killed ? 'killed after 60 s: a hang' : error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

describe('sync-fn with a thread dead inside a lock (issue 14, item 9)', () => {
  it('a createSyncFn worker that dies holding the replies lock: the blocked caller gets ServerGone (the supervisor recovers before its farewell), and so does the next call', async () => {
    const r = await run('createSyncFn');
    assert.equal(r.warm.value, 'hello');
    assert.equal(r.call.error, 'ServerGone');
    assert.match(r.call.message, /memory limit/);
    assert.equal(r.next.error, 'ServerGone');
    assert.ok(r.ms < 20000, `took ${Math.round(r.ms)} ms`);
  });

  it('a serveAsync whose calling worker is terminated holding the requests lock: server.watch(worker) repairs and closes it, and close() neither throws nor blocks', async () => {
    const r = await run('serveAsync');
    assert.equal(r.code, 1);
    assert.equal(r.closeAgain.value, 'returned');
  });
});

describe('sync-fn: one bad or slow call (issue 14, item 11)', () => {
  it('arguments the serving thread cannot decode fail that call only; the next call is served', async () => {
    const r = await run('deep');
    assert.equal(r.warm.value, 'hello');
    assert.ok(r.call.error === 'TypeError' || r.call.error === 'RangeError', JSON.stringify(r.call)); // refused on either side
    assert.notEqual(r.call.error, 'ServerGone');
    assert.equal(r.next.value, 'after');
  });

  it('a call that timed out does not make the next call wait behind it', async () => {
    const r = await run('timeout');
    assert.equal(r.warm.value, 'hello');
    assert.equal(r.slow.error, 'CallTimeout');
    assert.equal(r.next.value, 'after');
    assert.ok(r.nextMs < 1500, `the next call took ${Math.round(r.nextMs)} ms`);
  });
});
