// The consumer program over Redis, across three processes: this one
// produces, two others (redis-consumer.mjs) consume. Redis: REDIS_URL, or
// redis://127.0.0.1:6379 (apt-get install redis-server; docs/redis.md).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { RedisQueue } from 'janus-queue/redis';
import { produce, report } from './consumer.mjs';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const name = `squares-${process.pid}`;
const q = new RedisQueue({ name, connection: url, maxsize: 4 });
const consumers = [0, 1].map(() => fork(new URL('./redis-consumer.mjs', import.meta.url), [url, name]));
// Wait until both consumers run (not needed for correctness: items wait in Redis).
await Promise.all(consumers.map((c) => once(c, 'message')));
const results = consumers.map((c) => once(c, 'message').then(([m]) => m.results));
await produce(q.asyncQ, 10);
console.log(report(await Promise.all(results), consumers.length));
await q.destroy();
await q.disconnect();
