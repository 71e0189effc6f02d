// The worker of bench/sync-fn.mjs, for both libraries: `lib` in workerData
// says whose runAsWorker serves. call(kind, x): 'echo' returns x, 'bytes'
// returns a fresh Uint8Array of x bytes.
import { workerData } from 'node:worker_threads';

const { runAsWorker } = await import(process.env.SYNC_FN_BENCH_LIB === 'synckit' ? 'synckit' : 'janus-queue/sync-fn');
const blobs = new Map();
runAsWorker(async (kind, x) => {
  if (kind === 'echo') return x;
  let b = blobs.get(x);
  if (!b) blobs.set(x, (b = new Uint8Array(x).fill(1)));
  return b;
});
void workerData;
