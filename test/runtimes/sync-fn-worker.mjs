// The createSyncFn worker of the portable suite.
import { runAsWorker } from 'janus-queue/sync-fn';

runAsWorker(async (op, v) => {
  if (op === 'echo') return v;
  if (op === 'throw') throw Object.assign(new TypeError(v), { code: 'E_BAD' });
  if (op === 'hold') {
    // says it holds the call, and answers once the caller, which timed out meanwhile, says go: a late reply
    const channel = new BroadcastChannel(v);
    const go = new Promise((resolve) => (channel.onmessage = resolve));
    channel.postMessage('holding');
    await go;
    channel.close();
    return 'late';
  }
  throw new Error(`unknown op ${op}`);
});
