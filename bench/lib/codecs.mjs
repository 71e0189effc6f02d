// The built-in codecs alone, for the codec cost and memory scenarios: they
// are not exported by the package, so src/codec is bundled once into
// bench/results/ with tsup (a devDependency) and imported from there.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const out = new URL('../results/.codec/', import.meta.url);

export async function loadCodecs() {
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
  const { makeCodec } = await import(new URL('codec.js', out).href);
  return Object.fromEntries(['structured', 'json', 'string', 'bytes'].map((n) => [n, makeCodec(n)]));
}
