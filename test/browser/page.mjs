// Runs in a cross-origin-isolated page: the page's main thread uses asyncQ
// (and the non-blocking syncQ calls), a dedicated module Worker uses syncQ.
import { LifoQueue, PriorityQueue, Queue, QueueShutDown } from '/dist/index.js';
import { describeValue, richValue } from '/test/browser/describe-value.mjs';

const out = { crossOriginIsolated, waitAsync: typeof Atomics.waitAsync === 'function' };

async function main() {
  // Blocking syncQ calls refuse to run on the page's main thread; the non-blocking ones work.
  const q = new Queue({ maxsize: 4 });
  for (const [name, call] of [['get', () => q.syncQ.get()], ['put', () => q.syncQ.put(1)], ['join', () => (q.syncQ.putNowait(0), q.syncQ.join())]]) {
    try {
      call();
      out[`blocking_${name}`] = 'returned';
    } catch (e) {
      out[`blocking_${name}`] = `${e.name}: ${e.message}`;
    }
  }
  q.syncQ.put('a', { block: false });
  out.nonBlocking = [q.syncQ.getNowait(), q.syncQ.get({ timeout: 0 })].length;
  q.syncQ.taskDone();
  q.syncQ.taskDone();

  const worker = new Worker('/test/browser/worker.mjs', { type: 'module' });
  const fromWorker = [];
  worker.onmessage = (e) => fromWorker.push(e.data);
  worker.onerror = (e) => (out.workerError = String(e.message));
  const jobs = new Queue({ maxsize: 3 });
  const results = new Queue();
  const lifo = new LifoQueue();
  const prio = new PriorityQueue();
  const values = new Queue();
  const echoed = new Queue();
  const idle = new Queue();
  worker.postMessage({ jobs: jobs.handle, results: results.handle, lifo: lifo.handle, prio: prio.handle, values: values.handle, echoed: echoed.handle, idle: idle.handle });

  // page asyncQ.put -> worker syncQ.get -> worker syncQ.put -> page asyncQ.get, with join
  for (let i = 0; i < 20; i++) await jobs.asyncQ.put(i);
  out.joined = await jobs.asyncQ.join({ timeout: 20000 });
  const got = [];
  for (let i = 0; i < 20; i++) got.push(await results.asyncQ.get({ timeout: 20000 }));
  out.fifo = got.join(',');

  // the worker fills a LIFO and a priority queue with syncQ; the page reads them with asyncQ
  // wait until the worker has put them all, so the order shows the kind, not the race
  while (lifo.asyncQ.qsize() < 5 || prio.asyncQ.qsize() < 4) await new Promise((r) => setTimeout(r, 5));
  out.lifo = [];
  for (let i = 0; i < 5; i++) out.lifo.push(await lifo.asyncQ.get({ timeout: 20000 }));
  out.prio = [];
  for (let i = 0; i < 4; i++) out.prio.push((await prio.asyncQ.get({ timeout: 20000 }))[1]);

  // the default codec: a structured value goes to the worker and back
  const v = richValue();
  values.syncQ.putNowait(v);
  const back = await echoed.asyncQ.get({ timeout: 20000 });
  out.valueSame = describeValue(back) === describeValue(v);
  out.valueText = describeValue(back);

  // shutdown from the page wakes the worker blocked in syncQ.get
  while (!fromWorker.includes('blocking on idle')) await new Promise((r) => setTimeout(r, 5));
  idle.asyncQ.shutdown();
  while (!fromWorker.some((m) => String(m).startsWith('idle:'))) await new Promise((r) => setTimeout(r, 5));
  out.idle = fromWorker.find((m) => String(m).startsWith('idle:'));
  out.shutDownName = new QueueShutDown().name;
}

main().then(
  () => (window.__result = out),
  (e) => (window.__result = { ...out, error: `${e.name}: ${e.message}\n${e.stack}` }),
);
