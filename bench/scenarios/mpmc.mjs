// MPMC scaling: P producer workers (syncQ.put) and C consumer workers
// (syncQ.get until shut down and drained), small objects, one queue. The
// machine may have fewer cores than threads: the figure shows what the lock
// and the wake-ups cost when threads share cores. Each run warms its workers
// up through the same queue first (as the round-trip, sync-fn and one-thread
// scenarios do): a fresh worker runs its first several thousand items in
// V8's interpreter, and with four or eight fresh workers on two cores that,
// not the lock, is most of a cold pass. The warm-up pass is reported too.
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
/** The shapes with a target (issue "Performance II": at least 0.8 of 1 x 1). */
const TARGETED = ['2x2', '4x4'];

/**
 * One run: P producers and C consumers started, then two passes through the
 * same queue and workers, each of N items in all (N / P per producer). The
 * warm-up pass ends with C nulls (empty records for the floor), which stop
 * the consumers; the timed pass with shutdown (close), after which the
 * consumers drain. Returns both passes' items/s: the first is fresh
 * workers' code warming up (what this scenario measured until the sixth
 * round of Performance II), the second the steady state.
 */
async function once(p, c, floor = false) {
  const q = floor ? undefined : new Queue(queueOptions('small'));
  const ring = floor ? LockedRing.create(1024) : undefined;
  const shared = floor ? { ring } : { handle: q.handle };
  const share = Math.floor(N / p);
  const producers = [];
  const consumers = [];
  for (let i = 0; i < p; i++) producers.push(await startWorker(floor ? 'floor-mpmc-put' : 'janus-mpmc-put', { ...shared, kind: 'small', n: share }));
  for (let i = 0; i < c; i++) consumers.push(await startWorker(floor ? 'floor-mpmc-get' : 'janus-mpmc-get', shared));
  const pass = async (n, end) => {
    const t0 = performance.now();
    const took = consumers.map((w) => w.pass());
    await Promise.all(producers.map((w) => w.pass(n)));
    await end();
    const got = (await Promise.all(took)).reduce((a, m) => a + m.got, 0);
    const ms = performance.now() - t0;
    if (got !== n * p) throw new Error(`mpmc ${p}x${c}: got ${got} items of ${n * p}`);
    return (n * p) / (ms / 1000);
  };
  const stops = async () => {
    for (let i = 0; i < c; i++) {
      if (floor) new LockedRing(ring).put(new Uint8Array(0));
      else await q.asyncQ.put(null);
    }
  };
  const cold = await pass(share, stops);
  // The consumers drain what is left, then stop.
  const warm = await pass(share, async () => (floor ? new LockedRing(ring).close() : q.shutdown()));
  await Promise.all([...producers, ...consumers].map((w) => w.terminate()));
  return { warm, cold };
}

export async function mpmc() {
  await loadCodecs(); // the floor's codec, built once for the workers
  const name = ([p, c]) => `${p}x${c}`;
  const variants = Object.fromEntries(SHAPES.map((s) => [name(s), () => once(...s)]));
  for (const s of FLOOR_SHAPES) variants[`floor/${name(s)}`] = () => once(...s, true);
  const samples = await interleave(variants, REPS);
  const ids = [];
  const rec = (id, label, key) => {
    record(id, { group: 'mpmc', label, unit: 'items/s', samples: samples[key].map((x) => x.warm) });
    record(`${id}/cold`, { group: 'mpmc', label: `${label}, warm-up pass`, unit: 'items/s', samples: samples[key].map((x) => x.cold) });
    ids.push(id, `${id}/cold`);
  };
  for (const s of SHAPES) rec(`mpmc/${name(s)}`, `${s[0]} producer(s) x ${s[1]} consumer(s)`, name(s));
  for (const s of FLOOR_SHAPES) rec(`mpmc/floor/${name(s)}`, `floor: bare locked ring, ${s[0]} x ${s[1]}`, `floor/${name(s)}`);
  printGroup(`MPMC, small objects, worker syncQ on every side (median of ${REPS}): ${N} items in all, after a warm-up pass of as many through the same queue and workers`, ids);
  printRatios([
    ...SHAPES.slice(1).map((s) => ratio(`mpmc/${name(s)}:1x1`, `${name(s)} / 1x1`, `mpmc/${name(s)}`, 'mpmc/1x1', TARGETED.includes(name(s)) ? ['>=', 0.8] : undefined)),
    ...FLOOR_SHAPES.slice(1).map((s) => ratio(`mpmc/floor/${name(s)}:1x1`, `floor: ${name(s)} / 1x1`, `mpmc/floor/${name(s)}`, 'mpmc/floor/1x1')),
    ...SHAPES.map(name).filter((s) => TARGETED.includes(s)).map((s) => ratio(`mpmc/${s}/cold:1x1`, `warm-up pass: ${s} / 1x1`, `mpmc/${s}/cold`, 'mpmc/1x1/cold')),
    ...FLOOR_SHAPES.slice(1).map((s) => ratio(`mpmc/floor/${name(s)}/cold:1x1`, `warm-up pass, floor: ${name(s)} / 1x1`, `mpmc/floor/${name(s)}/cold`, 'mpmc/floor/1x1/cold')),
  ]);
}
