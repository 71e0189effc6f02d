import { defineConfig, type Options } from 'tsup';

// tsup emits .js/.d.ts (ESM) and .cjs/.d.cts (CommonJS) because package.json
// has "type": "module". Entries:
// - index: the queue, for Node and browsers (platform neutral);
// - sync-fn: synchronous calls into async code (Node: worker_threads);
// - sync-fn-worker, sync-fn-supervisor: the modules a createSyncFn worker
//   and the thread that watches those workers start with; ESM only (both
//   builds of sync-fn start them; the worker awaits the user's module);
// - internal: the shared-memory layout, for the tests only (not shipped).
// The sync-fn entries import the queue as 'janus-queue' (external), so a
// thread that loads both entries runs one copy of the queue code.
// - redis, redis-sync-worker: the Redis queue (janus-queue/redis) and the
//   thread behind its syncQ (ESM only). They import sync-fn as
//   'janus-queue/sync-fn' (the plugin below) and ioredis (a peer dependency),
//   both external.
const syncFnExternal: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'redis-imports-sync-fn-external',
  setup(build) {
    build.onResolve({ filter: /\/sync-fn\/index\.js$/ }, (args) =>
      args.importer.includes('/src/redis/') ? { path: 'janus-queue/sync-fn', external: true } : undefined,
    );
  },
};
const common: Options = {
  external: ['janus-queue', 'janus-queue/sync-fn', 'ioredis'],
  esbuildPlugins: [syncFnExternal],
  target: 'es2022',
  platform: 'neutral',
  sourcemap: false,
  splitting: false,
  treeshake: true,
};

export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', 'sync-fn': 'src/sync-fn/index.ts', redis: 'src/redis/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    shims: true, // import.meta.url in sync-fn's CommonJS build
    clean: true,
  },
  { ...common, entry: { 'sync-fn-worker': 'src/sync-fn/worker.ts', 'sync-fn-supervisor': 'src/sync-fn/supervisor.ts', 'redis-sync-worker': 'src/redis/sync-worker.ts' }, format: ['esm'] },
  // The layout constants for the white-box tests (test/helpers/layout.mjs);
  // not shipped (package.json "files").
  { ...common, entry: { internal: 'src/internal.ts' }, format: ['esm'] },
]);
