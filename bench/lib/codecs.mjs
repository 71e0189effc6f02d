// The built-in codecs alone, for the codec cost and memory scenarios: they
// are not exported by the package, so src/codec is bundled once into
// bench/results/ with tsup (a devDependency), its top-level bindings made
// const as in the package's build (tsup.bindings.mjs), and imported from
// there.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { constBindings } from '../../tsup.bindings.mjs';

const OUT = new URL('../results/.codec/', import.meta.url);
const SRC = new URL('../../src/', import.meta.url);

const built = new Set();

/**
 * Builds the bundle (once per process; a child given `{ build: false }` uses
 * its parent's) and makes each codec. `from`: the bundle's folder (default
 * this tree's); `src`: the src/ folder it is built from, for another tree.
 */
export async function loadCodecs({ build: rebuild = true, from = OUT.href, src = SRC.href } = {}) {
  const out = new URL(from.endsWith('/') ? from : `${from}/`);
  if (rebuild && !built.has(out.href)) await bundle(out, new URL(src.endsWith('/') ? src : `${src}/`));
  built.add(out.href);
  const { makeCodec } = await import(new URL('codec.js', out).href);
  return Object.fromEntries(['structured', 'json', 'string', 'bytes'].map((n) => [n, makeCodec(n)]));
}

async function bundle(out, src) {
  mkdirSync(out, { recursive: true });
  await build({
    entry: { codec: fileURLToPath(new URL('codec/index.ts', src)) },
    outDir: fileURLToPath(out),
    format: ['esm'],
    target: 'es2022',
    silent: true,
    dts: false,
    clean: false,
    config: false,
  });
  // As `npm run build` leaves the package's own bundles.
  constBindings(fileURLToPath(new URL('codec.js', out)));
}
