// Runs in a cross-origin-isolated page. The page's main thread uses asyncQ and
// the non-blocking syncQ calls; one dedicated module Worker uses syncQ
// (sync-worker.mjs), another uses asyncQ (async-worker.mjs); extras.mjs adds
// streams, Symbol.asyncDispose and lock contention. Workers get the page's
// query (?no-waitasync). The result goes to window.__result for
// test/browser.test.mjs.
import '/test/browser/strip.mjs'; // first: with ?no-waitasync, Atomics.waitAsync is gone before the package loads
import { LifoQueue, PriorityQueue, Queue } from '/dist/index.js';
import { extras } from '/test/browser/extras.mjs';
import { describeValue, richValue } from '/test/browser/describe-value.mjs';
import { GETTERS, PUTTERS, waiterCount } from '/test/helpers/waiters.mjs';

const T = { timeout: 20000 }; // generous bound: a lost wake-up fails, never hangs the page
const PRIO_IN = [[3, 'c'], [1, 'a'], [2, 'b'], [1, 'a2']];
const out = { crossOriginIsolated, waitAsync: typeof Atomics.waitAsync === 'function' };

/** Messages { step, ... } from a worker, awaited by step; a posted error or worker error rejects. */
function inbox(worker, label) {
  const seen = new Map();
  let pending = [];
  let failure;
  const settle = () => {
    pending = pending.filter(({ step, resolve, reject }) => {
      if (failure) reject(failure);
      else if (seen.has(step)) resolve(seen.get(step));
      else return true;
      return false;
    });
  };
  worker.onmessage = ({ data }) => {
    if (data.step === 'error') failure = new Error(`${label}: ${data.error}`);
    else seen.set(data.step, data);
    settle();
  };
  worker.onerror = (e) => {
    failure = new Error(`${label}: ${e.message}`);
    settle();
  };
  return (step) =>
    new Promise((resolve, reject) => {
      pending.push({ step, resolve, reject });
      settle();
    });
}

