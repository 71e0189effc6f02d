// The built-in codecs alone, for the codec cost and memory scenarios: they
// are not exported by the package, so src/codec is bundled once into
// bench/results/ with tsup (a devDependency) and imported from there.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const out = new URL('../results/.codec/', import.meta.url);

let built = false;

/** Builds the bundle (once per process; a child given `{ build: false }` uses its parent's) and makes each codec. */
export async function loadCodecs({ build: rebuild = true } = {}) {
  if (rebuild && !built) await bundle();
  built = true;
  const { makeCodec } = await import(new URL('codec.js', out).href);
  return Object.fromEntries(['structured', 'json', 'string', 'bytes'].map((n) => [n, makeCodec(n)]));
}

async function bundle() {
  mkdirSync(out, { recursive: true });
  await build({
    entry: { codec: fileURLToPath(new URL('../../src/codec/index.ts', import.meta.url)) },
    outDir: fileURLToPath(out),
    format: ['esm'],
    target: 'es2022',
    silent: true,
    dts: false,
    clean: false,
    config: false,
  });
}
