// The echo side of bench/redis.mjs's round trips, in its own process:
// `janus url name` answers each item of `name-ping` on `name-pong` (until
// ping is shut down); `bullmq url name` runs a Worker that returns the job's
// data (until killed).
import { Worker } from 'bullmq';
import { RedisQueue } from 'janus-queue/redis';

const [kind, url, name] = process.argv.slice(2);
if (kind === 'janus') {
  const ping = new RedisQueue({ name: `${name}-ping`, connection: url });
  const pong = new RedisQueue({ name: `${name}-pong`, connection: url });
  await Promise.all([ping.asyncQ.stats(), pong.asyncQ.stats()]);
  process.send({ ready: true });
  for await (const x of ping.asyncQ) {
    await pong.asyncQ.put(x);
    await ping.asyncQ.taskDone();
  }
  await Promise.all([ping.disconnect(), pong.disconnect()]);
} else {
  const { hostname, port } = new URL(url);
  const worker = new Worker(name, async (job) => job.data, { connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null } });
  await worker.waitUntilReady();
  process.send({ ready: true });
}
