// A dedicated module Worker that uses only syncQ: blocking calls are allowed
// here. Each step posts { step, ... } to the page; any error is posted as
// { step: 'error' } so the page fails with it instead of timing out.
import '/test/browser/strip.mjs';
import { LifoQueue, PriorityQueue, Queue } from '/dist/index.js';
import { describeValue } from '/test/browser/describe-value.mjs';

const T = { timeout: 20000 }; // generous bound: a lost wake-up fails, never hangs the page

onmessage = ({ data }) => {
  try {
    run(data);
  } catch (e) {
    postMessage({ step: 'error', error: `${e.name}: ${e.message}\n${e.stack}` });
  }
};

function run(h) {
  // FIFO: take jobs as the page's asyncQ.put hands them in (maxsize 3), pass each on, mark it done
  const jobs = Queue.attach(h.jobs);
  const results = Queue.attach(h.results);
  for (let i = 0; i < 20; i++) {
    results.syncQ.put(jobs.syncQ.get(T));
    jobs.syncQ.taskDone();
  }

  // page -> worker: the page filled these before it sent the handles, so the order shows the kind
  const lifoIn = LifoQueue.attach(h.lifoIn);
  const prioIn = PriorityQueue.attach(h.prioIn);
  const lifoTaken = Array.from({ length: 5 }, () => lifoIn.syncQ.get(T));
  const prioTaken = Array.from({ length: 4 }, () => prioIn.syncQ.get(T)[1]);
  postMessage({ step: 'taken', lifo: lifoTaken, prio: prioTaken, waitAsync: typeof Atomics.waitAsync === 'function' });

  // worker -> page: fill, then say so; the page reads with asyncQ
  const lifo = LifoQueue.attach(h.lifo);
  for (let i = 0; i < 5; i++) lifo.syncQ.put(i);
  const prio = PriorityQueue.attach(h.prio);
  for (const [p, v] of [[3, 'c'], [1, 'a'], [2, 'b'], [1, 'a2']]) prio.syncQ.put([p, v]);
  postMessage({ step: 'filled' });

  // the default codec: what arrived here, as text, and the value sent back
  const values = Queue.attach(h.values);
  const v = values.syncQ.get(T);
  postMessage({ step: 'value', text: describeValue(v) });
  Queue.attach(h.echoed).syncQ.put(v);

  // join in this thread, released by the page's asyncQ.taskDone calls
  const work = Queue.attach(h.work);
  for (let i = 0; i < 3; i++) work.syncQ.put(i);
  postMessage({ step: 'joined', value: work.syncQ.join(T) });

  // blocked in get, woken by the page's shutdown
  const idle = Queue.attach(h.idle);
  postMessage({ step: 'idle', value: outcome(() => idle.syncQ.get(T)) });

  // blocked in put on a full queue, woken by the page's shutdown
  const full = Queue.attach(h.full);
  postMessage({ step: 'full', value: outcome(() => full.syncQ.put('late', T)) });
}

function outcome(call) {
  try {
    call();
    return 'returned';
  } catch (e) {
    return e.name;
  }
}
