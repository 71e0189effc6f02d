// Where each microsecond goes: the cost of each step of a put and a get, one
// thread and across threads, with the futex calls counted, beside the
// physical floors measured in the same run (a bare SPSC ring carrying the
// same bytes, structuredClone, v8.serialize of one item and of a batch).
//   npm run bench -- --breakdown               (this build)
//   node bench/breakdown.mjs --against /old/tree  (also an older tree: its dist/ and src/codec)
// Single-thread figures are the minimum over repetitions of CPU time per
// item (process.cpuUsage): on a shared machine the steadiest figure.
import os from 'node:os';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { loadCodecs } from './lib/codecs.mjs';
import { Ring } from './lib/ring.mjs';
import { queueOptions, smallObject } from './lib/payloads.mjs';
import { quick } from './lib/harness.mjs';

// The lock word's index, from the layout as built (dist/internal.js, not shipped).
const { LOCK: LOCK_INDEX } = await import(new URL('../dist/internal.js', import.meta.url).href);
const N = quick ? 2000 : 100000;
const REPS = quick ? 2 : 9;
const here = new URL('../', import.meta.url);
const i = process.argv.indexOf('--against');
const trees = [...(i > 0 ? [{ name: 'before', root: new URL(`file://${process.argv[i + 1].replace(/\/?$/, '/')}`) }] : []), { name: 'this', root: here }];

/** CPU µs per call of fn(i), the minimum over REPS runs of N calls. */
function perItem(fn, n = N) {
  for (let k = 0; k < Math.min(n, 2000); k++) fn(k);
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < n; k++) fn(k);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / n);
  }
  return best;
}

/** CPU µs per putNowait of `bytes` (N in a row) and per getNowait of them, the minimum over REPS rounds. */
function putThenGet(q, bytes) {
  let put = Infinity;
  let get = Infinity;
  for (let r = 0; r <= REPS; r++) {
    let c0 = process.cpuUsage();
    for (let k = 0; k < N; k++) q.syncQ.putNowait(bytes);
    let c = process.cpuUsage(c0);
    if (r > 0) put = Math.min(put, (c.user + c.system) / N);
    c0 = process.cpuUsage();
    for (let k = 0; k < N; k++) q.syncQ.getNowait();
    c = process.cpuUsage(c0);
    if (r > 0) get = Math.min(get, (c.user + c.system) / N);
  }
  return {
    'putNowait of the encoded bytes (bytes codec): lock, reserve, copy in, publish': put,
    'getNowait of them: lock, take, copy out (a fresh array), release': get,
  };
}

async function perItemAsync(fn, n = N) {
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < n; k++) await fn(k);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / n);
  }
  return best;
}

async function singleThread(tree) {
  const { Queue } = await import(new URL('dist/index.js', tree.root).href);
  const codec = (await loadCodecs({ from: new URL(`bench/results/.codec-${tree.name}/`, here).href, src: new URL('src/', tree.root).href })).structured;
  const item = smallObject(7);
  const bytes = codec.encode(item, 1 << 20).slice();
  const scratch = new Uint8Array(1 << 16);
  const sab = new Uint8Array(new SharedArrayBuffer(1 << 16));
  const bq = new Queue({ codec: 'bytes', maxBytes: 64 << 20 });
  const sq = new Queue();
  const tq = new Queue({ codec: 'bytes', maxBytes: 64 << 20 });
  const aq = new Queue();
  const ring = new Ring(Ring.create());
  scratch.set(bytes);
  const r = {
    'encode (default codec, small object)': perItem((k) => codec.encode(smallObject(k), 1 << 20)),
    'decode (default codec, small object)': perItem(() => codec.decode(scratch.subarray(0, bytes.length))),
    'copy the encoded bytes into shared memory and out': perItem(() => (sab.set(bytes, 64), scratch.set(sab.subarray(64, 64 + bytes.length)))),
    'take lock + commit + release (taskDone)': (() => {
      for (let k = 0; k < N * (REPS + 1) + 2000; k++) tq.syncQ.putNowait(new Uint8Array(0));
      return perItem(() => tq.syncQ.taskDone());
    })(),
    ...putThenGet(bq, bytes),
    'putNowait + getNowait, default codec, small object': perItem((k) => (sq.syncQ.putNowait(smallObject(k)), sq.syncQ.getNowait())),
    'asyncQ.putNowait + await asyncQ.get(), small object': await perItemAsync((k) => (aq.asyncQ.putNowait(smallObject(k)), aq.asyncQ.get())),
    'floor: bare ring put + take of the encoded bytes': perItem(() => (ring.put(bytes), ring.take(scratch))),
    'floor: structuredClone, small object': perItem((k) => structuredClone(smallObject(k))),
    'floor: v8.serialize + deserialize, small object': perItem((k) => v8.deserialize(v8.serialize(smallObject(k)))),
    'floor: v8.serialize + deserialize, batch of 100, per object': perItem((k) => v8.deserialize(v8.serialize(Array.from({ length: 100 }, (_, j) => smallObject(k + j)))), N / 100) / 100,
    'floor: make the small object alone': perItem((k) => smallObject(k)),
    'encoded size of the small object (bytes, not µs)': bytes.length,
  };
  return r;
}

