// Seeded stress run: producers and consumers in worker threads and on the
// main thread, both faces (syncQ and asyncQ, on the main thread too),
// timeouts, aborts, *Nowait, putMany/getMany, taskDone and joiners, payloads
// near and at maxBytes (and one byte over, which must be refused), on a small
// queue; a soft or an immediate shutdown, at a random moment (by the main
// thread or a worker) or at the end. Then it checks: every item put was got
// exactly once, or discarded by an immediate shutdown (counted; for Queue
// only the newest items of each producer can be discarded), FIFO order per
// producer for Queue, unfinishedTasks exact (0: every item got was marked
// done, every discarded one discounted), every join returned true, and every
// thread finished (none still blocked) within a bound after the shutdown.
// Run: npm run stress -- --seed N --seconds S [--kind Queue|LifoQueue|PriorityQueue]
import { Worker } from 'node:worker_threads';
import * as janus from 'janus-queue';
import { rng } from './rng.mjs';
import { consume, join, produce, shutter } from './roles.mjs';

const WORKER = new URL('./worker.mjs', import.meta.url);
/** After the shutdown, every thread must finish within this (a generous bound: a hang, not a slow run). */
const FINISH_MS = 30000;

export async function stress({ seed, seconds, kind, immediate: forced }) {
  const r = rng(seed);
  const className = kind ?? r.pick(['Queue', 'LifoQueue', 'PriorityQueue']);
  const codec = r() < 0.5 ? 'bytes' : 'structured';
  const maxBytes = 64 + r.int(2048);
  const maxsize = r.pick([0, 1, 2, 8, 32]);
  const q = new janus[className]({ maxsize, maxBytes, codec });
  const cfg = { className, codec, maxBytes, maxsize };
  const start = Date.now();
  const deadline = start + seconds * 1000;
  const producers = 1 + r.int(3);
  const consumers = 1 + r.int(3);
  const immediate = forced ?? r() < 0.4;
  // Half the runs shut down at a random moment, by the main thread or by a worker.
  const early = r() < 0.5 ? { at: start + r() * seconds * 1000, byWorker: r() < 0.5 } : undefined;
  const threads = new Map();
  const spawn = (role, id, extra) => {
    const w = new Worker(WORKER, { workerData: { cfg, handle: q.handle, role, id, seed: seed * 31 + id, deadline, ...extra } });
    const done = new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => code !== 0 && reject(new Error(`${role} ${id} exited with ${code}`)));
    });
    threads.set(`${role} ${id}`, { w, done, finished: false });
    done.then(() => (threads.get(`${role} ${id}`).finished = true), () => {});
    return done;
  };
  const prod = [...Array(producers).keys()].map((i) => spawn('producer', i));
  const cons = [...Array(consumers).keys()].map((i) => spawn('consumer', 100 + i));
  const joiner = spawn('joiner', 300);
  if (early?.byWorker) spawn('shutter', 400, { shut: { at: early.at, immediate } });
  let timer;
  if (early && !early.byWorker) timer = setTimeout(() => q.shutdown(immediate), Math.max(0, early.at - Date.now()));
  // The main thread produces and consumes too, on both faces; its blocking
  // calls are kept short, since its own async calls wait while it blocks.
  const main = mainView(q);
  const mainProd = produce(main, r, producers, deadline, cfg);
  const mainCons = consume(main, rng(seed * 7), 200);
  const produced = [...(await Promise.all(prod)), await mainProd];
  clearTimeout(timer);
  q.shutdown(immediate); // at the end, or again (harmless)
  const problems = [];
  const bound = new Promise((resolve) => {
    const t = setTimeout(() => {
      const stuck = [...threads].filter(([, t]) => !t.finished).map(([name]) => name);
      problems.push(`hang: ${stuck.join(', ') || 'the main thread'} still running ${FINISH_MS} ms after the shutdown`);
      for (const [, t] of threads) t.w.terminate();
      resolve('hang');
    }, FINISH_MS);
    t.unref();
  });
  const finished = await Promise.race([Promise.all([...cons, mainCons, joiner]), bound]);
  if (finished === 'hang') return { seed, className, problems };
  const consumed = finished.slice(0, -1);
  const joined = finished.at(-1);
  const mainJoin = await Promise.race([q.asyncQ.join({ timeout: FINISH_MS }), bound]);

  const seen = new Map();
  const gotPer = new Map();
  for (const { got } of consumed) {
    const lastPer = new Map();
    for (const [p, n] of got) {
      const key = `${p}:${n}`;
      if (seen.has(key)) problems.push(`item ${key} got twice`);
      seen.set(key, true);
      if (className === 'Queue' && (lastPer.get(p) ?? -1) >= n) problems.push(`FIFO order broken for producer ${p} at ${n}`);
      lastPer.set(p, n);
      gotPer.set(p, (gotPer.get(p) ?? 0) + 1);
    }
  }
  let total = 0;
  let refused = 0;
  for (const { id, count, refused: no } of produced) {
    total += count;
    refused += no;
    for (let n = 0; n < count; n++) {
      if (seen.has(`${id}:${n}`)) continue;
      if (!immediate) problems.push(`item ${id}:${n} lost`);
      // FIFO: what an immediate shutdown drops is the newest of each producer.
      else if (className === 'Queue' && (gotPer.get(id) ?? 0) > n) problems.push(`item ${id}:${n} lost (a later one of its producer was got)`);
    }
  }
  const discarded = total - seen.size;
  if (discarded < 0) problems.push(`${seen.size} items got, only ${total} put`);
  if (discarded > 0 && maxsize > 0 && discarded > maxsize) problems.push(`${discarded} items discarded, more than maxsize ${maxsize}`);
  if (q.syncQ.unfinishedTasks !== 0) problems.push(`unfinishedTasks is ${q.syncQ.unfinishedTasks}, expected 0`);
  if (q.syncQ.qsize() !== 0) problems.push(`qsize is ${q.syncQ.qsize()} after the drain`);
  if (joined.joined !== true) problems.push('the joiner worker did not see unfinishedTasks reach 0');
  if (mainJoin !== true) problems.push('the main thread join did not return true');
  return {
    seed,
    className,
    codec,
    maxsize,
    maxBytes,
    threads: threads.size + 1,
    producers: producers + 1,
    consumers: consumers + 1,
    immediate,
    shutdown: early ? `at ${((early.at - start) / 1000).toFixed(2)} s by ${early.byWorker ? 'a worker' : 'the main thread'}` : 'at the end',
    total,
    got: seen.size,
    discarded,
    refusedOverMaxBytes: refused,
    problems,
  };
}

/** The main thread's view for roles.mjs: real syncQ calls, with timeouts of at most 2 ms. */
function mainView(q) {
  const s = q.syncQ;
  const short = (o) => ({ ...o, timeout: Math.min(o?.timeout ?? 2, 2) });
  const syncQ = {
    put: (x, o) => s.put(x, short(o)),
    putNowait: (x) => s.putNowait(x),
    putMany: (xs, o) => s.putMany(xs, short(o)),
    get: (o) => s.get(short(o)),
    getNowait: () => s.getNowait(),
    getMany: (n, o) => s.getMany(n, short(o)),
    taskDone: () => s.taskDone(),
    join: (o) => s.join(short(o)),
  };
  return { syncQ, asyncQ: q.asyncQ, get closed() { return q.closed; } };
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
  const t = Date.now();
  const res = await stress({ seed, seconds, kind });
  console.log(JSON.stringify({ ...res, wallSeconds: (Date.now() - t) / 1000, problems: res.problems.slice(0, 10) }));
  if (res.problems.length) {
    console.log(`FAILED: replay with: npm run stress -- --seed ${seed} --seconds ${seconds}${kind ? ` --kind ${kind}` : ''}`);
    process.exit(1);
  }
  process.exit(0);
}


