// A dedicated module Worker that uses only asyncQ (the reverse of
// sync-worker.mjs): the page answers with asyncQ and the non-blocking syncQ
// calls. Each step posts { step, ... }; an error is posted as { step: 'error' }.
import '/test/browser/strip.mjs';
import { LifoQueue, PriorityQueue, Queue } from '/dist/index.js';
import { describeValue } from '/test/browser/describe-value.mjs';

const T = { timeout: 20000 };

onmessage = ({ data }) => {
  run(data).catch((e) => postMessage({ step: 'error', error: `${e.name}: ${e.message}\n${e.stack}` }));
};

async function run(h) {
  // shutdown here rejects the get the page started before it sent the handles
  Queue.attach(h.idle).asyncQ.shutdown();
  // shutdown(true) discards the page's three items, which releases the page's pending join
  Queue.attach(h.drop).asyncQ.shutdown(true);

  // FIFO: consume until the page shuts the queue down, with taskDone for the page's join
  const jobs = Queue.attach(h.jobs);
  const results = Queue.attach(h.results);
  for await (const n of jobs.asyncQ) {
    await results.asyncQ.put(n);
    jobs.asyncQ.taskDone();
  }
  postMessage({ step: 'jobs ended' });

  // page -> worker: filled with putNowait before the handles were sent
  const lifoIn = LifoQueue.attach(h.lifoIn);
  const prioIn = PriorityQueue.attach(h.prioIn);
  const lifo = [];
  for (let i = 0; i < 5; i++) lifo.push(await lifoIn.asyncQ.get(T));
  const prio = [];
  for (let i = 0; i < 4; i++) prio.push((await prioIn.asyncQ.get(T))[1]);
  postMessage({ step: 'taken', lifo, prio, waitAsync: typeof Atomics.waitAsync === 'function' });

  // worker -> page: fill with asyncQ.put, then say so; the page reads with getNowait
  const lifoOut = LifoQueue.attach(h.lifo);
  for (let i = 0; i < 5; i++) await lifoOut.asyncQ.put(i);
  const prioOut = PriorityQueue.attach(h.prio);
  for (const [p, v] of [[3, 'c'], [1, 'a'], [2, 'b'], [1, 'a2']]) await prioOut.asyncQ.put([p, v]);
  postMessage({ step: 'filled' });

  // the default codec, both ways
  const v = await Queue.attach(h.values).asyncQ.get(T);
  postMessage({ step: 'value', text: describeValue(v) });
  await Queue.attach(h.echoed).asyncQ.put(v);

  // join here, released by the page's syncQ.taskDone calls
  const work = Queue.attach(h.work);
  for (let i = 0; i < 3; i++) await work.asyncQ.put(i);
  postMessage({ step: 'joined', value: await work.asyncQ.join(T) });
}
