// Synchronous calls into an async function in a worker: janus-queue/sync-fn
// against synckit's createSyncFn, in one run, interleaved, several rounds.
// Calls: a trivial echo of a small object, and calls returning 1 KiB and
// 64 KiB Uint8Arrays. Prints calls/s, p50 and p99 per library and the ratio.
// Run: npm run build && node bench/sync-fn.mjs [--quick]
import { createSyncFn as janusSyncFn } from 'janus-queue/sync-fn';
import { createSyncFn as synckitSyncFn } from 'synckit';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
const WORKER = new URL('./sync-fn-worker.mjs', import.meta.url);
const small = { id: 1, name: 'call', args: [1, 2, 3] };
const CASES = [
  { label: 'trivial call (echo small object)', args: ['echo', small], n: quick ? 2000 : 20000 },
  { label: 'returns 1 KiB Uint8Array', args: ['bytes', 1024], n: quick ? 1000 : 10000 },
  { label: 'returns 64 KiB Uint8Array', args: ['bytes', 65536], n: quick ? 200 : 2000 },
];

function measure(call, args, n) {
  for (let i = 0; i < Math.min(500, n); i++) call(...args); // warm up
  const samples = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    call(...args);
    samples[i] = performance.now() - t;
  }
  const total = performance.now() - t0;
  samples.sort();
  return { perSec: n / (total / 1e3), p50: samples[Math.floor(n * 0.5)] * 1e3, p99: samples[Math.floor(n * 0.99)] * 1e3 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// synckit picks its worker's library by environment: one function each, made once.
process.env.SYNC_FN_BENCH_LIB = 'synckit';
const viaSynckit = synckitSyncFn(WORKER.pathname);
viaSynckit('echo', 0); // the worker is up before the env changes
process.env.SYNC_FN_BENCH_LIB = 'janus';
const viaJanus = janusSyncFn(WORKER, { env: { ...process.env, SYNC_FN_BENCH_LIB: 'janus' }, maxBytes: 1 << 20 });

export const results = [];
for (const c of CASES) {
  const runs = { janus: [], synckit: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate who goes first, so neither always gets the warmer machine.
    const order = r % 2 === 0 ? ['janus', 'synckit'] : ['synckit', 'janus'];
    for (const who of order) runs[who].push(measure(who === 'janus' ? viaJanus : viaSynckit, c.args, c.n));
  }
  const pick = (who, k) => median(runs[who].map((x) => x[k]));
  const row = {
    label: c.label,
    janus: { perSec: pick('janus', 'perSec'), p50: pick('janus', 'p50'), p99: pick('janus', 'p99') },
    synckit: { perSec: pick('synckit', 'perSec'), p50: pick('synckit', 'p50'), p99: pick('synckit', 'p99') },
  };
  row.ratio = row.janus.perSec / row.synckit.perSec;
  results.push(row);
}

console.log(`sync-fn: synchronous calls into a worker's async function, medians of ${ROUNDS} rounds`);
const fmt = (x) => `${(x.perSec / 1e3).toFixed(1).padStart(6)} k/s  p50 ${x.p50.toFixed(1).padStart(6)} µs  p99 ${x.p99.toFixed(1).padStart(7)} µs`;
for (const r of results) {
  console.log(`  ${r.label}`);
  console.log(`    janus-queue/sync-fn ${fmt(r.janus)}`);
  console.log(`    synckit             ${fmt(r.synckit)}`);
  console.log(`    ratio janus-queue / synckit calls/s: ${r.ratio.toFixed(2)}x`);
}
viaJanus.close();
process.exit(0); // synckit keeps its worker
