// The uncontended hot path: putNowait + getNowait in one thread, with the
// bytes codec (16 bytes: the least work per item, so the largest share for
// the lock and the checks) and the default codec (a small object); and a
// putMany of 100 small objects (made fresh for each batch) + getMany(100),
// per item; and 64 KiB with the bytes codec. Given two builds it alternates
// them in one process and prints both and their ratio:
//   node bench/hotpath.mjs                       (this build)
//   node bench/hotpath.mjs /old/dist/index.js    (old build vs this one)
// The figure is the minimum of 21 runs: on a shared machine the minimum is
// the steadiest.
const paths = [process.argv[2], new URL('../dist/index.js', import.meta.url).href].filter(Boolean);
const builds = await Promise.all(paths.map((p) => import(p.startsWith('/') ? `file://${p}` : p)));
const small = (i) => ({ id: i, name: `item-${i}`, payload: 'x'.repeat(64) });
const one = (item) => (q) => {
  q.syncQ.putNowait(item);
  q.syncQ.getNowait();
};
const BATCH = 100;
const batched = (q, i) => {
  const batch = new Array(BATCH);
  for (let j = 0; j < BATCH; j++) batch[j] = small(i * BATCH + j);
  q.syncQ.putMany(batch);
  q.syncQ.getMany(BATCH);
};
// [name, queue options, one step, steps per run, items per step]
const cases = [
  ['bytes codec, 16 bytes', { codec: 'bytes', maxBytes: 4096 }, one(new Uint8Array(16)), 300000, 1],
  ['default codec, small object', { maxBytes: 4096 }, one(small(1)), 100000, 1],
  ['putMany(100) + getMany(100), small objects made fresh, per item', { maxBytes: 1 << 16 }, batched, 1000, BATCH],
  // A large get: the one copy into the array readied after the last one (docs/semantics.md, "Large gets").
  ['bytes codec, 64 KiB', { codec: 'bytes', maxBytes: 1 << 20 }, one(new Uint8Array(65536).fill(7)), 5000, 1],
];
for (const [name, options, step, n, per] of cases) {
  const best = builds.map(() => Infinity);
  for (let rep = 0; rep < 21; rep++) {
    const order = rep % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
    for (const b of order) {
      const q = new builds[b].Queue(options);
      const t = performance.now();
      for (let i = 0; i < n; i++) step(q, i);
      best[b] = Math.min(best[b], ((performance.now() - t) * 1000) / (n * per));
    }
  }
  const figures = best.map((us, b) => `${builds.length > 1 ? (b === 0 ? 'given ' : 'this ') : ''}${us.toFixed(3)} µs`).join('  ');
  console.log(`put+get, ${name}: ${figures}${builds.length > 1 ? `  ratio ${(best[1] / best[0]).toFixed(2)}` : ''}`);
}
