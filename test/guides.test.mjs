// The code in the guides and the README runs as written. In each document,
// every fenced block whose info string has `file=PATH` is written to PATH in
// a fresh directory (test/helpers/markdown.mjs). Every `sh run` block there
// is one command (`node FILE ARGS...`), run in that directory; the
// `text output` block right after it is what it must print; `sh run exit=N`
// expects exit status N (0 otherwise). Blocks without these marks are not run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { codeBlocks, root, sampleProject } from './helpers/markdown.mjs';

const docs = ['README.md', ...readdirSync(join(root, 'docs/guides')).filter((f) => f.endsWith('.md')).map((f) => `docs/guides/${f}`)];
const dirs = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

for (const doc of docs) {
  const all = codeBlocks(doc);
  const runs = all.map((b, i) => ({ ...b, i })).filter((b) => /^sh\s+run\b/.test(b.info));
  if (runs.length === 0) continue;
  describe(`${doc}: the marked code runs as written`, () => {
    const dir = sampleProject(all);
    dirs.push(dir);
    for (const r of runs) {
      const command = r.body.trim();
      it(`$ ${command}`, () => {
        const [cmd, ...args] = command.split(/\s+/);
        assert.equal(cmd, 'node', 'a run block holds one `node FILE ARGS...` command');
        const status = Number(/\bexit=(\d+)/.exec(r.info)?.[1] ?? 0);
        const p = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] });
        assert.equal(p.status, status, `${command}: exit ${p.status ?? p.signal}, expected ${status}\n${p.stderr}\n${p.stdout}`);
        const expected = all[r.i + 1];
        if (expected && /^text\s+output\b/.test(expected.info)) assert.equal(p.stdout, expected.body);
      });
    }
  });
}
