// Installs the pinned runtimes of runtimes.json from the npm registry into
// .runtimes/<id>/ (or JANUS_RUNTIMES_DIR): `npm run runtimes:install`. A
// runtime already there at its pinned version is kept. They are not
// dependencies of the package; .runtimes/ is ignored by git.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES_DIR, runtimes } from './runtimes.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
for (const r of runtimes().filter((x) => x.pinned)) {
  const dir = join(RUNTIMES_DIR, r.id);
  const stamp = join(dir, 'pinned.txt');
  const spec = `${r.package}@${r.version}`;
  if (r.installed && existsSync(stamp) && readFileSync(stamp, 'utf8') === spec) {
    console.log(`${r.id}: ${spec} already installed`);
    continue;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(npm, ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', spec], { stdio: 'inherit' });
  const version = execFileSync(r.bin, ['--version'], { encoding: 'utf8' });
  if (!version.includes(r.version)) throw new Error(`${r.id}: ${r.bin} --version says ${version.trim()}, not ${r.version}`);
  writeFileSync(stamp, spec);
  console.log(`${r.id}: ${spec} installed (${version.trim().split('\n')[0]})`);
}
