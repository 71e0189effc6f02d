// npm run bench: every scenario, janus-queue against the alternatives, in
// one run; prints medians and ratios, writes the results as JSON
// (bench/results/latest.json) and, with --docs, the figures the docs quote
// (docs/bench-results.json) and their chart (docs/performance.svg).
// npm run bench -- --quick: a smoke run of every scenario in seconds (CI).
// npm run bench -- --only throughput,roundtrip: some scenarios.
// Each scenario runs in a Node process of its own (see below).
// npm run bench -- --breakdown: where each microsecond goes (bench/breakdown.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chart } from './lib/chart.mjs';
import { quick, results } from './lib/harness.mjs';
import { memory } from './scenarios/memory.mjs';
import { mpmc } from './scenarios/mpmc.mjs';
import { overhead } from './scenarios/overhead.mjs';
import { roundtrip } from './scenarios/roundtrip.mjs';
import { syncFn } from './scenarios/sync-fn.mjs';
import { throughput } from './scenarios/throughput.mjs';

if (process.argv.includes('--breakdown')) await import('./breakdown.mjs'); // exits when done

const SCENARIOS = { throughput, roundtrip, syncFn, mpmc, overhead, memory };
const i = process.argv.indexOf('--only');
const only = i > 0 ? process.argv[i + 1].split(',') : Object.keys(SCENARIOS);
const docs = process.argv.includes('--docs');

// --scenario-out FILE: run the one scenario of --only and write its results to FILE.
const c = process.argv.indexOf('--scenario-out');
const childOut = c > 0 ? process.argv[c + 1] : undefined;

const t0 = performance.now();
console.log(`janus-queue bench${quick ? ' --quick' : ''}: Node ${results.meta.node}, ${results.meta.nproc} cores, load ${results.meta.loadavgAtStart.join(' ')}`);
for (const name of only) if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
if (childOut !== undefined || only.length === 1) for (const name of only) await SCENARIOS[name]();
else {
  // Each scenario in a process of its own: the JIT's feedback and the heap
  // that one scenario leaves (call sites that saw every codec, an old
  // generation grown by 64 KiB items) do not slow the next one, and each
  // measures what a program doing only that would see.
  const tmp = mkdtempSync(join(tmpdir(), 'janus-bench-'));
  try {
    for (const name of only) {
      const out = join(tmp, `${name}.json`);
      const args = [fileURLToPath(import.meta.url), '--only', name, '--scenario-out', out, ...(quick ? ['--quick'] : [])];
      const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`bench scenario ${name} failed (exit ${r.status ?? r.signal})`);
      const part = JSON.parse(readFileSync(out, 'utf8'));
      Object.assign(results.measures, part.measures);
      results.ratios.push(...part.ratios);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
if (childOut !== undefined) {
  writeFileSync(childOut, JSON.stringify(results));
  process.exit(0); // synckit keeps its worker alive
}
results.meta.seconds = +((performance.now() - t0) / 1000).toFixed(1);

const targets = results.ratios.filter((r) => r.target);
console.log(`\ntargets (janus-queue / alternative, medians of this run):`);
for (const r of targets) console.log(`  ${r.met ? 'met   ' : 'MISSED'} ${r.id.padEnd(44)} ${r.ratio.toFixed(2).padStart(6)}×  (target ${r.target.join(' ')})`);

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(results, null, 1) + '\n';
writeFileSync(new URL('latest.json', dir), json);
writeFileSync(new URL(quick ? 'quick.svg' : 'latest.svg', dir), chart(results));
if (docs) {
  writeFileSync(new URL('../docs/bench-results.json', import.meta.url), json);
  writeFileSync(new URL('../docs/performance.svg', import.meta.url), chart(results));
}
console.log(`\n${results.meta.seconds} s; results in bench/results/latest.json${docs ? ', docs/bench-results.json and docs/performance.svg' : ''}`);
process.exit(0); // synckit keeps its worker alive
