// Seeded stress run: producers and consumers in worker threads and on the
// main thread, mixing both faces, timeouts, aborts and *Nowait calls, on a
// small queue; at the end a soft or an immediate shutdown. Then it checks
// that every item put was got exactly once (or, after an immediate shutdown,
// at most once), FIFO order per producer for Queue, unfinishedTasks exact,
// and that every thread finished.
// Run: npm run stress -- --seed N --seconds S [--kind Queue|LifoQueue|PriorityQueue]
import { Worker } from 'node:worker_threads';
import * as janus from 'janus-queue';
import { rng } from './rng.mjs';
import { consume, produce } from './roles.mjs';

const WORKER = new URL('./worker.mjs', import.meta.url);

export async function stress({ seed, seconds, kind, immediate: forced }) {
  const r = rng(seed);
  const className = kind ?? r.pick(['Queue', 'LifoQueue', 'PriorityQueue']);
  const maxBytes = 256 + r.int(2048);
  const q = new janus[className]({ maxsize: r.pick([0, 1, 2, 8, 32]), maxBytes });
  const deadline = Date.now() + seconds * 1000;
  const producers = 1 + r.int(3);
  const consumers = 1 + r.int(3);
  const coin = r() < 0.3;
  const immediate = forced ?? coin;
  const spawn = (role, id) =>
    new Promise((resolve, reject) => {
      const w = new Worker(WORKER, { workerData: { className, handle: q.handle, role, id, seed: seed * 31 + id, deadline } });
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => code !== 0 && reject(new Error(`${role} ${id} exited with ${code}`)));
    });
  const prod = [...Array(producers).keys()].map((i) => spawn('producer', i));
  const cons = [...Array(consumers).keys()].map((i) => spawn('consumer', 100 + i));
  // The main thread produces and consumes too (async face only: it must not
  // block its own event loop while its own async calls are pending).
  const mainProd = produce(asyncOnly(q), r, producers, deadline, className, Math.min(200, maxBytes - 40));
  const mainCons = consume(asyncOnly(q), rng(seed * 7), 200);
  const produced = [...(await Promise.all(prod)), await mainProd];
  const left = q.syncQ.qsize();
  q.shutdown(immediate);
  const consumed = [...(await Promise.all(cons)), await mainCons];

  const problems = [];
  const seen = new Map();
  for (const { got } of consumed) {
    const lastPer = new Map();
    for (const [p, n] of got) {
      const key = `${p}:${n}`;
      if (seen.has(key)) problems.push(`item ${key} got twice`);
      seen.set(key, true);
      if (className === 'Queue' && (lastPer.get(p) ?? -1) >= n) problems.push(`FIFO order broken for producer ${p} at ${n}`);
      lastPer.set(p, n);
    }
  }
  let total = 0;
  for (const { id, count } of produced) {
    total += count;
    for (let n = 0; n < count; n++) if (!seen.has(`${id}:${n}`) && !immediate) problems.push(`item ${id}:${n} lost`);
  }
  if (seen.size > total) problems.push(`${seen.size} items got, only ${total} put`);
  if (immediate && total - seen.size > left) problems.push(`${total - seen.size} items missing, but only ${left} were left to drop`);
  if (q.syncQ.unfinishedTasks !== 0) problems.push(`unfinishedTasks is ${q.syncQ.unfinishedTasks}, expected 0`);
  if (q.syncQ.qsize() !== 0) problems.push(`qsize is ${q.syncQ.qsize()} after the drain`);
  return { seed, className, producers, consumers, immediate, total, got: seen.size, problems };
}

/** The main thread's view for roles.mjs: blocking calls become their async twins. */
function asyncOnly(q) {
  const a = q.asyncQ;
  const syncQ = {
    put: (x) => a.putNowait(x),
    putNowait: (x) => a.putNowait(x),
    get: () => a.getNowait(),
    getNowait: () => a.getNowait(),
    taskDone: () => a.taskDone(),
  };
  return { syncQ, asyncQ: a };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const seed = Number(arg('seed', String(Date.now() % 1e6)));
  const seconds = Number(arg('seconds', '10'));
  const kind = arg('kind', undefined);
  console.log(`stress seed=${seed} seconds=${seconds}`);
  const res = await stress({ seed, seconds, kind });
  console.log(JSON.stringify({ ...res, problems: res.problems.slice(0, 10) }));
  if (res.problems.length) {
    console.log(`FAILED: replay with: npm run stress -- --seed ${seed} --seconds ${seconds}${kind ? ` --kind ${kind}` : ''}`);
    process.exit(1);
  }
}
