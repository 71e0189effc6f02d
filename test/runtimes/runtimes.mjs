// The runtimes of the matrix, where their binaries are, and what a suite
// does when one is missing: node:test's skip with a message saying how to
// install it, or, with JANUS_REQUIRE_ALL=1 (CI), a failure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where install.mjs puts the pinned runtimes; JANUS_RUNTIMES_DIR points elsewhere (to prove a missing one is reported). */
export const RUNTIMES_DIR = process.env.JANUS_RUNTIMES_DIR ?? join(ROOT, '.runtimes');
export const REQUIRE_ALL = process.env.JANUS_REQUIRE_ALL === '1';
export const PINNED = JSON.parse(readFileSync(new URL('./runtimes.json', import.meta.url), 'utf8')).runtimes;

/**
 * Every runtime of the matrix: the Node running this (the machine's), then
 * the pinned ones, each with `bin` (absolute), `args` (before the script)
 * and `installed`.
 */
export function runtimes() {
  const own = { id: 'node', name: 'Node', version: process.versions.node, bin: process.execPath, args: [], pinned: false, installed: true };
  return [
    own,
    ...PINNED.map((r) => {
      const bin = join(RUNTIMES_DIR, r.id, r.bin);
      return { ...r, bin, pinned: true, installed: existsSync(bin) };
    }),
  ];
}

export const INSTALL_RUNTIMES = 'npm run runtimes:install (installs the pinned runtimes into .runtimes/)';

/**
 * For a suite that needs `what`: `present`, `options` to pass to describe/it
 * (a skip with a message when it is missing and JANUS_REQUIRE_ALL is not 1),
 * and `require()`, to call in a test: it throws when it is missing.
 */
export function needs(what, present, howto) {
  const message = `${what} not installed: ${howto}`;
  return {
    present,
    options: present || REQUIRE_ALL ? {} : { skip: message },
    require() {
      if (!present) throw new Error(`${message} (JANUS_REQUIRE_ALL=1: a missing runtime or browser is a failure)`);
    },
  };
}
