// One consumer process of run.mjs: the same consume() over a Redis queue.
import { RedisQueue } from 'janus-queue/redis';
import { consume } from './consumer.mjs';

const [url, name] = process.argv.slice(2);
const q = new RedisQueue({ name, connection: url, maxsize: 4 });
process.send({ ready: true });
const results = await consume(q.asyncQ);
process.send({ results });
await q.disconnect();
