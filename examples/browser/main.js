// The page: hands out jobs and reads results with asyncQ (the page's main
// thread may not block), while two Web Workers do blocking work with syncQ.
import { Queue } from '../../dist/index.js'; // in an app: from 'janus-queue'

const $ = (id) => document.getElementById(id);
const LIMITS = [100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 700_000, 800_000, 900_000, 1_000_000, 1_500_000, 2_000_000];

async function main() {
  const jobs = new Queue({ maxsize: 4 }); // page -> workers, with backpressure
  const results = new Queue(); // workers -> page
  const ready = ['A', 'B'].map((name) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name });
    worker.postMessage({ jobs: jobs.handle, results: results.handle });
    return new Promise((resolve) => (worker.onmessage = resolve)); // 'ready': attached, about to wait for jobs
  });
  await Promise.all(ready); // so both workers share the jobs from the start

  (async () => {
    for (const limit of LIMITS) await jobs.asyncQ.put(limit);
    await jobs.asyncQ.join(); // every job done, so every result is in
    jobs.asyncQ.shutdown(); // the workers' loops end
    results.asyncQ.shutdown(); // and so does the loop below, once drained
  })();

  $('progress').max = LIMITS.length;
  let done = 0;
  for await (const { worker, limit, primes } of results.asyncQ) {
    $('progress').value = ++done;
    $('status').textContent = `${done} of ${LIMITS.length} jobs done`;
    $('results').insertAdjacentHTML('beforeend', `<tr><td>${worker}</td><td>${limit.toLocaleString('en')}</td><td>${primes.toLocaleString('en')}</td></tr>`);
  }
  $('status').textContent = `done: ${done} jobs, ${crossOriginIsolated ? 'cross-origin isolated' : 'not isolated'}`;
}

main().catch((e) => {
  // without the COOP/COEP headers: "TypeError: janus-queue: new Queue() needs SharedArrayBuffer…"
  $('status').textContent = `${e.name}: ${e.message}`;
  $('status').className = 'error';
});
