// Several async sources on the main thread feed one worker that consumes
// synchronously (say, a synchronous database driver). The worker calls
// taskDone after each item; main awaits join, then shuts the queue down.
// Run: npm run build, then node examples/sync-consumer.mjs
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Queue } from 'janus-queue';

if (isMainThread) {
  const items = new Queue({ maxsize: 16 }); // sources wait while the worker is 16 behind
  const worker = new Worker(new URL(import.meta.url), { workerData: items.handle });

  async function source(name, count, everyMs) {
    for (let i = 1; i <= count; i++) {
      await sleep(everyMs); // stands for a socket, a file, a timer...
      await items.asyncQ.put({ source: name, i });
    }
  }
  await Promise.all([source('sensor', 20, 1), source('http', 15, 2), source('cron', 5, 5)]);

  await items.asyncQ.join(); // every item taken and marked done by the worker
  console.log('all items handled');
  items.asyncQ.shutdown(); // ends the worker's loop
  const [counts] = await once(worker, 'message');
  console.log('per source:', JSON.stringify(counts));
} else {
  const items = Queue.attach(workerData);
  const counts = {};
  for (const { source } of items.syncQ) {
    // blocks between items; runs synchronous work here
    counts[source] = (counts[source] ?? 0) + 1;
    items.syncQ.taskDone();
  }
  parentPort.postMessage(counts);
}