/**
 * Worker -> main, `kind` items ('small', '1k', '64k'), by `role`: the queue
 * (syncQ.put -> await asyncQ.get), its zero-copy calls (putView -> getView),
 * the bare ring (with the codec for small objects; the main thread takes
 * synchronously), postMessage (copy, or transfer). Items/s, CPU per item of
 * all threads, and the futex calls per 100k items.
 */
async function crossThread(tree, kind, role) {
  const { countAtomics } = await import('./lib/futex-count.mjs');
  const { Queue } = await import(new URL('dist/index.js', tree.root).href);
  const n = kind === '64k' ? Math.max(200, N / 20) : N;
  const q = new Queue(queueOptions(kind));
  const ringSab = Ring.create(kind === '64k' ? 4 << 20 : 1 << 20);
  const codecDir = new URL(`bench/results/.codec-${tree.name}/`, here).href;
  const codec = (await loadCodecs({ build: false, from: codecDir })).structured;
  const w = new Worker(new URL('breakdown-worker.mjs', import.meta.url), {
    workerData: { role, kind, n, handle: q.handle, ring: ringSab, lockIndex: LOCK_INDEX, dist: new URL('dist/index.js', tree.root).href, codecDir },
  });
  await new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
  let got = 0;
  let all;
  const arrived = new Promise((resolve) => (all = resolve));
  const done = new Promise((resolve) => w.on('message', (m) => (m?.done ? resolve(m) : ++got === n && all())));
  const counts = countAtomics(LOCK_INDEX);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  w.postMessage('go');
  if (role === 'queue') for (let k = 0; k < n; k++) await q.asyncQ.get();
  else if (role === 'view') for (let k = 0; k < n; k++) await q.asyncQ.getView(touch);
  else if (role === 'post' || role === 'transfer') await arrived;
  else {
    const ring = new Ring(ringSab);
    const scratch = new Uint8Array(1 << 17);
    for (let k = 0; k < n; k++) {
      const len = ring.take(scratch);
      if (kind === 'small') codec.decode(scratch.subarray(0, len));
    }
  }
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const mine = counts.snapshot();
  counts.restore();
  const theirs = await done;
  await w.terminate();
  const per100k = {};
  if (role === 'queue' || role === 'view')
    for (const [side, cs] of [['consumer', mine], ['producer', theirs.counts]]) for (const [k, v] of Object.entries(cs)) per100k[`${side}: ${k}`] = Math.round((v * 100000) / n);
  return { rate: n / (ms / 1000), cpu: (c.user + c.system) / n, counts: per100k };
}

const touch = (v) => v[0] + v[v.length - 1];
const fmt = (x) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
console.log(`breakdown: Node ${process.version}, ${os.availableParallelism?.() ?? os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, ${N} items, min of ${REPS}`);
const single = {};
for (const t of trees) single[t.name] = await singleThread(t);
console.log(`\none thread, CPU µs per item${trees.length > 1 ? ` (${trees.map((t) => t.name).join(' / ')})` : ''}`);
for (const k of Object.keys(single.this)) console.log(`  ${k.padEnd(92)} ${trees.map((t) => fmt(single[t.name][k]).padStart(8)).join(' ')}`);
const LABEL = {
  queue: (t) => `janus-queue (${t.name}): syncQ.put -> await asyncQ.get`,
  view: (t) => `janus-queue (${t.name}): putView -> await getView (zero-copy)`,
  ring: () => 'floor: bare ring (small: + this codec), main takes synchronously',
  post: () => 'postMessage, one item per message',
  transfer: () => 'postMessage, transferring each buffer',
};
for (const kind of ['small', '1k', '64k']) {
  console.log(`\nworker -> main, ${kind === 'small' ? 'small objects' : `${kind === '1k' ? '1 KiB' : '64 KiB'} Uint8Arrays`}:`);
  const rows = [];
  for (const t of trees) {
    const roles = ['queue', ...(kind !== 'small' ? ['view'] : [])];
    if (t === trees.at(-1)) roles.push('ring', 'post', ...(kind === '64k' ? ['transfer'] : []));
    for (const role of roles) {
      // A build older than putView has no zero-copy calls.
      if (role === 'view' && t !== trees.at(-1)) continue;
      const r = await crossThread(t, kind, role);
      rows.push([LABEL[role](t), r]);
    }
  }
  const post = rows.find(([l]) => l.startsWith('postMessage, one'))[1].rate;
  for (const [label, r] of rows) {
    console.log(`  ${label.padEnd(72)} ${String(Math.round(r.rate / 1000)).padStart(6)} k/s  ${(r.rate / post).toFixed(2).padStart(5)}x postMessage  CPU ${fmt(r.cpu)} µs/item`);
    for (const [k, v] of Object.entries(r.counts).sort()) console.log(`      ${k.padEnd(56)} ${String(v).padStart(8)} per 100k items`);
  }
}
process.exit(0);
