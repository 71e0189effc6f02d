// A dedicated module Worker: blocking syncQ calls are allowed here.
import { LifoQueue, PriorityQueue, Queue } from '/dist/index.js';

onmessage = ({ data }) => {
  const jobs = Queue.attach(data.jobs);
  const results = Queue.attach(data.results);
  for (let i = 0; i < 20; i++) {
    const n = jobs.syncQ.get({ timeout: 20000 });
    results.syncQ.put(n);
    jobs.syncQ.taskDone();
  }
  const lifo = LifoQueue.attach(data.lifo);
  for (let i = 0; i < 5; i++) lifo.syncQ.put(i);
  const prio = PriorityQueue.attach(data.prio);
  for (const [p, v] of [[3, 'c'], [1, 'a'], [2, 'b'], [1, 'a2']]) prio.syncQ.put([p, v]);
  const values = Queue.attach(data.values);
  const echoed = Queue.attach(data.echoed);
  echoed.syncQ.put(values.syncQ.get({ timeout: 20000 }));
  const idle = Queue.attach(data.idle);
  postMessage('blocking on idle');
  try {
    idle.syncQ.get({ timeout: 20000 });
    postMessage('idle: returned');
  } catch (e) {
    postMessage(`idle: ${e.name}`);
  }
};
