// What `import { Queue }` costs a bundle, and what it would cost without
// the parts a user might think optional: min+gzip of the main entry's
// sources bundled by esbuild (the bundler size-limit uses), with chosen
// modules replaced by empty stand-ins. A stand-in keeps the module's export
// names (as zeros), so everything that imports it still bundles; the result
// does not run, it is only measured.
//
//   node bench/size.mjs
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CODEC = ['codec/structured-encode.ts', 'codec/structured-decode.ts', 'codec/shapes.ts', 'codec/intrinsics.ts', 'codec/structured-format.ts', 'codec/bytes-io.ts'];
const OPTIONAL = ['streams.ts', 'recovery.ts', 'integrity.ts', 'journal.ts', 'dead-threads.ts'];

/** min+gzip bytes of `entry` (source text at the project root) with the files ending in `without` emptied. */
async function size(entry, without = []) {
  const standIns = {
    name: 'stand-ins',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!without.some((f) => args.path.endsWith(`/src/${f}`))) return undefined;
        const names = [...readFileSync(args.path, 'utf8').matchAll(/export (?:abstract )?(?:class|function|const|let) (\w+)/g)].map((m) => m[1]);
        return { contents: names.map((n) => `export const ${n} = 0;`).join('\n'), loader: 'ts' };
      });
    },
  };
  const r = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
    plugins: [standIns],
  });
  return gzipSync(r.outputFiles[0].contents, { level: 9 }).length;
}

const QUEUE = 'import { Queue } from "./src/index.ts"; globalThis.Queue = Queue;';
const rows = [
  ['import { Queue }', await size(QUEUE)],
  ['the default codec alone (encoder + decoder)', await size('import { StructuredEncoder } from "./src/codec/structured-encode.ts"; import { StructuredDecoder } from "./src/codec/structured-decode.ts"; globalThis.c = [StructuredEncoder, StructuredDecoder];')],
  ['import { Queue } without any codec', await size(QUEUE, CODEC)],
  ['... and without streams, recovery, integrity checks, the journal, dead-thread detection', await size(QUEUE, [...CODEC, ...OPTIONAL])],
];
console.log(`janus-queue bundle sizes (esbuild ${esbuild.version}, min+gzip)`);
for (const [label, bytes] of rows) console.log(`  ${label.padEnd(90)} ${(bytes / 1000).toFixed(2).padStart(6)} kB`);
