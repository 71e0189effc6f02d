// docs/performance.svg (and .png) from a run's results: where janus-queue
// wins and where it loses, and by how much. One row per comparison, on a log
// axis centred on 1×: a green bar to the right when janus-queue is faster, a
// red bar to the left when it is slower, the factor in words beside it, and
// the two absolute figures (items/s, or µs) in a column of their own. Plain
// SVG, written by hand: no chart dependency.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The ratios the chart shows, in the order drawn; a row's section is its group's direction. */
export const CHARTED = [
  'tp/worker->main/small/janus:post',
  'tp/worker->main/small/janusBatch:postBatch',
  'tp/worker->main/1k/janus:post',
  'tp/worker->main/1k/janusBatch:postBatch',
  'tp/worker->main/64k/janus:post',
  'tp/worker->main/64k/janus:postTransfer',
  'tp/worker->main/small/janus/cold:post',
  'tp/worker->main/1k/janus/cold:post',
  'tp/main->worker/small/janus:post',
  'tp/main->worker/small/janusBatch:postBatch',
  'tp/main->worker/1k/janus:post',
  'tp/main->worker/64k/janus:post',
  'tp/worker->worker/small/janus:post',
  'tp/worker->worker/small/janusBatch:postBatch',
  'tp/worker->worker/1k/janus:post',
  'tp/worker->worker/64k/janus:post',
  'rt/syncSync:atomics',
  'rt/syncSync:synckit',
  'rt/syncAsync:post',
  'tp/worker->main/small/janus/cpu:post',
  'tp/worker->main/1k/janus/cpu:post',
  'codec/structured:v8',
];

const W = 1000;
const ROW = 24;
const SECTION = 26; // a section heading's row
const LABEL_W = 300; // row labels, right-aligned at LABEL_W
const AXIS_L = LABEL_W + 20;
const AXIS_R = 700; // the bars live between AXIS_L and AXIS_R
const FIGURES = AXIS_R + 20; // the absolute figures start here
const SPAN = 10; // the axis runs from 10× slower to 10× faster; longer bars are clipped with an arrow
const TOP = 104; // below the title, the note and the legend
const GREEN = '#2e7d32';
const RED = '#c62828';
const TARGET = '#1565c0';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const CENTRE = (AXIS_L + AXIS_R) / 2;
/** x of a speed-up factor f (> 1 faster, < 1 slower), log scale, 1× in the middle. */
const x = (f) => CENTRE + (Math.log10(Math.min(SPAN, Math.max(1 / SPAN, f))) / Math.log10(SPAN)) * ((AXIS_R - AXIS_L) / 2);

/** Each charted ratio as a row: its section, label, speed-up (> 1: janus-queue faster), target and figures. */
export function rows(results, ratioIds = CHARTED) {
  return ratioIds
    .map((id) => results.ratios.find((r) => r.id === id))
    .filter(Boolean)
    .map((e) => {
      const janus = results.measures[e.janus];
      const alt = results.measures[e.alt];
      const speedup = e.better === 'higher' ? e.ratio : 1 / e.ratio;
      const target = e.target ? (e.better === 'higher' ? e.target[1] : 1 / e.target[1]) : undefined;
      return { section: section(e), label: label(e, janus, alt), speedup, target, met: e.met, figures: figures(janus, alt) };
    });
}

const direction = (e) => /^throughput ([^,\s]+)/.exec(e.group)?.[1].replace('->', ' → ');

function section(e) {
  if (e.group === 'round trip') return 'Round-trip latency (p50)';
  if (e.group === 'codec') return 'Codec time per item';
  return `${e.id.includes('/cpu') ? 'CPU time per item' : 'Throughput'}, ${direction(e)}`;
}

function label(e, janus, alt) {
  const size = /small object|1 KiB|64 KiB/.exec(e.group)?.[0] ?? '';
  if (e.group === 'round trip') return `${/sync<->async/.test(e.label) ? 'sync ↔ async' : 'sync ↔ sync'} vs ${short(alt?.label ?? e.alt)}`;
  if (e.group === 'codec') return `default codec vs v8.serialize, ${/nested/.test(e.label) ? 'nested object' : 'small object'}`;
  const batched = /batch/i.test(e.janus);
  const against = /transfer/i.test(e.alt) ? 'postMessage with transfer' : batched ? 'batched postMessage' : 'postMessage';
  return `${size}${batched ? ', batched' : ''}${e.id.includes('/cold') ? ', fresh workers' : ''} vs ${against}`;
}

const short = (s) => s.replace(/, p50$/, '').replace(/ ping-pong$/, '').replace(/ \(floor\)$/, '').replace(/ createSyncFn$/, '').replace('bare Atomics.wait/notify', 'bare Atomics');

