// Fault run (issue 14): the main thread watches victim workers and, from the
// moment one is terminated at a random point (a random call count, or right
// before a random call of a built-in inside the library: a kill point, see
// test/fixtures/dead-peer-worker.mjs), makes only synchronous calls
// (putNowait, getNowait, taskDone) without turning its event loop, until it
// has made 50 successful calls after the kill. A hang is a call that takes
// more than 3 s, or no successful call within 10 s of the kill. Then it lets
// watch() finish and checks the queue: lock free, no section half done,
// every waiter slot free, no item got twice. Prints one JSON line.
// Run: npm run build && node test/soak/watcher-faults.mjs [--seed S] [--rounds N]
import { Worker } from 'node:worker_threads';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
import { J_LEN, LOCK, SLOT_COUNT } from '../helpers/layout.mjs';
import { freeSlots } from '../helpers/waiters.mjs';
import { rng } from '../stress/rng.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SEED = arg('seed', 1);
const ROUNDS = arg('rounds', 20);
const FIXTURE = new URL('../fixtures/dead-peer-worker.mjs', import.meta.url);
const KINDS = [Queue, LifoQueue, PriorityQueue];
const KILL_POINTS = [undefined, 'compareExchange', 'exchange', 'notify', 'store', 'load', 'set'];
const FACES = ['sync', 'async', 'busy'];
const random = rng(SEED);
const EXPECTED = new Set(['QueueEmpty', 'QueueFull', 'LockTimeout', 'RangeError']); // RangeError: taskDone() too many times

const report = { seed: SEED, rounds: ROUNDS, hangs: 0, kills: 0, syncCalls: 0, failedCalls: {}, slowestCallMs: 0, slowestResumeMs: 0, duplicates: 0, bad: [] };

function startVictim(q, seed) {
  const fn = KILL_POINTS[random.int(KILL_POINTS.length)];
  const stop = new SharedArrayBuffer(4);
  const log = new SharedArrayBuffer(4 * (2 + 200000));
  const trap = fn === undefined ? undefined : { fn, nth: 1 + random.int(150) };
  const face = FACES[random.int(FACES.length)];
  const worker = new Worker(FIXTURE, { workerData: { role: 'victim', handle: q.handle, className: q.handle.kind, log, stop, seed, base: seed * 1_000_000, face, trap } });
  worker.on('error', () => {});
  const online = new Promise((resolve) => worker.once('online', resolve));
  return { worker, face, token: worker.threadId + 1, online, log: new Int32Array(log), stopped: new Int32Array(stop), trap, killAfter: 20 + random.int(2000) };
}

for (let round = 0; round < ROUNDS; round++) {
  const K = KINDS[round % KINDS.length];
  const q = new K({ maxsize: 8, maxBytes: 70000 });
  const victims = [startVictim(q, 2 * round + 1), startVictim(q, 2 * round + 2)];
  const watched = victims.map((v) => q.watch(v.worker));
  await Promise.all(victims.map((v) => v.online));
  // From here on: synchronous calls only, until 50 succeeded after the last kill.
  const gotIds = new Set();
  let nextId = 900_000_000 + round * 1_000_000;
  const call = () => {
    const t0 = performance.now();
    const r = random();
    try {
      if (r < 0.4) q.syncQ.putNowait(K === PriorityQueue ? [0, { id: nextId++, pad: '' }] : { id: nextId++, pad: '' });
      else if (r < 0.8) {
        const item = q.asyncQ.getNowait();
        const id = (K === PriorityQueue ? item[1] : item).id;
        if (gotIds.has(id)) report.duplicates++;
        gotIds.add(id);
      } else q.syncQ.taskDone();
      return { ok: true, ms: performance.now() - t0 };
    } catch (e) {
      if (!EXPECTED.has(e.name)) throw e;
      report.failedCalls[e.name] = (report.failedCalls[e.name] ?? 0) + 1;
      return { ok: false, ms: performance.now() - t0 };
    } finally {
      report.syncCalls++;
    }
  };
  // A victim is killed once it is due (trapped at its kill point, or past its
  // call count; both may be due at once: a trapped victim holds whatever it
  // held, so it is killed as soon as it is seen). After each kill, the main
  // thread needs 50 successful calls.
  let hung = false;
  const alive = new Set(victims);
  const due = (v) => (v.trap ? Atomics.load(v.stopped, 0) === 1 : Atomics.load(v.log, 0) + Atomics.load(v.log, 1) >= v.killAfter);
  const killDue = (force) => {
    let any = false;
    for (const v of alive) {
      if (!force && !due(v)) continue;
      void v.worker.terminate(); // not awaited
      alive.delete(v);
      report.kills++;
      any = true;
    }
    return any;
  };
  const start = performance.now();
  while (alive.size > 0) {
    while (!killDue(performance.now() - start > 5000)) call(); // the victims run meanwhile
    let killed = performance.now();
    let ok = 0;
    while (ok < 50) {
      const r = call();
      report.slowestCallMs = Math.max(report.slowestCallMs, r.ms);
      if (r.ms > 3000) hung = true;
      if (r.ok) ok++;
      if (killDue(false)) {
        killed = performance.now();
        ok = 0;
      }
      if (performance.now() - killed > 10000) {
        hung = true;
        report.bad.push({ round, kind: K.name, hang: { lock: Atomics.load(new Int32Array(q.handle.buffer), LOCK), victims: victims.map((v) => ({ token: v.token, trap: v.trap, face: v.face, alive: alive.has(v), idle: v.worker.performance.eventLoopUtilization().idle })) } });
        break;
      }
    }
    report.slowestResumeMs = Math.max(report.slowestResumeMs, performance.now() - killed);
  }
  if (hung) report.hangs++;
  await Promise.all(watched);
  const w = new Int32Array(q.handle.buffer);
  const problems = [];
  if (Atomics.load(w, LOCK) !== 0) problems.push('lock held');
  if (Atomics.load(w, J_LEN) !== 0) problems.push('a section half done');
  if (freeSlots(q.handle) !== SLOT_COUNT) problems.push(`${SLOT_COUNT - freeSlots(q.handle)} slots taken`);
  if (problems.length > 0) report.bad.push({ round, kind: K.name, problems });
}
report.slowestCallMs = Math.round(report.slowestCallMs);
report.slowestResumeMs = Math.round(report.slowestResumeMs);
console.log(JSON.stringify(report));
