// Worker threads do blocking work and feed results through a queue to async
// code on the main thread, which hands out the jobs through another queue.
// A progress bar on a terminal, one line per result otherwise.
// Run: npm run example
import { pbkdf2Sync } from 'node:crypto';
import { Worker, isMainThread, threadId, workerData } from 'node:worker_threads';
import { Queue } from 'janus-queue';

const JOBS = 30;

if (isMainThread) {
  const jobs = new Queue({ maxsize: 8 }); // main -> workers, with backpressure
  const results = new Queue({ maxsize: 8 }); // workers -> main
  const workers = [1, 2, 3].map(() => new Worker(new URL(import.meta.url), { workerData: { jobs: jobs.handle, results: results.handle } }));
  let running = workers.length;
  for (const w of workers) w.on('exit', () => {
    if (--running === 0) results.shutdown(); // the last worker out ends the loop below
  });

  (async () => {
    for (let n = 1; n <= JOBS; n++) await jobs.asyncQ.put(n); // waits while 8 are queued
    await jobs.asyncQ.join(); // every job taken and marked done
    jobs.asyncQ.shutdown(); // the workers' loops end
  })();

  let done = 0;
  let sum = 0;
  for await (const { n, square, by } of results.asyncQ) {
    sum += square;
    done++;
    if (process.stdout.isTTY) process.stdout.write(`\r[${'#'.repeat(done).padEnd(JOBS, '.')}] ${done}/${JOBS}`);
    else console.log(`job ${n} -> ${square} (worker ${by})`);
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(`sum of squares 1..${JOBS} = ${sum}`);
} else {
  const jobs = Queue.attach(workerData.jobs);
  const results = Queue.attach(workerData.results);
  for (const n of jobs.syncQ) {
    pbkdf2Sync(String(n), 'salt', 20000, 32, 'sha256'); // blocking work, like a synchronous library call
    results.syncQ.put({ n, square: n * n, by: threadId }); // blocks while main is behind
    jobs.syncQ.taskDone();
  }
}
