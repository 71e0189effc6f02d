// The page's part of streams, Symbol.asyncDispose and lock contention, with
// dedicated Workers (extra-worker.mjs) started with the page's own query
// (so `?no-waitasync` reaches them too).
import { Queue } from '/dist/index.js';

const T = { timeout: 20000 };

/** Starts a worker for one role; resolves with its value (and whether it had Atomics.waitAsync). */
function worker(data) {
  const w = new Worker(`/test/browser/extra-worker.mjs${location.search}`, { type: 'module' });
  return new Promise((resolve, reject) => {
    w.onmessage = ({ data: m }) => (m.error === undefined ? resolve(m) : reject(new Error(`${data.role} worker: ${m.error}`)));
    w.onerror = (e) => reject(new Error(`${data.role} worker: ${e.message}`));
    w.postMessage(data);
  }).finally(() => w.terminate());
}

/** The page writes into a WritableStream, a worker pipes it on, the page reads a ReadableStream. */
async function streams() {
  const from = new Queue({ maxsize: 2 });
  const to = new Queue({ maxsize: 2 });
  const piped = worker({ role: 'pipe', from: from.handle, to: to.handle });
  const writer = from.asyncQ.writable().getWriter();
  const got = [];
  const reading = (async () => {
    for await (const x of to.asyncQ.readable()) got.push(x);
  })();
  for (let i = 0; i < 30; i++) await writer.write(i);
  await writer.close(); // shuts `from` down: the pipe ends and closes `to`
  await reading;
  return { got, workerWaitAsync: (await piped).waitAsync };
}

/** `await q[Symbol.asyncDispose]()` is aclose(); a worker waiting on the queue is woken. */
async function asyncDispose() {
  if (typeof Symbol.asyncDispose !== 'symbol') return { symbol: false };
  const q = new Queue();
  q.syncQ.putNowait('dropped');
  await q[Symbol.asyncDispose]();
  return { symbol: true, closed: q.closed, qsize: q.syncQ.qsize() };
}

/** 3 workers (2 on syncQ, 1 on asyncQ) and the page put and get 2000 items each through one small queue. */
async function contention() {
  const n = 2000;
  const q = new Queue({ maxsize: 2 }); // a thread holds at most one item between its put and get: puts block, none for ever
  const workers = ['syncQ', 'syncQ', 'asyncQ'].map((face, i) => worker({ role: 'hammer', h: q.handle, id: i + 1, n, face }));
  const mine = [];
  for (let i = 0; i < n; i++) {
    await q.asyncQ.put(i, T);
    mine.push(await q.asyncQ.get(T));
  }
  const all = [mine, ...(await Promise.all(workers)).map((m) => m.value)].flat();
  const expected = [0, 1, 2, 3].flatMap((id) => Array.from({ length: n }, (_, k) => id * 1e6 + k));
  const sorted = (a) => [...a].sort((x, y) => x - y).join();
  return { exactlyOnce: sorted(all) === sorted(expected), count: all.length, qsize: q.syncQ.qsize() };
}

export async function extras() {
  return { streams: await streams(), asyncDispose: await asyncDispose(), contention: await contention() };
}
