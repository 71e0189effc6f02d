// The event loop: a pending asyncQ call keeps a Node process alive (Node does
// not count a pending Atomics.waitAsync), an idle queue does not; and the
// async face works without Atomics.waitAsync.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
// A child run of node --test must not think it reports to this runner.
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;
const run = (args) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120000, cwd: here('..'), env });

describe('the event loop', () => {
  it('stays alive while the only pending work is an asyncQ.get, until the item arrives', () => {
    const r = run([here('./fixtures/pending-get.mjs')]);
    assert.equal(r.signal, null, 'not killed by the bound');
    assert.equal(r.stdout.trim(), 'arrived', r.stderr);
    assert.equal(r.status, 0);
  });

  it('lets a process with an idle queue exit on its own', () => {
    const r = run([here('./fixtures/idle-exit.mjs')]);
    assert.equal(r.signal, null, 'it had to be killed: something kept it alive');
    assert.equal(r.stdout.trim(), 'idle', r.stderr);
    assert.equal(r.status, 0);
  });
});

describe('without Atomics.waitAsync', () => {
  it('the async, cross-thread and liveness behaviours all pass with it removed', () => {
    const r = run([
      '--import',
      here('./fixtures/no-waitasync.mjs'),
      '--test',
      '--test-reporter=tap', // Node >= 23 prints the spec reporter when piped; this reads TAP's closing lines
      '--test-timeout=60000',
      here('./async.test.mjs'),
      here('./cross-thread.test.mjs'),
      here('./fixtures/pending-get.mjs'),
    ]);
    assert.equal(r.signal, null, 'killed by the bound: a hang');
    assert.match(r.stdout, /# fail 0/, r.stdout.slice(-3000));
    assert.match(r.stdout, /# pass [1-9]/);
    assert.equal(r.status, 0, r.stdout.slice(-3000));
  });
});
