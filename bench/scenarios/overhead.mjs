// The overhead floor, one thread, nothing contended: putNowait + getNowait
// against a plain array used as a queue (push + shift), per item; and the
// cost of each built-in codec alone (encode + decode) against v8.serialize
// and structuredClone.
import v8 from 'node:v8';
import { Queue } from 'janus-queue';
import { interleave, printGroup, printRatios, quick, ratio, record, size } from '../lib/harness.mjs';
import { smallObject } from '../lib/payloads.mjs';
import { loadCodecs } from '../lib/codecs.mjs';

const N = size(200000, 2000);
const REPS = quick ? 1 : 5;

/** µs per call of fn(i), after a warm-up. */
function perItem(fn) {
  for (let i = 0; i < 2000; i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn(i);
  return ((performance.now() - t0) * 1000) / N;
}

const bytes1k = new Uint8Array(1024).fill(7);
const nested = (i) => ({ id: i, tags: ['a', 'b', 'c'], when: new Date(0), meta: { ok: true, score: 1.5, n: null } });

function queueLoop(options, make) {
  const q = new Queue(options);
  return (i) => {
    q.syncQ.putNowait(make(i));
    q.syncQ.getNowait();
  };
}

function arrayLoop(make, copy) {
  const a = [];
  return (i) => {
    a.push(copy ? make(i).slice() : make(i));
    a.shift();
  };
}

export async function overhead() {
  const floor = {
    queueSmall: () => perItem(queueLoop({}, smallObject)),
    arraySmall: () => perItem(arrayLoop(smallObject)),
    queue1k: () => perItem(queueLoop({ codec: 'bytes' }, () => bytes1k)),
    array1k: () => perItem(arrayLoop(() => bytes1k, true)),
  };
  const s = await interleave(floor, REPS);
  const L = {
    queueSmall: 'janus putNowait+getNowait, small object',
    arraySmall: 'plain array push+shift, small object',
    queue1k: 'janus putNowait+getNowait, 1 KiB bytes',
    array1k: 'plain array push+shift of a 1 KiB copy',
  };
  for (const k of Object.keys(floor)) record(`st/${k}`, { group: 'single thread', label: L[k], unit: 'µs/item', better: 'lower', samples: s[k] });
  printGroup(`single thread, uncontended, ${N} items (median of ${REPS})`, Object.keys(floor).map((k) => `st/${k}`));
  printRatios([
    ratio('st/small:array', 'janus / array, small object (time)', 'st/queueSmall', 'st/arraySmall', ['<=', 5]),
    ratio('st/1k:array', 'janus / array, 1 KiB (time)', 'st/queue1k', 'st/array1k'),
  ]);

  const codecs = await loadCodecs();
  // As in the queue: the encoded bytes are copied into shared memory and out
  // into the decoder's reused scratch buffer (a fresh copy only for the
  // codecs that keep their bytes: bytes and custom), then decoded.
  // encodeLen: the bytes at the start of the codec's `out`, no view made;
  // decode(scratch, len) reads the start of the scratch buffer, as the queue's
  // get does (src/items.ts, src/records.ts).
  const scratch = new Uint8Array(1 << 16);
  const roundTrip = (c, v) => () =>
    perItem((i) => {
      const n = c.encodeLen(v(i), 1 << 20);
      if (c === codecs.bytes) return c.decode(c.out.slice(0, n));
      scratch.set(c.out.subarray(0, n));
      return c.decode(scratch, n);
    });
  // The targets' round trips each through a call site of its own, as
  // structuredClone's is: one shared by every codec (roundTrip above) sees
  // four codec objects and dispatches slowly, which a queue, whose call sites
  // see its own codec, does not (it made the structured codec's figure 1.00x
  // instead of about 0.75x in the first runs of 2026-12-04).
  const sc = codecs.structured;
  const structuredOwn = (v) => () =>
    perItem((i) => {
      const n = sc.encodeLen(v(i), 1 << 20);
      scratch.set(sc.out.subarray(0, n));
      return sc.decode(scratch, n);
    });
  const cost = {
    structuredSmall: structuredOwn(smallObject),
    structuredNested: structuredOwn(nested),
    jsonSmall: roundTrip(codecs.json, smallObject),
    stringSmall: roundTrip(codecs.string, (i) => smallObject(i).payload),
    bytes1k: roundTrip(codecs.bytes, () => bytes1k),
    v8Small: () => perItem((i) => v8.deserialize(v8.serialize(smallObject(i)))),
    v8Nested: () => perItem((i) => v8.deserialize(v8.serialize(nested(i)))),
    cloneSmall: () => perItem((i) => structuredClone(smallObject(i))),
    cloneNested: () => perItem((i) => structuredClone(nested(i))),
  };
  // The codec's floor: a codec written for this one object and nothing else
  // (no tags, no shapes, no checks; the same copy through a scratch buffer, and
  // the same native UTF-8 calls for the strings). No general codec can beat it.
  const floorBuf = new Uint8Array(1 << 16);
  const utf8Write = Buffer.prototype.utf8Write;
  const utf8Slice = Buffer.prototype.utf8Slice;
  const floorString = (s, p) => {
    const n = utf8Write.call(floorBuf, s, p + 1, 255);
    floorBuf[p] = n;
    return p + 1 + n;
  };
  cost.floorSmall = () =>
    perItem((i) => {
      const o = smallObject(i);
      const id = o.id;
      floorBuf[0] = id;
      floorBuf[1] = id >> 8;
      floorBuf[2] = id >> 16;
      floorBuf[3] = id >> 24;
      const end = floorString(o.payload, floorString(o.name, 4));
      scratch.set(floorBuf.subarray(0, end));
      const b = scratch;
      const nameLen = b[4];
      const payloadAt = 6 + nameLen;
      return { id: b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24), name: utf8Slice.call(b, 5, 5 + nameLen), payload: utf8Slice.call(b, payloadAt, payloadAt + b[payloadAt - 1]) };
    });
  const c = await interleave(cost, REPS);
  const CL = {
    structuredSmall: "'structured' (default), small object",
    structuredNested: "'structured', nested object (array, Date, null)",
    jsonSmall: "'json', small object",
    stringSmall: "'string', 64 chars",
    bytes1k: "'bytes', 1 KiB (one copy out)",
    v8Small: 'v8.serialize + deserialize, small object',
    v8Nested: 'v8.serialize + deserialize, nested object',
    cloneSmall: 'structuredClone (no bytes), small object',
    cloneNested: 'structuredClone (no bytes), nested object',
    floorSmall: 'floor: a codec made for this object alone, small object',
  };
  for (const k of Object.keys(cost)) record(`codec/${k}`, { group: 'codec', label: CL[k], unit: 'µs/item', better: 'lower', samples: c[k] });
  printGroup(`codec cost per item, encode + decode (median of ${REPS})`, Object.keys(cost).map((k) => `codec/${k}`));
  printRatios([
    ratio('codec/structured:v8', "'structured' / v8.serialize, small (time)", 'codec/structuredSmall', 'codec/v8Small'),
    ratio('codec/structuredNested:v8', "'structured' / v8.serialize, nested (time)", 'codec/structuredNested', 'codec/v8Nested'),
    // The floor of the single-thread target (<= 5x an array): the codec alone
    // against push + shift of the same object, in this run.
    ratio('codec/structured:array', "'structured' encode + decode alone / array push+shift, small (time)", 'codec/structuredSmall', 'st/arraySmall'),
    ratio('codec/structured:clone', "'structured' / structuredClone, small (time)", 'codec/structuredSmall', 'codec/cloneSmall', ['<=', 0.5]),
    ratio('codec/structuredNested:clone', "'structured' / structuredClone, nested (time)", 'codec/structuredNested', 'codec/cloneNested', ['<=', 0.7]),
    ratio('codec/floor:clone', 'floor: a codec for this object alone / structuredClone, small (time)', 'codec/floorSmall', 'codec/cloneSmall'),
  ]);
}
