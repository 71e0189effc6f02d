// The README's example runs as written (npm run example runs this file).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

it('the worker <-> main example computes every job once', () => {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../examples/worker-to-main.mjs', import.meta.url))], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${r.stderr}\n${r.stdout.slice(-500)}`);
  const out = r.stdout;
  const lines = out.trim().split('\n');
  assert.equal(lines.filter((l) => l.startsWith('job ')).length, 30);
  assert.equal(lines.at(-1), 'sum of squares 1..30 = 9455');
});
