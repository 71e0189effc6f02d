// Synchronous calls into a worker's async function: janus-queue/sync-fn's
// createSyncFn against synckit's, interleaved: a trivial call (echo of a
// small object) and calls returning 1 KiB and 64 KiB Uint8Arrays. Calls/s,
// p50 and p99 per library; target: >= 2x synckit's calls/s on the trivial call.
import { createSyncFn as janusSyncFn } from 'janus-queue/sync-fn';
import { createSyncFn as synckitSyncFn } from 'synckit';
import { interleave, printGroup, printRatios, quantile, quick, ratio, record, size } from '../lib/harness.mjs';

const WORKER = new URL('../sync-fn-worker.mjs', import.meta.url);
const REPS = quick ? 1 : 3;
const small = { id: 1, name: 'call', args: [1, 2, 3] };
const CASES = [
  { key: 'trivial', label: 'trivial call (echo a small object)', args: ['echo', small], n: size(20000) },
  { key: '1k', label: 'returns 1 KiB Uint8Array', args: ['bytes', 1024], n: size(10000) },
  { key: '64k', label: 'returns 64 KiB Uint8Array', args: ['bytes', 65536], n: size(2000, 50) },
];

function measure(call, args, n) {
  for (let i = 0; i < Math.min(500, n); i++) call(...args); // warm up
  const samples = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    call(...args);
    samples[i] = (performance.now() - t) * 1e3;
  }
  const seconds = (performance.now() - t0) / 1e3;
  samples.sort();
  return { perSec: n / seconds, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

export async function syncFn() {
  // Both libraries serve from the same worker module; it picks its runAsWorker by environment.
  process.env.SYNC_FN_BENCH_LIB = 'synckit'; // synckit's worker inherits the environment at creation
  const viaSynckit = synckitSyncFn(WORKER.pathname);
  delete process.env.SYNC_FN_BENCH_LIB;
  const viaJanus = janusSyncFn(WORKER, { env: { ...process.env, SYNC_FN_BENCH_LIB: 'janus' }, maxBytes: 1 << 20 });
  const ids = [];
  const ratios = [];
  for (const c of CASES) {
    const runs = await interleave({ janus: async () => measure(viaJanus, c.args, c.n), synckit: async () => measure(viaSynckit, c.args, c.n) }, REPS);
    for (const [who, rs] of Object.entries(runs)) {
      const name = who === 'janus' ? 'janus-queue/sync-fn' : 'synckit';
      record(`syncfn/${c.key}/${who}`, { group: 'sync-fn', label: `${name}, ${c.label}`, unit: 'items/s', samples: rs.map((r) => r.perSec) });
      record(`syncfn/${c.key}/${who}/p50`, { group: 'sync-fn', label: `${name}, ${c.label}, p50`, unit: 'µs', better: 'lower', samples: rs.map((r) => r.p50) });
      record(`syncfn/${c.key}/${who}/p99`, { group: 'sync-fn', label: `${name}, ${c.label}, p99`, unit: 'µs', better: 'lower', samples: rs.map((r) => r.p99) });
      ids.push(`syncfn/${c.key}/${who}`, `syncfn/${c.key}/${who}/p50`, `syncfn/${c.key}/${who}/p99`);
    }
    ratios.push(ratio(`syncfn/${c.key}:synckit`, `sync-fn calls/s / synckit, ${c.label}`, `syncfn/${c.key}/janus`, `syncfn/${c.key}/synckit`, c.key === 'trivial' ? ['>=', 2] : undefined));
  }
  viaJanus.close();
  printGroup(`sync-fn: synchronous calls into a worker's async function (median of ${REPS} runs)`, ids);
  printRatios(ratios);
}