/** Polls until the other thread is registered as a waiter: then it really blocked. */
async function until(cond, what) {
  const end = Date.now() + 20000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function refusals() {
  // Blocking syncQ calls refuse to run on the page's main thread, and change nothing; the non-blocking ones work.
  const q = new Queue({ maxsize: 4 });
  q.syncQ.putNowait('kept');
  const r = {};
  const calls = {
    get: () => new Queue().syncQ.get(),
    put: () => q.syncQ.put(1),
    join: () => q.syncQ.join(),
    getMany: () => new Queue().syncQ.getMany(2),
    putMany: () => q.syncQ.putMany([1, 2]),
  };
  for (const [name, call] of Object.entries(calls)) {
    try {
      call();
      r[name] = 'returned';
    } catch (e) {
      r[name] = `${e.name}: ${e.message}`;
    }
  }
  r.after = { qsize: q.syncQ.qsize(), unfinished: q.syncQ.unfinishedTasks };
  q.syncQ.put('a', { block: false });
  r.nonBlocking = [q.syncQ.getNowait(), q.syncQ.get({ timeout: 0 }), q.syncQ.join({ timeout: 0 })];
  return r;
}

async function withSyncWorker() {
  const r = {};
  const worker = new Worker(`/test/browser/sync-worker.mjs${location.search}`, { type: 'module' });
  const next = inbox(worker, 'sync worker');
  const jobs = new Queue({ maxsize: 3 });
  const results = new Queue();
  const lifoIn = new LifoQueue();
  const prioIn = new PriorityQueue();
  const [lifo, prio, values, echoed, work, idle] = [new LifoQueue(), new PriorityQueue(), new Queue(), new Queue(), new Queue(), new Queue()];
  const full = new Queue({ maxsize: 1 });
  for (let i = 0; i < 5; i++) await lifoIn.asyncQ.put(i);
  for (const pair of PRIO_IN) await prioIn.asyncQ.put(pair);
  full.syncQ.putNowait('first');
  const handles = { jobs, results, lifoIn, prioIn, lifo, prio, values, echoed, work, idle, full };
  worker.postMessage(Object.fromEntries(Object.entries(handles).map(([k, q]) => [k, q.handle])));

  // page asyncQ.put (backpressure at 3) -> worker syncQ.get/put -> page asyncQ.get; page joins
  for (let i = 0; i < 20; i++) await jobs.asyncQ.put(i);
  r.joined = await jobs.asyncQ.join(T);
  r.fifo = [];
  for (let i = 0; i < 20; i++) r.fifo.push(await results.asyncQ.get(T));

  const taken = await next('taken');
  r.lifoIn = taken.lifo;
  r.prioIn = taken.prio;
  r.workerWaitAsync = taken.waitAsync;

  await next('filled');
  r.lifo = [];
  for (let i = 0; i < 5; i++) r.lifo.push(await lifo.asyncQ.get(T));
  r.prio = [];
  for (let i = 0; i < 4; i++) r.prio.push((await prio.asyncQ.get(T))[1]);

  const v = richValue();
  await values.asyncQ.put(v);
  r.valueInWorker = (await next('value')).text === describeValue(v);
  r.valueBack = describeValue(await echoed.asyncQ.get(T)) === describeValue(v);
  r.valueText = describeValue(v);

  for (let i = 0; i < 3; i++) {
    await work.asyncQ.get(T);
    work.asyncQ.taskDone();
  }
  r.workerJoined = (await next('joined')).value;

  await until(() => waiterCount(idle.handle, GETTERS) === 1, 'the worker blocks in idle.syncQ.get');
  idle.asyncQ.shutdown();
  r.idle = (await next('idle')).value;

  await until(() => waiterCount(full.handle, PUTTERS) === 1, 'the worker blocks in full.syncQ.put');
  full.asyncQ.shutdown();
  r.full = (await next('full')).value;
  // after shutdown(false) the item already there still comes out, then get rejects
  r.fullDrain = [await full.asyncQ.get(T), await full.asyncQ.get(T).catch((e) => e.name)];
  worker.terminate(); // its run is over: every step above was answered
  return r;
}

async function withAsyncWorker() {
  const r = {};
  const worker = new Worker(`/test/browser/async-worker.mjs${location.search}`, { type: 'module' });
  const next = inbox(worker, 'async worker');
  const jobs = new Queue({ maxsize: 4 });
  const results = new Queue();
  const lifoIn = new LifoQueue();
  const prioIn = new PriorityQueue();
  const [lifo, prio, values, echoed, work, idle, drop] = [new LifoQueue(), new PriorityQueue(), new Queue(), new Queue(), new Queue(), new Queue(), new Queue()];
  // set up before the worker has any handle, so what it does next is what the page waits on
  for (let i = 0; i < 5; i++) lifoIn.syncQ.putNowait(i);
  for (const pair of PRIO_IN) prioIn.syncQ.putNowait(pair);
  const v = richValue();
  values.syncQ.putNowait(v);
  const idleGet = idle.asyncQ.get(T).then(() => 'returned', (e) => e.name);
  for (let i = 0; i < 3; i++) drop.syncQ.putNowait(i);
  const dropJoin = drop.asyncQ.join(T);
  const handles = { jobs, results, lifoIn, prioIn, lifo, prio, values, echoed, work, idle, drop };
  worker.postMessage(Object.fromEntries(Object.entries(handles).map(([k, q]) => [k, q.handle])));

  r.idle = await idleGet;
  r.dropJoined = await dropJoin;
  r.dropAfter = { qsize: drop.asyncQ.qsize(), unfinished: drop.asyncQ.unfinishedTasks };

  // page asyncQ.put (backpressure at 4) -> worker asyncQ iteration -> page getNowait; page joins, then shuts down
  for (let i = 0; i < 20; i++) await jobs.asyncQ.put(i);
  r.joined = await jobs.asyncQ.join(T);
  jobs.asyncQ.shutdown();
  await next('jobs ended');
  r.fifo = Array.from({ length: 20 }, () => results.syncQ.getNowait());

  const taken = await next('taken');
  r.lifoIn = taken.lifo;
  r.prioIn = taken.prio;
  r.workerWaitAsync = taken.waitAsync;

  await next('filled');
  r.lifo = Array.from({ length: 5 }, () => lifo.syncQ.getNowait());
  r.prio = Array.from({ length: 4 }, () => prio.syncQ.getNowait()[1]);

  r.valueInWorker = (await next('value')).text === describeValue(v);
  r.valueBack = describeValue(await echoed.asyncQ.get(T)) === describeValue(v);

  for (let i = 0; i < 3; i++) {
    await work.asyncQ.get(T);
    work.syncQ.taskDone();
  }
  r.workerJoined = (await next('joined')).value;
  worker.terminate();
  return r;
}

async function main() {
  out.refusals = refusals();
  out.sync = await withSyncWorker();
  out.async = await withAsyncWorker();
  out.extras = await extras();
}

main().then(
  () => (window.__result = out),
  (e) => (window.__result = { ...out, error: `${e.name}: ${e.message}\n${e.stack}` }),
);
