// Throughput of one producer and one consumer: worker -> main, main ->
// worker and worker -> worker, for each payload, janus-queue against
// postMessage, each with and without batching, interleaved.
import { MessageChannel } from 'node:worker_threads';
import { Queue } from 'janus-queue';
import { Ring } from '../lib/ring.mjs';
import { loadCodecs } from '../lib/codecs.mjs';
import { interleave, printGroup, printRatios, quick, ratio, record, size, startWorker } from '../lib/harness.mjs';
import { PAYLOAD_LABELS, payload, queueOptions, sends } from '../lib/payloads.mjs';

// 64 KiB: 16,000 items a pass since the ninth round of Performance II (4,000
// before): a pass of 4,000 lasted 25-80 ms, short enough for its start (the
// worker's wake on "go", the first waits) to weigh on every transport,
// the bare ring included (docs/performance.md).
const N = { small: size(60000), '1k': size(60000), '64k': size(16000) };
const BATCH = { small: 100, '1k': 100, '64k': 16 };
const REPS = quick ? 1 : 5;

const perSec = (n, ms) => n / (ms / 1000);
const touch = (v) => v[0] + v[v.length - 1];

/**
 * Times `body` (which resolves once the last item arrived): items/s, and
 * the CPU time per item of every thread of the process (process.cpuUsage:
 * on a machine shared with other jobs, a figure that waiting does not
 * inflate).
 */
async function timed(n, body) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await body();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { rate: perSec(n, ms), cpu: (c.user + c.system) / n };
}

/** Main thread consumer of a janus run: asyncQ.get, or getMany. */
async function mainGets(q, { n, batch, view }) {
  // view: each item read in place with getView (its first and last byte, as a
  // receiver of postMessage touches none).
  if (view) for (let i = 0; i < n; i++) await q.asyncQ.getView(touch);
  else if (!batch) for (let i = 0; i < n; i++) await q.asyncQ.get();
  else for (let got = 0; got < n; ) got += (await q.asyncQ.getMany(batch)).length;
}

/** Main thread producer of a janus run: asyncQ.put, or putMany. */
async function mainPuts(q, run) {
  if (!run.batch) for (const x of sends(run)) await q.asyncQ.put(x);
  else for (const b of sends(run)) await q.asyncQ.putMany(b);
}

/**
 * The floor, worker -> main: a worker puts into the bare ring (encoded by the
 * default codec for small objects), the main thread takes synchronously: a
 * decode, a fresh copy (what a bytes get returns), or, for `view`, the
 * record read in place. Returns a pass function (see once()).
 */
async function ringFloor(run) {
  const sab = Ring.create(ringBytes(run.kind));
  const w = await startWorker('ring-put', { ...run, ring: sab });
  const ring = new Ring(sab);
  const codec = run.kind === 'small' ? (await loadCodecs({ build: false })).structured : undefined;
  const scratch = new Uint8Array(1 << 16);
  const pass = async (n) => {
    const sent = w.pass(n);
    for (let i = 0; i < n; i++) {
      if (codec) codec.decode(scratch.subarray(0, ring.take(scratch)));
      else if (run.view) ring.takeView(touch);
      else ring.takeCopy();
    }
    await sent;
  };
  return { pass, workers: [w] };
}

/** The bare ring's bytes for a payload (the queue's maxBytes in bench/lib/payloads.mjs). */
const ringBytes = (kind) => (kind === '64k' ? 8 << 20 : 2 << 20);

/**
 * The receiver alone, for byte copies: the main thread takes each item out
 * of a bare ring as a fresh array of its own (what a bytes get returns,
 * and what postMessage's receiver makes), with no producer running: the
 * ring is filled with one batch's items beforehand, and only the takes are
 * timed. What the receiver's own work costs, reported beside the floors,
 * not as one: making a batch's arrays in a row measured slower here than
 * the bare ring across threads, which makes them one at a time (on Linux a
 * fresh 64 KiB array costs most of it: glibc gives the freed heap top back
 * and grows it again, a brk call, then page faults).
 */
function receiverAlone({ kind, n }) {
  const ring = new Ring(Ring.create(ringBytes(kind)));
  const { make } = payload(kind);
  const per = BATCH[kind];
  const pass = () => {
    let ms = 0;
    let cpu = 0;
    for (let i = 0; i < n; ) {
      const k = Math.min(per, n - i);
      for (let j = 0; j < k; j++) ring.put(make(i + j), j === k - 1);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let j = 0; j < k; j++) ring.takeCopy();
      ms += performance.now() - t0;
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
      i += k;
    }
    return { rate: perSec(n, ms), cpu: cpu / n };
  };
  const cold = pass();
  return { ...pass(), cold: cold.rate };
}

