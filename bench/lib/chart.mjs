// docs/performance.svg from a run's results: one bar per ratio janus-queue /
// alternative, on a log scale, with the 1× line and each target marked. Plain
// SVG, written by hand: no chart dependency.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The ratios the chart shows: the targets first, then the other headline comparisons. */
export const CHARTED = [
  'tp/worker->main/small/janus:post',
  'tp/worker->main/small/janusBatch:postBatch',
  'tp/worker->main/1k/janus:post',
  'tp/worker->main/64k/janus:post',
  'rt/syncSync:atomics',
  'rt/syncAsync:post',
  'tp/worker->main/1k/janusBatch:postBatch',
  'tp/worker->main/64k/janus:postTransfer',
  'tp/main->worker/small/janus:post',
  'tp/main->worker/small/janusBatch:postBatch',
  'tp/main->worker/1k/janus:post',
  'tp/main->worker/64k/janus:post',
  'tp/worker->worker/small/janus:post',
  'tp/worker->worker/small/janusBatch:postBatch',
  'tp/worker->worker/1k/janus:post',
  'tp/worker->worker/64k/janus:post',
  'rt/syncSync:synckit',
  'tp/worker->main/small/janus/cpu:post',
  'tp/worker->main/1k/janus/cpu:post',
  'codec/structured:v8',
];

const W = 900;
const ROW = 22;
const LEFT = 420;
const RIGHT = 60;
const TOP = 56;
const MIN = 0.05;
const MAX = 20;

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const x = (r) => LEFT + ((Math.log10(Math.min(MAX, Math.max(MIN, r))) - Math.log10(MIN)) / (Math.log10(MAX) - Math.log10(MIN))) * (W - LEFT - RIGHT);

/**
 * A "good" ratio is drawn as a bar to the right of 1×: for throughput the
 * ratio itself, for latency and time its inverse, so longer is always better.
 */
export function chart(results, ratioIds = CHARTED) {
  const entries = ratioIds.map((id) => results.ratios.find((r) => r.id === id)).filter(Boolean);
  const H = TOP + entries.length * ROW + 50;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  const m = results.meta;
  out.push(`<text x="10" y="20" font-size="15" font-weight="bold">janus-queue against the alternatives: how many times better (log scale)</text>`);
  out.push(`<text x="10" y="38" fill="#555">${esc(`npm run bench, ${m.date.slice(0, 16).replace('T', ' ')} UTC, Node ${m.node}, ${m.nproc} cores (shared with other jobs); medians of interleaved repetitions; | = target`)}</text>`);
  for (const t of [0.1, 0.2, 0.5, 1, 2, 5, 10]) {
    out.push(`<line x1="${x(t)}" y1="${TOP - 6}" x2="${x(t)}" y2="${H - 40}" stroke="${t === 1 ? '#000' : '#ddd'}"/>`);
    out.push(`<text x="${x(t)}" y="${H - 26}" text-anchor="middle" fill="#555">${t}×</text>`);
  }
  out.push(`<text x="${(LEFT + W - RIGHT) / 2}" y="${H - 8}" text-anchor="middle" fill="#555">times better than the alternative (throughput ratio; for latency and time, the inverse)</text>`);
  entries.forEach((e, i) => {
    const y = TOP + i * ROW;
    const good = e.better === 'higher' ? e.ratio : 1 / e.ratio;
    const colour = e.target ? (e.met ? '#2e7d32' : '#c62828') : '#607d8b';
    const x0 = x(1);
    const x1 = x(good);
    out.push(`<text x="${LEFT - 8}" y="${y + 14}" text-anchor="end">${esc(label(results, e))}</text>`);
    out.push(`<rect x="${Math.min(x0, x1)}" y="${y + 3}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${ROW - 7}" fill="${colour}"/>`);
    out.push(`<text x="${Math.max(x0, x1) + 4}" y="${y + 14}" fill="#333">${good.toFixed(2)}×</text>`);
    if (e.target) {
      const t = e.better === 'higher' ? e.target[1] : 1 / e.target[1];
      out.push(`<line x1="${x(t)}" y1="${y + 1}" x2="${x(t)}" y2="${y + ROW - 2}" stroke="#000" stroke-width="2"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function label(results, e) {
  const g = e.group.replace(/^throughput /, '').replace(' Uint8Array', '');
  return `${g}: ${e.label}`;
}

// node bench/lib/chart.mjs [results.json] [out.svg]: redraws a chart from
// saved results (by default docs/bench-results.json to docs/performance.svg).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = JSON.parse(readFileSync(process.argv[2] ?? new URL('../../docs/bench-results.json', import.meta.url), 'utf8'));
  writeFileSync(process.argv[3] ?? new URL('../../docs/performance.svg', import.meta.url), chart(results));
}
