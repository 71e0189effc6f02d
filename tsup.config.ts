import { defineConfig } from 'tsup';

// One entry, two formats. tsup emits index.js/index.d.ts (ESM) and
// index.cjs/index.d.cts (CommonJS) because package.json has "type": "module".
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  sourcemap: false,
  splitting: false,
  treeshake: true,
});
