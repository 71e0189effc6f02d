// npm run bench: every scenario, janus-queue against the alternatives, in
// one run; prints medians and ratios, writes the results as JSON
// (bench/results/latest.json) and, with --docs, the figures the docs quote
// (docs/bench-results.json) and their chart (docs/performance.svg).
// npm run bench -- --quick: a smoke run of every scenario in seconds (CI).
// npm run bench -- --only throughput,roundtrip: some scenarios.
// npm run bench -- --breakdown: where each microsecond goes (bench/breakdown.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
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

const t0 = performance.now();
console.log(`janus-queue bench${quick ? ' --quick' : ''}: Node ${results.meta.node}, ${results.meta.nproc} cores, load ${results.meta.loadavgAtStart.join(' ')}`);
for (const name of only) {
  if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  await SCENARIOS[name]();
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
