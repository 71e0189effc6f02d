// The worker of bench/scenarios/sync-fn.mjs, for both libraries: the
// environment variable SYNC_FN_BENCH_LIB says whose runAsWorker serves.
// call(kind, x): 'echo' returns x, 'bytes' an x-byte Uint8Array.
const { runAsWorker } = await import(process.env.SYNC_FN_BENCH_LIB === 'synckit' ? 'synckit' : 'janus-queue/sync-fn');
const blobs = new Map();
runAsWorker(async (kind, x) => {
  if (kind === 'echo') return x;
  let b = blobs.get(x);
  if (!b) blobs.set(x, (b = new Uint8Array(x).fill(1)));
  return b;
});
