// MPMC scaling: P producer workers (syncQ.put) and C consumer workers
// (syncQ.get until shut down and drained), small objects, one queue. The
// machine may have fewer cores than threads: the figure shows what the lock
// and the wake-ups cost when threads share cores.
import { Queue } from 'janus-queue';
import { interleave, printGroup, printRatios, quick, ratio, record, size, startWorker } from '../lib/harness.mjs';
import { queueOptions } from '../lib/payloads.mjs';
import { LockedRing } from '../lib/locked-ring.mjs';
import { loadCodecs } from '../lib/codecs.mjs';

const N = size(40000);
const REPS = quick ? 1 : 3;
const SHAPES = quick ? [[1, 1], [2, 2]] : [1, 2, 4].flatMap((p) => [1, 2, 4].map((c) => [p, c]));
/** The floor's shapes (bench/lib/locked-ring.mjs: one lock, a ring of slots, futex sleeps; the same codec outside the lock). */
const FLOOR_SHAPES = quick ? [[1, 1], [2, 2]] : [[1, 1], [2, 2], [4, 4]];

async function once(p, c, floor = false) {
  const q = floor ? undefined : new Queue(queueOptions('small'));
  const ring = floor ? LockedRing.create(1024) : undefined;
  const shared = floor ? { ring } : { handle: q.handle };
  const share = Math.floor(N / p);
  const producers = [];
  const consumers = [];
  for (let i = 0; i < p; i++) producers.push(await startWorker(floor ? 'floor-mpmc-put' : 'janus-mpmc-put', { ...shared, kind: 'small', n: share }));
  for (let i = 0; i < c; i++) consumers.push(await startWorker(floor ? 'floor-mpmc-get' : 'janus-mpmc-get', shared));
  const t0 = performance.now();
  for (const w of [...consumers, ...producers]) w.go();
  await Promise.all(producers.map((w) => w.done));
  if (floor) new LockedRing(ring).close();
  else q.shutdown(); // consumers drain what is left, then stop
  const got = (await Promise.all(consumers.map((w) => w.done))).reduce((a, m) => a + m.got, 0);
  const ms = performance.now() - t0;
  if (got !== share * p) throw new Error(`mpmc ${p}x${c}: got ${got} items of ${share * p}`);
  await Promise.all([...producers, ...consumers].map((w) => w.terminate()));
  return (share * p) / (ms / 1000);
}

export async function mpmc() {
  await loadCodecs(); // the floor's codec, built once for the workers
  const name = ([p, c]) => `${p}x${c}`;
  const variants = Object.fromEntries(SHAPES.map((s) => [name(s), () => once(...s)]));
  for (const s of FLOOR_SHAPES) variants[`floor/${name(s)}`] = () => once(...s, true);
  const samples = await interleave(variants, REPS);
  const ids = SHAPES.map((s) => `mpmc/${name(s)}`);
  for (const s of SHAPES)
    record(`mpmc/${name(s)}`, { group: 'mpmc', label: `${s[0]} producer(s) x ${s[1]} consumer(s)`, unit: 'items/s', samples: samples[name(s)] });
  for (const s of FLOOR_SHAPES) {
    record(`mpmc/floor/${name(s)}`, { group: 'mpmc', label: `floor: bare locked ring, ${s[0]} x ${s[1]}`, unit: 'items/s', samples: samples[`floor/${name(s)}`] });
    ids.push(`mpmc/floor/${name(s)}`);
  }
  printGroup(`MPMC, small objects, ${N} items in all, worker syncQ on every side (median of ${REPS})`, ids);
  printRatios([
    ...SHAPES.slice(1).map((s) => ratio(`mpmc/${name(s)}:1x1`, `${name(s)} / 1x1`, `mpmc/${name(s)}`, 'mpmc/1x1', ['2x2', '4x4'].includes(name(s)) ? ['>=', 0.8] : undefined)),
    ...FLOOR_SHAPES.slice(1).map((s) => ratio(`mpmc/floor/${name(s)}:1x1`, `floor: ${name(s)} / 1x1`, `mpmc/floor/${name(s)}`, 'mpmc/floor/1x1')),
  ]);
}
