// npm run bench:redis: janus-queue/redis against BullMQ (Queue.add -> Worker)
// on one redis-server, in one run (a server of its own on a free loopback
// port, or REDIS_URL). Small objects.
// - throughput: one producer (16 puts/adds in flight) and one consumer (16
//   get -> taskDone loops / a Worker of concurrency 16) in this process,
//   N items; items/s.
// - round trip: this process sends one item, an echo process (bench/
//   redis-echo.mjs) takes it and answers; the next goes when the answer is
//   back. janus: put -> get (echo: get -> put -> taskDone) through asyncQ and
//   through syncQ (the blocking face, same echo); BullMQ: add ->
//   job.waitUntilFinished. p50 and p99 in µs.
// `-- --quick`: a smoke run in seconds. `-- --breakdown`: where the time of
// one throughput run goes instead (commands and server CPU per item from
// INFO commandstats / INFO cpu, this process's CPU per item), for each side.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { Queue as BullQueue, QueueEvents, Worker as BullWorker } from 'bullmq';
import { RedisQueue } from 'janus-queue/redis';
import { startRedis } from '../test/fixtures/redis/server.mjs';

const quick = process.argv.includes('--quick');
const N = quick ? 500 : 20_000;
const RT = quick ? 50 : 2000;
const WINDOW = 16;
const item = (i) => ({ id: i, name: 'job', tags: ['a', 'b'], at: 1733300000000 + i });

const server = process.env.REDIS_URL ? undefined : await startRedis();
const url = process.env.REDIS_URL ?? server.url;
const { hostname, port } = new URL(url);
const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
let run = 0;
const fresh = (what) => `bench-${what}-${process.pid}-${++run}`;