/**
 * Sets up one run of `transport` ('janus' | 'post' | 'ring') in `dir`: the
 * queue or channel and its workers, started and ready. Returns
 * { pass(n): moves n items and resolves once the last arrived, workers }.
 */
async function setUp(dir, transport, run) {
  if (transport === 'ring') return ringFloor(run);
  if (transport === 'janus') {
    const q = new Queue(queueOptions(run.kind));
    const data = { ...run, handle: q.handle };
    if (dir === 'worker->main') {
      const w = await startWorker('janus-put', data);
      return { pass: (n) => Promise.all([w.pass(n), mainGets(q, { ...run, n })]), workers: [w] };
    }
    if (dir === 'main->worker') {
      const w = await startWorker('janus-get', data);
      return { pass: (n) => Promise.all([w.pass(n), mainPuts(q, { ...run, n })]), workers: [w] };
    }
    return twoWorkers(['janus-put', data], ['janus-get', data]);
  }
  if (dir === 'worker->main') {
    const w = await startWorker('post-put', run);
    let got = 0;
    let want = 0;
    let all;
    w.on('message', (m) => m?.done || ((got += run.batch ? m.length : 1) === want && all()));
    const pass = (n) => {
      got = 0;
      want = n;
      return Promise.all([new Promise((resolve) => (all = resolve)), w.pass(n)]);
    };
    return { pass, workers: [w] };
  }
  if (dir === 'main->worker') {
    const w = await startWorker('post-get', run);
    const pass = (n) => {
      const took = w.pass(n);
      for (const x of sends({ ...run, n })) {
        if (!run.transfer) w.postMessage(x);
        else w.postMessage(x, run.batch ? x.map((y) => y.buffer) : [x.buffer]);
      }
      return took;
    };
    return { pass, workers: [w] };
  }
  const { port1, port2 } = new MessageChannel();
  return twoWorkers(['post-put', { ...run, port: port1 }, [port1]], ['post-get', { ...run, port: port2 }, [port2]]);
}

/** Worker -> worker: both started and ready; a pass lets both go and ends when the consumer is done. */
async function twoWorkers(producer, consumer) {
  const p = await startWorker(...producer);
  const c = await startWorker(...consumer);
  return { pass: (n) => Promise.all([c.pass(n), p.pass(n)]), workers: [p, c] };
}

/**
 * One run of `transport` in `dir`: a warm-up pass of run.n items, then a
 * timed pass of as many, through the same queue (or channel) and workers.
 * A fresh worker runs its first several thousand items in V8's interpreter
 * and baseline code; the round-trip, sync-fn and one-thread scenarios
 * already warmed up, and since the sixth round of Performance II these
 * do too. The warm-up pass is timed as well (`cold`: what this scenario
 * measured until then). Returns { rate: items/s, cpu: µs/item, cold: items/s }.
 */
async function once(dir, transport, run) {
  const { pass, workers } = await setUp(dir, transport, run);
  const cold = await timed(run.n, () => pass(run.n));
  const r = await timed(run.n, () => pass(run.n));
  await Promise.all(workers.map((w) => w.terminate()));
  return { ...r, cold: cold.rate };
}

