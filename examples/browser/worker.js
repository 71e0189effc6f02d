// A Web Worker: blocking calls are allowed here, so it uses syncQ.
import { Queue } from '../../dist/index.js'; // in an app: from 'janus-queue'

onmessage = ({ data }) => {
  const jobs = Queue.attach(data.jobs);
  const results = Queue.attach(data.results);
  postMessage('ready');
  for (const limit of jobs.syncQ) { // blocks until a job comes; ends at shutdown
    results.syncQ.put({ worker: self.name, limit, primes: countPrimes(limit) });
    jobs.syncQ.taskDone();
  }
  close();
};

function countPrimes(limit) { // blocking work: a sieve
  const composite = new Uint8Array(limit);
  let count = 0;
  for (let i = 2; i < limit; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return count;
}