/** Runs `fn(i)` for i < n with `window` calls in flight. */
async function pool(n, window, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function janusThroughput(n = N) {
  const name = fresh('tp');
  const producer = new RedisQueue({ name, connection: url });
  const consumer = new RedisQueue({ name, connection: url });
  await Promise.all([producer.asyncQ.stats(), consumer.asyncQ.stats()]);
  const t0 = performance.now();
  let taken = 0;
  const consuming = pool(n, WINDOW, async () => {
    await consumer.asyncQ.get();
    taken++;
    await consumer.asyncQ.taskDone();
  });
  await pool(n, WINDOW, (i) => producer.asyncQ.put(item(i)));
  await consuming;
  // The clock stops once Redis counts every task done (taskDone has no round trip of its own).
  if (!(await producer.asyncQ.join({ timeout: 10_000 }))) throw new Error('janus: tasks left unfinished');
  const s = (performance.now() - t0) / 1000;
  if (taken !== n) throw new Error(`janus took ${taken} of ${n}`);
  await producer.destroy();
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  return n / s;
}

async function bullThroughput(n = N) {
  const name = fresh('tp');
  const queue = new BullQueue(name, { connection });
  await queue.waitUntilReady();
  let done = 0;
  let finished;
  const all = new Promise((r) => (finished = r));
  const worker = new BullWorker(name, async (job) => job.data.id, { connection, concurrency: WINDOW, autorun: false });
  worker.on('completed', () => ++done === n && finished());
  await worker.waitUntilReady();
  const t0 = performance.now();
  void worker.run();
  await pool(n, WINDOW, (i) => queue.add('job', item(i), { removeOnComplete: true, removeOnFail: true }));
  await all;
  const s = (performance.now() - t0) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return n / s;
}

const echoes = new Set();
process.on('exit', () => echoes.forEach((c) => c.kill('SIGKILL')));

function echo(kind, name) {
  const child = fork(new URL('./redis-echo.mjs', import.meta.url), [kind, url, name]);
  echoes.add(child);
  child.once('exit', () => echoes.delete(child));
  return once(child, 'message').then(() => child);
}

const quantiles = (samples) => {
  const s = Float64Array.from(samples).sort();
  return { p50: s[Math.floor(s.length * 0.5)], p99: s[Math.floor(s.length * 0.99)] };
};

async function timed(call) {
  for (let i = 0; i < Math.min(200, RT); i++) await call(i);
  const samples = [];
  for (let i = 0; i < RT; i++) {
    const t0 = performance.now();
    await call(i);
    samples.push((performance.now() - t0) * 1000);
  }
  return quantiles(samples);
}

async function janusRoundTrip(face) {
  const name = fresh('rt');
  const child = await echo('janus', name);
  const ping = new RedisQueue({ name: `${name}-ping`, connection: url });
  const pong = new RedisQueue({ name: `${name}-pong`, connection: url });
  let result;
  if (face === 'async') {
    result = await timed(async (i) => {
      await ping.asyncQ.put(item(i));
      await pong.asyncQ.get();
      await pong.asyncQ.taskDone();
    });
  } else {
    const [p, q] = [ping.syncQ, pong.syncQ];
    result = await timed((i) => {
      p.put(item(i));
      q.get();
      q.taskDone();
    });
  }
  await ping.asyncQ.shutdown();
  await once(child, 'exit');
  await Promise.all([ping.destroy(), pong.destroy()]);
  await Promise.all([ping.disconnect(), pong.disconnect()]);
  return result;
}

async function bullRoundTrip() {
  const name = fresh('rt');
  const child = await echo('bullmq', name);
  const queue = new BullQueue(name, { connection });
  const events = new QueueEvents(name, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const result = await timed(async (i) => {
    // Completed jobs are kept (the last 1000): waitUntilFinished looks the job up once it finished.
    const job = await queue.add('job', item(i), { removeOnComplete: { count: 1000 }, removeOnFail: true });
    await job.waitUntilFinished(events);
  });
  child.kill();
  await once(child, 'exit');
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return result;
}

/** One throughput run of `side`, with the server's counters reset before and read after. */
async function breakdown(label, side) {
  const { Redis } = await import('ioredis');
  const admin = new Redis(url);
  const info = async (section) => Object.fromEntries((await admin.info(section)).split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(/:(.*)/s).slice(0, 2)));
  const cpu = async () => {
    const c = await info('cpu');
    return Number(c.used_cpu_user) + Number(c.used_cpu_sys);
  };
  await admin.config('RESETSTAT');
  const server0 = await cpu();
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const rate = await side(N);
  const wall = performance.now() - t0;
  const client = process.cpuUsage(client0);
  const serverCpu = (await cpu()) - server0;
  const stats = await info('commandstats');
  const us = (x) => ((x * 1e6) / N).toFixed(1).padStart(6);
  console.log(`${label}: ${rate.toFixed(0)} items/s; per item: wall ${us(wall / 1000)} µs, this process's CPU ${us((client.user + client.system) / 1e6)} µs, redis-server CPU ${us(serverCpu)} µs`);
  const rows = Object.entries(stats)
    .map(([k, v]) => [k.replace('cmdstat_', ''), Object.fromEntries(v.split(',').map((kv) => kv.split('=')))])
    .filter(([, v]) => Number(v.calls) / N >= 0.01)
    .sort((a, b) => Number(b[1].usec) - Number(a[1].usec));
  for (const [name, v] of rows) console.log(`  ${name.padEnd(16)} ${(Number(v.calls) / N).toFixed(2).padStart(6)} calls/item  ${v.usec_per_call.padStart(7)} µs/call  ${(Number(v.usec) / N).toFixed(1).padStart(6)} µs/item`);
  await admin.quit();
}

if (process.argv.includes('--breakdown')) {
  console.log(`breakdown, N=${N}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await janusThroughput(N / 4);
  await bullThroughput(N / 4);
  await breakdown('janus-queue/redis', janusThroughput);
  await breakdown('BullMQ', bullThroughput);
  await server?.stop();
  process.exit(0);
}

const load0 = loadavg().map((x) => x.toFixed(2));
console.log(`janus-queue/redis vs BullMQ${quick ? ' --quick' : ''}: Node ${process.version}, ${url}, N=${N}, round trips=${RT}, load ${load0.join(' ')}`);
const tp = { janus: [], bullmq: [] };
const rt = { async: [], sync: [], bullmq: [] };
const REPS = quick ? 1 : Number(process.env.REPS ?? 5);
// One untimed run of each first: JIT, connections, the scripts loaded on the server.
await janusThroughput(N / 4);
await bullThroughput(N / 4);
for (let rep = 0; rep < REPS; rep++) {
  // Interleaved, so that a change in the machine's load hits both.
  tp.janus.push(await janusThroughput());
  tp.bullmq.push(await bullThroughput());
  rt.async.push(await janusRoundTrip('async'));
  rt.sync.push(await janusRoundTrip('sync'));
  rt.bullmq.push(await bullRoundTrip());
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tpJ = median(tp.janus);
const tpB = median(tp.bullmq);
const p50 = (k) => median(rt[k].map((x) => x.p50));
const p99 = (k) => median(rt[k].map((x) => x.p99));
console.log(`throughput, put -> get -> taskDone (items/s, median of ${tp.janus.length}):`);
console.log(`  janus-queue/redis asyncQ  ${tpJ.toFixed(0).padStart(8)}   (runs: ${tp.janus.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  BullMQ add -> Worker      ${tpB.toFixed(0).padStart(8)}   (runs: ${tp.bullmq.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  ratio janus / BullMQ      ${(tpJ / tpB).toFixed(2)}x (of the medians); per interleaved pair: ${tp.janus.map((x, i) => (x / tp.bullmq[i]).toFixed(2)).join(', ')}`);
console.log('round trip, one item there and its answer back (µs):');
for (const [k, label] of [['async', 'janus-queue/redis asyncQ'], ['sync', 'janus-queue/redis syncQ '], ['bullmq', 'BullMQ add -> finished ']]) {
  console.log(`  ${label}  p50 ${p50(k).toFixed(0).padStart(6)}  p99 ${p99(k).toFixed(0).padStart(6)}`);
}
console.log(`  syncQ / asyncQ p50        ${(p50('sync') / p50('async')).toFixed(2)}x; per pair: ${rt.sync.map((x, i) => (x.p50 / rt.async[i].p50).toFixed(2)).join(', ')}`);
console.log(`  BullMQ / asyncQ p50       ${(p50('bullmq') / p50('async')).toFixed(2)}x`);
console.log(`load at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await server?.stop();
