// The runnable code of the Markdown docs. A fenced block whose info string
// has `file=PATH` is a file of the document's sample project; `sh run` blocks
// are commands run there (test/guides.test.mjs).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The fenced blocks of a Markdown file (path from the package root), with their info strings. */
export function codeBlocks(doc) {
  const text = readFileSync(join(root, doc), 'utf8');
  const out = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  for (let m; (m = re.exec(text)); ) out.push({ info: m[1].trim(), body: m[2] });
  return out;
}

/**
 * A fresh directory holding every `file=PATH` block of the blocks given, where
 * `janus-queue` resolves to this package through its exports map, as for a
 * user (and `esbuild`, which the browser guide's build uses, to ours).
 */
export function sampleProject(blocks) {
  const dir = mkdtempSync(join(tmpdir(), 'janus-queue-doc-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/janus-queue'), 'dir');
  if (existsSync(join(root, 'node_modules/esbuild'))) symlinkSync(join(root, 'node_modules/esbuild'), join(dir, 'node_modules/esbuild'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'doc-sample', private: true, type: 'module' }));
  for (const b of blocks) {
    const name = /(?:^|\s)file=(\S+)/.exec(b.info)?.[1];
    if (!name) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), b.body);
  }
  return dir;
}
