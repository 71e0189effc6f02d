// The runtime matrix (`npm run test:runtimes`, after `npm run runtimes:install`):
// the portable suite with every runtime (the Node running this, the pinned
// Node 22 and 24, Bun, Deno), then the project's own `node --test` suite
// with each pinned Node. A missing runtime is a failure here. Prints one
// line per run and `N passed, N failed` over all of them.
// `-- --portable-only` leaves out the `node --test` runs.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild, runPortable } from './portable.mjs';
import { INSTALL_RUNTIMES, ROOT, runtimes } from './runtimes.mjs';

const portableOnly = process.argv.includes('--portable-only');
const logs = join(ROOT, '.tmp', 'runtimes');
mkdirSync(logs, { recursive: true });
let passed = 0;
let failed = 0;

const all = runtimes();
const missing = all.filter((rt) => !rt.installed);
for (const rt of missing) console.log(`${rt.name} ${rt.version}: not installed at ${rt.bin}: ${INSTALL_RUNTIMES}`);
failed += missing.length;

for (const rt of all.filter((x) => x.installed)) {
  const started = performance.now();
  const r = await runPortable(rt);
  writeFileSync(join(logs, `${rt.id}-portable.txt`), r.output);
  const ok = r.status === 0 && r.failed === 0 && r.version === rt.version;
  passed += r.passed;
  failed += r.failed ?? 1;
  if (r.status !== 0 && r.failed === 0) failed++; // it ended badly after its checks
  console.log(
    `${ok ? 'ok' : 'FAILED'} - ${rt.name} ${r.version ?? rt.version}, portable suite: ${r.passed} passed, ${r.failed ?? '?'} failed` +
      ` (workers: ${r.workers.join(', ')}; n/a: ${r.notAvailable.join(', ') || 'nothing'}; ${seconds(started)})`,
  );
  for (const f of r.failures) console.log(`    not ok - ${f}`);
  if (!ok && r.failures.length === 0) console.log(r.output.slice(-3000));
}

if (!portableOnly) {
  const files = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.mjs')).map((f) => join('test', f));
  for (const rt of all.filter((x) => x.installed && x.pinned && x.name === 'Node')) {
    const started = performance.now();
    const { status, output } = await runOwnSuite(rt, files);
    const count = (what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
    const [pass, fail, cancelled] = [count('pass'), count('fail'), count('cancelled')];
    writeFileSync(join(logs, `${rt.id}-node-test.tap`), output);
    const ok = status === 0 && fail === 0 && cancelled === 0 && pass > 0;
    passed += pass || 0;
    failed += ok ? 0 : Math.max(1, (fail || 0) + (cancelled || 0));
    console.log(`${ok ? 'ok' : 'FAILED'} - Node ${rt.version}, node --test test/*.test.mjs: ${pass} passed, ${fail} failed, ${cancelled} cancelled (${seconds(started)}; log .tmp/runtimes/${rt.id}-node-test.tap)`);
    if (!ok) for (const line of output.split('\n').filter((l) => /^\s*not ok /.test(l))) console.log(`    ${line.trim()}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;

/** The project's node:test files with this Node, TAP to read the counts (Node >= 23 prints the spec reporter when piped). */
function runOwnSuite(rt, files) {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // its children must not think they report to a parent runner
  return runChild(rt.bin, ['--test', '--test-reporter=tap', '--test-timeout=120000', ...files], { env, ms: 900000 });
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
