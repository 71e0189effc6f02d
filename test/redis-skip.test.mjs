// Without redis-server the Redis suites are skipped with a message that says
// how to install it, and with JANUS_REQUIRE_ALL=1 (CI) they fail instead.
// (JANUS_REDIS_SERVER points the fixture at a server binary that is not there.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const suite = new URL('./redis-example.test.mjs', import.meta.url).pathname;
function run(env) {
  const base = { ...process.env };
  delete base.NODE_TEST_CONTEXT; // run by `node --test`: the child would report in the runner's own format, not TAP
  return spawnSync(process.execPath, ['--test', '--test-reporter=tap', suite], { encoding: 'utf8', timeout: 60_000, env: { ...base, JANUS_REDIS_SERVER: '/nonexistent/redis-server', ...env } });
}

describe('the Redis suites without redis-server', () => {
  it('are skipped with a message that says how to install it', () => {
    const p = run({ JANUS_REQUIRE_ALL: '0' });
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /# SKIP redis-server not installed: apt-get install redis-server/);
    assert.match(p.stdout, /# pass 0/);
  });

  it('fail with JANUS_REQUIRE_ALL=1', () => {
    const p = run({ JANUS_REQUIRE_ALL: '1' });
    assert.notEqual(p.status, 0, p.stdout);
    assert.match(p.stdout, /redis-server not found at \/nonexistent\/redis-server/);
  });
});
