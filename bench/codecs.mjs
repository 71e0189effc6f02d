// Codec cost per item: encode + decode of a small object with each built-in
// codec, against v8.serialize/deserialize and structuredClone, in one run.
// Run: npm run build && node bench/codecs.mjs
import v8 from 'node:v8';
import { Queue } from 'janus-queue';

const quick = process.argv.includes('--quick');
const N = quick ? 20000 : 200000;
const small = (i) => ({ id: i, name: `item-${i}`, payload: 'x'.repeat(64) });
const nested = (i) => ({ id: i, tags: ['a', 'b', 'c'], when: new Date(0), meta: { ok: true, score: 1.5, n: null } });

function perItem(fn) {
  fn(0); // warm
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn(i);
  return ((performance.now() - t0) * 1000) / N; // µs
}

function viaQueue(codec, make) {
  const q = new Queue({ codec });
  return (i) => {
    q.syncQ.putNowait(make(i));
    q.syncQ.getNowait();
  };
}

const rows = [];
for (const [label, make] of [['small object', small], ['nested object', nested]]) {
  const results = {};
  for (let rep = 0; rep < (quick ? 1 : 3); rep++) {
    const r = {
      'v8.serialize + deserialize': perItem((i) => v8.deserialize(v8.serialize(make(i)))),
      structuredClone: perItem((i) => structuredClone(make(i))),
      'queue put+get, structured': perItem(viaQueue('structured', make)),
      'queue put+get, json': label === 'small object' ? perItem(viaQueue('json', make)) : NaN,
    };
    for (const [k, v] of Object.entries(r)) (results[k] ??= []).push(v);
  }
  for (const [k, v] of Object.entries(results)) rows.push([label, k, v.sort((a, b) => a - b)[v.length >> 1]]);
}
console.log('codec cost per item, µs (median of runs; the queue rows include the whole put + get)');
for (const [label, k, v] of rows) console.log(`  ${label.padEnd(14)} ${k.padEnd(28)} ${Number.isNaN(v) ? '-' : v.toFixed(2)}`);