/** Every direction × payload; janus-queue's targets are checked on worker -> main. */
export async function throughput() {
  await loadCodecs(); // the floors' codec, built once for the workers
  for (const dir of ['worker->main', 'main->worker', 'worker->worker']) {
    for (const kind of ['small', '1k', '64k']) {
      const n = N[kind];
      const batch = BATCH[kind];
      const variants = {
        janus: () => once(dir, 'janus', { kind, n }),
        janusBatch: () => once(dir, 'janus', { kind, n, batch }),
        post: () => once(dir, 'post', { kind, n }),
        postBatch: () => once(dir, 'post', { kind, n, batch }),
      };
      if (kind === '64k') variants.postTransfer = () => once(dir, 'post', { kind, n, transfer: true });
      if (kind !== 'small' && dir === 'worker->main') variants.janusView = () => once(dir, 'janus', { kind, n, view: true });
      if (dir === 'worker->main') {
        // The floors of the targets, in the same run (bench/lib/ring.mjs).
        variants.ring = () => once(dir, 'ring', { kind, n });
        variants.ringBatch = () => once(dir, 'ring', { kind, n, batch });
        if (kind === '64k') variants.ringView = () => once(dir, 'ring', { kind, n, view: true });
        if (kind !== 'small') variants.receiver = async () => receiverAlone({ kind, n });
      }
      const labels = {
        janus: 'janus-queue, one item per call',
        janusBatch: `janus-queue, putMany/getMany of ${batch}`,
        post: 'postMessage, one item per message',
        postBatch: `postMessage, arrays of ${batch}`,
        postTransfer: 'postMessage, transferring each buffer',
        janusView: 'janus-queue, putView / getView (zero-copy)',
        ring: `floor: bare ring${kind === 'small' ? ' + the default codec' : ', a fresh copy out'}, main takes synchronously`,
        ringBatch: `floor: the same, published every ${batch}`,
        ringView: 'floor: bare ring, written and read in place',
        receiver: 'the receiver alone (not a floor), a fresh copy of each item out of a ring filled beforehand',
      };
      const samples = await interleave(variants, REPS);
      const group = `throughput ${dir}, ${PAYLOAD_LABELS[kind]}`;
      const id = (v) => `tp/${dir}/${kind}/${v}`;
      for (const v of Object.keys(variants)) {
        record(id(v), { group, label: labels[v], unit: 'items/s', samples: samples[v].map((x) => x.rate) });
        record(`${id(v)}/cpu`, { group, label: `${labels[v]}, CPU`, unit: 'µs/item', better: 'lower', samples: samples[v].map((x) => x.cpu) });
        record(`${id(v)}/cold`, { group, label: `${labels[v]}, warm-up pass`, unit: 'items/s', samples: samples[v].map((x) => x.cold) });
      }
      printGroup(`${group} (${n} items after a warm-up pass of as many, median of ${REPS}; CPU: all threads)`, Object.keys(variants).flatMap((v) => [id(v), `${id(v)}/cpu`, `${id(v)}/cold`]));
      const w2m = dir === 'worker->main';
      const entries = [
        ratio(`${id('janus')}:post`, 'janus / postMessage', id('janus'), id('post'), w2m ? { small: ['>=', 3], '1k': ['>=', 5], '64k': ['>=', 2] }[kind] : undefined),
        ratio(`${id('janusBatch')}:postBatch`, 'janus batched / postMessage batched', id('janusBatch'), id('postBatch'), w2m ? { small: ['>=', 1.5], '1k': ['>=', 2] }[kind] : undefined),
      ];
      if (kind === '64k') entries.push(ratio(`${id('janus')}:postTransfer`, 'janus / postMessage transfer', id('janus'), id('postTransfer')));
      if (variants.janusView) entries.push(ratio(`${id('janusView')}:post`, 'janus zero-copy / postMessage', id('janusView'), id('post')));
      if (variants.janusView && kind === '64k') entries.push(ratio(`${id('janusView')}:postTransfer`, 'janus zero-copy / postMessage transfer', id('janusView'), id('postTransfer'), w2m ? ['>=', 3] : undefined));
      if (variants.ring) {
        entries.push(ratio(`${id('ring')}:post`, 'floor: bare ring / postMessage', id('ring'), id('post')));
        entries.push(ratio(`${id('ringBatch')}:postBatch`, 'floor: bare ring batched / postMessage batched', id('ringBatch'), id('postBatch')));
      }
      if (variants.receiver) {
        entries.push(ratio(`${id('receiver')}:post`, 'the receiver alone / postMessage', id('receiver'), id('post')));
        entries.push(ratio(`${id('receiver')}:postBatch`, 'the receiver alone / postMessage batched', id('receiver'), id('postBatch')));
      }
      if (variants.ringView) entries.push(ratio(`${id('ringView')}:postTransfer`, 'floor: bare ring in place / postMessage transfer', id('ringView'), id('postTransfer')));
      entries.push(ratio(`${id('janus')}/cold:post`, 'warm-up pass: janus / postMessage', `${id('janus')}/cold`, `${id('post')}/cold`));
      entries.push(ratio(`${id('janusBatch')}/cold:postBatch`, 'warm-up pass: janus batched / postMessage batched', `${id('janusBatch')}/cold`, `${id('postBatch')}/cold`));
      entries.push(ratio(`${id('janus')}/cpu:post`, 'janus / postMessage, CPU per item', `${id('janus')}/cpu`, `${id('post')}/cpu`));
      entries.push(ratio(`${id('janusBatch')}/cpu:postBatch`, 'janus batched / postMessage batched, CPU per item', `${id('janusBatch')}/cpu`, `${id('postBatch')}/cpu`));
      printRatios(entries);
    }
  }
}
