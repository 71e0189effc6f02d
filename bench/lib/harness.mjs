// What every scenario shares: the run options, interleaved repetitions,
// workers with a ready handshake, statistics, and the result records that
// run.mjs prints, writes as JSON and draws.
import { execSync } from 'node:child_process';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export const quick = process.argv.includes('--quick');

/** A count for a full run, or a fiftieth of it (at least `min`) for --quick. */
export const size = (full, min = 200) => (quick ? Math.max(min, Math.round(full / 50)) : full);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The value at quantile p of sorted samples. */
export const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/**
 * Runs every variant `reps` times, interleaved: one of each per round, the
 * order rotated each round, so slow spells of a shared machine fall on all
 * variants alike. A variant is an async function returning one sample.
 * Returns { name: [samples] }.
 */
export async function interleave(variants, reps) {
  const names = Object.keys(variants);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      out[name].push(await variants[name]());
    }
  }
  return out;
}

const WORKER = new URL('../worker.mjs', import.meta.url);

/**
 * Starts bench/worker.mjs in `role` and resolves once it said it is ready
 * (attached, set up, waiting for "go"). `w.go()` starts it; `w.done` resolves
 * with its first "done" message; `w.pass(n)` runs a pass of `n` items and
 * resolves with that pass's; `w.exited` once it exits (terminate()).
 */
export async function startWorker(role, data = {}, transferList = []) {
  const w = new Worker(WORKER, { workerData: { role, ...data }, transferList });
  const ready = new Promise((resolve, reject) => {
    w.once('error', reject);
    w.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`bench worker ${role}: expected "ready", got ${m}`))));
  });
  const exited = new Promise((resolve) => w.once('exit', resolve));
  await ready;
  // One listener for every "done": the first resolves `done`, each the pass
  // in progress (no listener of its own per pass, so a postMessage run's
  // items meet as few listeners as before).
  let first;
  let failed;
  const done = new Promise((resolve, reject) => ((first = resolve), (failed = reject)));
  let current;
  w.on('message', (m) => {
    if (!m?.done) return;
    first(m);
    current?.resolve(m);
    current = undefined;
  });
  w.once('error', (e) => {
    failed(e);
    current?.reject(e);
  });
  /** Runs one more pass of `n` items; resolves with that pass's "done" message. */
  const pass = (n) =>
    new Promise((resolve, reject) => {
      current = { resolve, reject };
      w.postMessage({ go: true, n });
    });
  return Object.assign(w, { go: () => w.postMessage('go'), done, exited, pass });
}

function gitCommit() {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown'; // not a git checkout
  }
}

/** The records of one run; scenarios add to it, run.mjs prints and saves it. */
export const results = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    platform: `${process.platform} ${process.arch}`,
    quick,
    commit: gitCommit(),
    loadavgAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  },
  /** id -> { group, label, unit, better: 'higher' | 'lower', samples, median, min, max, extra? } */
  measures: {},
  /** { id, label, group, janus, alt, ratio, better, target?, met? } */
  ratios: [],
};

/** Records a measure from its samples (median, min, max). */
export function record(id, { group, label, unit, better = 'higher', samples, extra }) {
  const m = { group, label, unit, better, samples: samples.map((x) => +x.toPrecision(5)), median: median(samples), min: Math.min(...samples), max: Math.max(...samples), ...(extra && { extra }) };
  results.measures[id] = m;
  return m;
}

/**
 * Records the ratio janus / alternative of two measures' medians. For
 * throughput higher is better, for latency lower; a target is a bound on the
 * ratio in the same sense ('>=' 3 or '<=' 1.3).
 */
export function ratio(id, label, janusId, altId, target) {
  const j = results.measures[janusId];
  const a = results.measures[altId];
  const r = j.median / a.median;
  const entry = { id, label, group: j.group, janus: janusId, alt: altId, ratio: +r.toFixed(3), better: j.better };
  if (target) Object.assign(entry, { target, met: target[0] === '>=' ? r >= target[1] : r <= target[1] });
  results.ratios.push(entry);
  return entry;
}

export function fmt(value, unit) {
  if (unit === 'items/s') return value >= 1e6 ? `${(value / 1e6).toFixed(3)} M/s` : `${(value / 1e3).toFixed(1)} k/s`;
  if (unit === 'MB/s') return `${value.toFixed(0)} MB/s`;
  if (unit === 'µs' || unit === 'µs/item') return `${value.toFixed(2)} ${unit}`;
  if (unit === 'bytes/item') return `${value.toFixed(1)} B/item`;
  return `${value} ${unit}`;
}

/** Prints a group's measures (median, and the range of the repetitions). */
export function printGroup(title, ids) {
  console.log(`\n${title}`);
  for (const id of ids) {
    const m = results.measures[id];
    const spread = m.samples.length > 1 ? `  (${fmt(m.min, m.unit)} – ${fmt(m.max, m.unit)}, n=${m.samples.length})` : '';
    console.log(`  ${m.label.padEnd(58)} ${fmt(m.median, m.unit).padStart(14)}${spread}`);
  }
}

export function printRatios(entries) {
  for (const e of entries) {
    const t = e.target ? `   target ${e.target[0]} ${e.target[1]}: ${e.met ? 'met' : 'MISSED'}` : '';
    console.log(`  ratio ${e.label.padEnd(52)} ${e.ratio.toFixed(2).padStart(6)}×${t}`);
  }
}
