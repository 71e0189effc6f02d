// The consumer program over the in-memory queue: two consumers and the
// producer in one process. Compare run.mjs (Redis, three processes): only
// the construction of the queue differs.
import { Queue } from 'janus-queue';
import { consume, produce, report } from './consumer.mjs';

const q = new Queue({ maxsize: 4 });
const consumers = [consume(q.asyncQ), consume(q.asyncQ)];
await produce(q.asyncQ, 10);
console.log(report(await Promise.all(consumers), consumers.length));
