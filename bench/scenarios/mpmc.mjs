// MPMC scaling: P producer workers (syncQ.put) and C consumer workers
// (syncQ.get until shut down and drained), small objects, one queue. The
// machine may have fewer cores than threads: the figure shows what the lock
// and the wake-ups cost when threads share cores.
import { Queue } from 'janus-queue';
import { interleave, printGroup, printRatios, quick, ratio, record, size, startWorker } from '../lib/harness.mjs';
import { queueOptions } from '../lib/payloads.mjs';

const N = size(40000);
const REPS = quick ? 1 : 3;
const SHAPES = quick ? [[1, 1], [2, 2]] : [1, 2, 4].flatMap((p) => [1, 2, 4].map((c) => [p, c]));

async function once(p, c) {
  const q = new Queue(queueOptions('small'));
  const share = Math.floor(N / p);
  const producers = [];
  const consumers = [];
  for (let i = 0; i < p; i++) producers.push(await startWorker('janus-mpmc-put', { handle: q.handle, kind: 'small', n: share }));
  for (let i = 0; i < c; i++) consumers.push(await startWorker('janus-mpmc-get', { handle: q.handle }));
  const t0 = performance.now();
  for (const w of [...consumers, ...producers]) w.go();
  await Promise.all(producers.map((w) => w.done));
  q.shutdown(); // consumers drain what is left, then stop
  const got = (await Promise.all(consumers.map((w) => w.done))).reduce((a, m) => a + m.got, 0);
  const ms = performance.now() - t0;
  if (got !== share * p) throw new Error(`mpmc ${p}x${c}: got ${got} items of ${share * p}`);
  await Promise.all([...producers, ...consumers].map((w) => w.terminate()));
  return (share * p) / (ms / 1000);
}

export async function mpmc() {
  const name = ([p, c]) => `${p}x${c}`;
  const samples = await interleave(Object.fromEntries(SHAPES.map((s) => [name(s), () => once(...s)])), REPS);
  const ids = SHAPES.map((s) => `mpmc/${name(s)}`);
  for (const s of SHAPES)
    record(`mpmc/${name(s)}`, { group: 'mpmc', label: `${s[0]} producer(s) x ${s[1]} consumer(s)`, unit: 'items/s', samples: samples[name(s)] });
  printGroup(`MPMC, small objects, ${N} items in all, worker syncQ on every side (median of ${REPS})`, ids);
  printRatios(SHAPES.slice(1).map((s) => ratio(`mpmc/${name(s)}:1x1`, `${name(s)} / 1x1`, `mpmc/${name(s)}`, 'mpmc/1x1', ['2x2', '4x4'].includes(name(s)) ? ['>=', 0.8] : undefined)));
}
