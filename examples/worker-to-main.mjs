// Worker threads do blocking work and feed results through one queue to async
// code on the main thread; the main thread hands out jobs through another.
// Run: npm run example
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { Queue } from 'janus-queue';

if (isMainThread) {
  const jobs = new Queue({ maxsize: 8 }); // main -> workers, with backpressure
  const results = new Queue({ maxsize: 8 }); // workers -> main
  const workers = [1, 2, 3].map(
    () => new Worker(new URL(import.meta.url), { workerData: { jobs: jobs.handle, results: results.handle } }),
  );
  const exited = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));

  const N = 30;
  const producing = (async () => {
    for (let n = 1; n <= N; n++) await jobs.asyncQ.put({ n });
    await jobs.asyncQ.join(); // every job taken and marked done
    jobs.asyncQ.shutdown(); // workers' loops end
  })();

  let sum = 0;
  for (let i = 0; i < N; i++) {
    const { n, square, by } = await results.asyncQ.get();
    sum += square;
    console.log(`job ${String(n).padStart(2)} -> ${String(square).padStart(3)} (worker ${by})`);
  }
  await producing;
  await Promise.all(exited);
  console.log(`sum of squares 1..${N} = ${sum}`);
} else {
  const jobs = Queue.attach(workerData.jobs);
  const results = Queue.attach(workerData.results);
  const me = (await import('node:worker_threads')).threadId;
  for (const { n } of jobs.syncQ) {
    // blocking work: a synchronous computation (or a sync library call)
    const square = n * n;
    results.syncQ.put({ n, square, by: me }); // blocks while main is behind
    jobs.syncQ.taskDone();
  }
}
