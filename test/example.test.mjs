// The examples in examples/ run as written and print what they should.
// (examples/browser/ is run in Chromium by browser-example.test.mjs.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const example = (name) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${r.stderr}\n${r.stdout.slice(-500)}`);
  return r.stdout;
}

describe('examples/worker-to-main.mjs (npm run example)', () => {
  it('prints one line per job when stdout is not a terminal, each job once', () => {
    const lines = run(process.execPath, [example('worker-to-main.mjs')]).trim().split('\n');
    const jobs = lines.filter((l) => l.startsWith('job ')).map((l) => Number(/^job (\d+) -> (\d+) /.exec(l)?.[1]));
    assert.deepEqual(jobs.sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
    assert.equal(lines.length, 31);
    assert.equal(lines.at(-1), 'sum of squares 1..30 = 9455');
  });

  it('draws a progress bar on a terminal instead (run under script(1) for a pty)', () => {
    assert.ok(existsSync('/usr/bin/script'), 'script(1) from util-linux is needed for a pty');
    const out = run('/usr/bin/script', ['-qefc', `${JSON.stringify(process.execPath)} ${JSON.stringify(example('worker-to-main.mjs'))}`, '/dev/null']);
    assert.doesNotMatch(out, /job \d/);
    const frames = out.split('\r').filter((f) => f.startsWith('['));
    assert.equal(frames.length, 30);
    assert.equal(frames[0], `[#${'.'.repeat(29)}] 1/30`);
    assert.match(out, /\[#{30}\] 30\/30\r?\n/);
    assert.match(out, /sum of squares 1\.\.30 = 9455\r?\n$/);
  });
});

describe('examples/sync-consumer.mjs', () => {
  it('a worker consumes with syncQ and taskDone what async sources put; main joins, then shuts down', () => {
    const lines = run(process.execPath, [example('sync-consumer.mjs')]).trim().split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.equal(lines[0], 'all items handled');
    assert.match(lines[1], /^per source: /);
    assert.deepEqual(JSON.parse(lines[1].slice('per source: '.length)), { sensor: 20, http: 15, cron: 5 });
  });
});
