// A fresh clone packs a working package: `npm pack` in a clone of the
// committed HEAD (no dist/ there) builds first (the `prepack` script), so the
// tarball holds dist/, not only README, CHANGELOG and package.json; and the
// build's output does not spoil what `npm pack --json` prints.
//
// The clone reuses this checkout's node_modules through a symlink (the same
// lockfile; `npm ci` there would take minutes). It builds in its own folder,
// so the dist/ the other test files import is never touched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir;
let listing;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'janus-queue-clone-'));
  const clone = join(dir, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { stdio: 'ignore' });
  assert.equal(existsSync(join(clone, 'dist')), false, 'a fresh clone has no dist/ (it is git-ignored)');
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
  // The build prints to stderr, so what `npm pack --json` prints stays JSON.
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120000 });
  assert.doesNotThrow(() => JSON.parse(out), `npm pack --json printed more than JSON:\n${out.slice(0, 300)}`);
  const found = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  assert.equal(found.length, 1, `npm pack made ${found.length} tarballs`);
  listing = execFileSync('tar', ['-tzvf', join(dir, found[0])], { encoding: 'utf8' }).trim().split('\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack in a fresh clone of the committed HEAD', () => {
  it('builds dist/ first: the tarball holds both entry points, ESM and CommonJS, with their types', () => {
    const files = listing.map((l) => l.split(/\s+/).at(-1)).sort();
    for (const entry of ['index', 'sync-fn']) {
      for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) assert.ok(files.includes(`package/dist/${entry}.${ext}`), `dist/${entry}.${ext} missing from ${files.join(', ')}`);
    }
    assert.ok(files.includes('package/dist/sync-fn-worker.js'));
    assert.ok(files.includes('package/dist/sync-fn-supervisor.js'));
  });

  it('the built files are not empty', () => {
    // `tar -tv` prints the size in the third column: mode owner/group size date time path.
    const built = listing.filter((l) => / package\/dist\//.test(l));
    assert.ok(built.length >= 6, `${built.length} files under dist/`);
    for (const line of built) {
      const size = Number(line.split(/\s+/)[2]);
      assert.ok(size > 100, `${line}: ${size} bytes`);
    }
  });
});