/** "291 k vs 347 k items/s" or "21.5 vs 12.7 µs": janus-queue's figure first. */
function figures(janus, alt) {
  if (!janus || !alt) return '';
  const f = janus.unit === 'items/s' ? rate : (v) => time(v);
  return `${f(janus.median)} vs ${f(alt.median)} ${janus.unit}`;
}
const rate = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${Math.round(v / 1e3)} k`);
const time = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** "1.37× faster" / "1.19× slower" / "same". */
export function factor(speedup) {
  if (Math.abs(speedup - 1) < 0.005) return 'same';
  return speedup > 1 ? `${speedup.toFixed(2)}× faster` : `${(1 / speedup).toFixed(2)}× slower`;
}

export function chart(results, ratioIds = CHARTED) {
  const list = rows(results, ratioIds);
  const sections = [...new Set(list.map((r) => r.section))];
  const H = TOP + sections.length * SECTION + list.length * ROW + 44;
  const out = [];
  const text = (tx, ty, s, attrs = '') => out.push(`<text x="${tx}" y="${ty}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  const m = results.meta;
  text(12, 22, 'Where janus-queue is faster or slower than the alternative, and by how much', 'font-size="16" font-weight="bold"');
  text(12, 41, `npm run bench at ${m.commit ?? '?'}, ${m.date.slice(0, 16).replace('T', ' ')} UTC, Node ${m.node.replace(/^v/, '')}, ${m.nproc} cores, load ${m.loadavgAtStart?.[0] ?? "?"} at the start; medians of interleaved repetitions, timed after a warm-up pass`, 'fill="#555"');

  // Legend.
  const ly = 60;
  out.push(`<rect x="12" y="${ly}" width="14" height="12" fill="${GREEN}"/>`);
  text(32, ly + 10, 'janus-queue faster');
  out.push(`<rect x="160" y="${ly}" width="14" height="12" fill="${RED}"/>`);
  text(180, ly + 10, 'janus-queue slower');
  out.push(`<line x1="315" y1="${ly - 2}" x2="315" y2="${ly + 14}" stroke="${TARGET}" stroke-width="3"/>`);
  text(322, ly + 10, 'target (what we aimed for)');
  text(500, ly + 10, 'log scale, clipped at 10× (▸); right: janus-queue vs the alternative', 'fill="#555"');

  // Axis: ticks at the top, grid lines through every row, 1× in black.
  const y0 = TOP - 10;
  const y1 = H - 40;
  for (const t of [1 / 10, 1 / 5, 1 / 2, 1, 2, 5, 10]) {
    out.push(`<line x1="${x(t)}" y1="${y0}" x2="${x(t)}" y2="${y1}" stroke="${t === 1 ? '#000' : '#e0e0e0'}"/>`);
    const name = t === 1 ? '1×' : t > 1 ? `${t}×` : `${Math.round(1 / t)}×`;
    text(x(t), y0 - 4, name, 'text-anchor="middle" fill="#555"');
    text(x(t), y1 + 14, name, 'text-anchor="middle" fill="#555"');
  }
  text((AXIS_L + CENTRE) / 2, y1 + 30, '← slower', `text-anchor="middle" fill="${RED}" font-weight="bold"`);
  text((CENTRE + AXIS_R) / 2, y1 + 30, 'faster →', `text-anchor="middle" fill="${GREEN}" font-weight="bold"`);

  let y = TOP;
  let current;
  for (const r of list) {
    if (r.section !== current) {
      current = r.section;
      text(12, y + 17, r.section, 'font-weight="bold" font-size="13"');
      y += SECTION;
    }
    const xb = x(r.speedup);
    const colour = factor(r.speedup) === 'same' ? '#555' : r.speedup > 1 ? GREEN : RED;
    text(LABEL_W, y + 16, r.label, 'text-anchor="end"');
    out.push(`<rect x="${Math.min(CENTRE, xb)}" y="${y + 5}" width="${Math.max(1, Math.abs(xb - CENTRE))}" height="${ROW - 9}" fill="${colour}"/>`);
    const clipped = r.speedup > SPAN || r.speedup < 1 / SPAN;
    if (clipped) text(r.speedup > 1 ? xb + 2 : xb - 2, y + 16, r.speedup > 1 ? '▸' : '◂', `text-anchor="${r.speedup > 1 ? 'start' : 'end'}" fill="${colour}"`);
    if (r.target !== undefined) out.push(`<line x1="${x(r.target)}" y1="${y + 2}" x2="${x(r.target)}" y2="${y + ROW - 2}" stroke="${TARGET}" stroke-width="3"/>`);
    text(FIGURES, y + 16, factor(r.speedup), `fill="${colour}" font-weight="bold"`);
    text(FIGURES + 96, y + 16, r.figures, 'fill="#333"');
    y += ROW;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Renders an SVG file to PNG with headless Chromium, at twice its size. */
export function renderPng(svgPath, pngPath, chromium = process.env.CHROMIUM ?? '/usr/bin/chromium') {
  if (!existsSync(chromium)) throw new Error(`bench/lib/chart.mjs: no Chromium at ${chromium} (set CHROMIUM, or apt-get install chromium)`);
  const svg = readFileSync(svgPath, 'utf8');
  const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg);
  execFileSync(
    chromium,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=2', `--window-size=${w},${h}`, `--screenshot=${pngPath}`, pathToFileURL(svgPath).href],
    { stdio: 'ignore', timeout: 60000 },
  );
}

// node bench/lib/chart.mjs [results.json] [out.svg] [out.png] (npm run chart):
// redraws the chart from saved results, by default docs/bench-results.json to
// docs/performance.svg and docs/performance.png. No benchmark runs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const docs = (f) => fileURLToPath(new URL(`../../docs/${f}`, import.meta.url));
  const [from = docs('bench-results.json'), svg = docs('performance.svg'), png = docs('performance.png')] = process.argv.slice(2);
  writeFileSync(svg, chart(JSON.parse(readFileSync(from, 'utf8'))));
  renderPng(svg, png);
  console.log(`${svg}\n${png}`);
}
