// The README's Runtimes table, parsed, and what it must say: each pinned
// version in its runtime's row (and the Node of package.json's engines), each
// worker kind and each `n/a` of a portable run in that runtime's row, and no
// `n/a` the run did not print.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PINNED, ROOT } from './runtimes.mjs';

export const ROW_NAMES = ['Node', 'Bun', 'Deno', 'Chromium', 'Firefox ESR'];
const COLUMNS = ['runtime', 'versions tested', 'workers', 'what works', 'not available'];

/** The table under `## Runtimes` as { [runtime]: { [column]: text without backticks } }. */
export function readmeTable() {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## Runtimes\n([\s\S]*?)(?=^## )/m.exec(text)?.[1] ?? '';
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const cells = (l) => l.slice(1, -1).split('|').map((c) => c.trim().replaceAll('`', ''));
  if (lines.length < 2 || cells(lines[0]).join() !== COLUMNS.join()) throw new Error(`README.md: no Runtimes table with the columns ${COLUMNS.join(' | ')}`);
  return Object.fromEntries(lines.slice(2).map((l) => {
    const c = cells(l);
    return [c[0], Object.fromEntries(COLUMNS.map((name, i) => [name, c[i]]))];
  }));
}

/** The versions a row must list: the pinned ones of that runtime, and for Node the major of package.json's engines. */
export function expectedVersions(name) {
  const versions = PINNED.filter((r) => r.name === name).map((r) => r.version);
  if (name === 'Node') versions.unshift(/\d+/.exec(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node)[0]);
  return versions;
}

/** What is wrong with `row` given the portable runs of its runtime (empty: nothing). */
export function rowProblems(row, runs, knownNotAvailable) {
  const problems = [];
  const kinds = new Set(runs.flatMap((r) => r.workers));
  const sayWorkers = row.workers.split(',').map((s) => s.trim().replace(/^web Worker$/, 'web'));
  if ([...kinds].sort().join() !== [...sayWorkers].sort().join()) problems.push(`workers: the runs used ${[...kinds].join(', ')}, the table says ${row.workers}`);
  const na = new Set(runs.flatMap((r) => r.notAvailable));
  for (const r of runs) if (r.notAvailable.join() !== runs[0].notAvailable.join()) problems.push(`the runs of one row differ in what is not available: ${r.notAvailable} / ${runs[0].notAvailable}`);
  for (const key of na) if (!row['not available'].includes(key)) problems.push(`not available: the run printed "n/a - ${key}", the table does not say it`);
  for (const key of knownNotAvailable) if (!na.has(key) && row['not available'].includes(key)) problems.push(`not available: the table says "${key}", the run did not print it`);
  return problems;
}
