// The package's shape, checked on the tarball `npm pack` makes: publint,
// are-the-types-wrong (every TypeScript resolution mode), and the size budget
// (size-limit, configured in package.json). Run alone: npm run check:package.
//
// The tarball is packed once into a private directory and given to both
// tools by path. (`attw --pack` packs into the package directory itself, and
// two packs there at once, say two check runs, can leave it reading an empty
// tarball: it then fails with "Cannot read properties of undefined (reading
// 'filename')".)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules/.bin', name);
let dir;
let tarball;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'janus-queue-pack-'));
  // --ignore-scripts: dist/ is built already (npm test, check:package), and a
  // prepack rebuild would empty dist/ under test files running beside this one.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'ignore' });
  // Found by listing, not from `npm pack --json`, whose shape changed in npm 12.
  const found = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  assert.equal(found.length, 1, `npm pack made ${found.length} tarballs`);
  tarball = join(dir, found[0]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
  } catch (e) {
    assert.fail(`${cmd} ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`);
  }
};

describe('the package shape', () => {
  it('publint --strict finds nothing to report', () => {
    const out = run(bin('publint'), ['run', tarball, '--strict']);
    assert.match(out, /All good!/, out);
  });

  it('are-the-types-wrong finds no problem in either entry point for node10, node16 (CJS and ESM) and bundler resolution', () => {
    const out = JSON.parse(run(bin('attw'), [tarball, '--format', 'json']));
    assert.deepEqual(out.analysis.problems, []);
    assert.deepEqual(Object.keys(out.analysis.entrypoints).sort(), ['.', './package.json', './redis', './sync-fn']);
    for (const [subpath, file] of [['.', 'index'], ['./sync-fn', 'sync-fn'], ['./redis', 'redis']]) {
      const entry = out.analysis.entrypoints[subpath].resolutions;
      assert.deepEqual(Object.keys(entry).sort(), ['bundler', 'node10', 'node16-cjs', 'node16-esm']);
      // import gets the ESM types and build, require the CommonJS ones.
      for (const mode of ['node16-esm', 'bundler']) {
        assert.equal(entry[mode].resolution.fileName, `/node_modules/janus-queue/dist/${file}.d.ts`, `${subpath} ${mode}`);
        assert.equal(entry[mode].implementationResolution.fileName, `/node_modules/janus-queue/dist/${file}.js`, `${subpath} ${mode}`);
      }
      assert.equal(entry['node16-cjs'].resolution.fileName, `/node_modules/janus-queue/dist/${file}.d.cts`, subpath);
      assert.equal(entry['node16-cjs'].implementationResolution.fileName, `/node_modules/janus-queue/dist/${file}.cjs`, subpath);
      // node10 (TypeScript's old `moduleResolution: node`) has no "exports":
      // `main`/`types` serve the root, `typesVersions` the sync-fn and redis types.
      assert.equal(entry.node10.resolution.fileName, `/node_modules/janus-queue/dist/${file}.d.cts`, `${subpath} node10`);
    }
  });

  it('each usage pattern (the whole entry, import { Queue }, sync-fn; minified and gzipped as esbuild bundles it) is within its size budget', () => {
    const results = JSON.parse(run(bin('size-limit'), ['--json']));
    assert.equal(results.length, 3, 'one size-limit entry per pattern in package.json');
    for (const result of results) {
      console.log(`# size: ${result.name}: ${result.size} bytes (limit ${result.sizeLimit})`);
      assert.equal(result.passed, true, `${result.name}: ${result.size} bytes is over the limit of ${result.sizeLimit}`);
    }
  });
});
