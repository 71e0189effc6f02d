// Memory on the hot path: bytes allocated per item by putNowait + getNowait,
// against what the decoded value alone takes (codec.decode of the same bytes,
// or a fresh Uint8Array for the bytes codec), and what stays allocated after
// a full GC. Needs --expose-gc, so it runs in a child process:
// run.mjs spawns `node --expose-gc bench/scenarios/memory.mjs --child`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { printGroup, quick, record, size } from '../lib/harness.mjs';

const BLOCK = 1000;
let sink;

/**
 * Bytes allocated per call of fn (awaited if it returns a promise): the heap (and external) growth over
 * blocks of BLOCK calls, counting only blocks during which no GC ran (the
 * heap did not shrink), over `n` calls in all. Also what a full GC leaves.
 */
async function allocation(fn, n) {
  for (let i = 0; i < 10 * BLOCK; i++) {
    // warm: optimised code, scratch buffers grown
    sink = fn(i);
    if (sink instanceof Promise) sink = await sink;
  }
  globalThis.gc();
  const start = v8.getHeapStatistics();
  let heap = 0;
  let external = 0;
  let counted = 0;
  for (let done = 0; done < n; done += BLOCK) {
    const a = v8.getHeapStatistics();
    for (let i = 0; i < BLOCK; i++) {
      sink = fn(done + i); // kept, so the optimiser cannot drop the value
      if (sink instanceof Promise) sink = await sink;
    }
    const b = v8.getHeapStatistics();
    const dh = b.used_heap_size - a.used_heap_size;
    const de = b.external_memory - a.external_memory;
    if (dh < 0 || de < 0) continue; // a GC ran inside the block
    heap += dh;
    external += de;
    counted++;
  }
  globalThis.gc();
  const end = v8.getHeapStatistics();
  const perItem = (x) => x / (counted * BLOCK);
  return {
    heap: perItem(heap),
    external: perItem(external),
    retained: (end.used_heap_size + end.external_memory - start.used_heap_size - start.external_memory) / n,
    blocks: counted,
  };
}

async function child() {
  const { Queue } = await import('janus-queue');
  const { loadCodecs } = await import('../lib/codecs.mjs');
  const { smallObject } = await import('../lib/payloads.mjs');
  const codecs = await loadCodecs({ build: false }); // the parent built it
  const n = size(1000000, 50000);
  const item = smallObject(1);
  const encoded = codecs.structured.encode(item, 1 << 20).slice();
  const b1k = new Uint8Array(1024).fill(7);
  const qs = new Queue();
  const qb = new Queue({ codec: 'bytes' });
  const out = {
    queueSmall: await allocation(() => {
      qs.syncQ.putNowait(item);
      return qs.syncQ.getNowait();
    }, n),
    asyncSmall: await allocation(() => {
      qs.asyncQ.putNowait(item);
      return qs.asyncQ.get();
    }, n),
    decodeSmall: await allocation(() => codecs.structured.decode(encoded), n),
    queue1k: await allocation(() => {
      qb.syncQ.putNowait(b1k);
      return qb.syncQ.getNowait();
    }, n),
    fresh1k: await allocation(() => new Uint8Array(1024), n),
  };
  process.stdout.write(JSON.stringify({ n, out }));
}

const LABELS = {
  queueSmall: 'syncQ putNowait+getNowait, small object',
  asyncSmall: 'asyncQ putNowait + await get(), small object',
  decodeSmall: "the decoded value alone ('structured' decode)",
  queue1k: 'syncQ putNowait+getNowait, 1 KiB bytes',
  fresh1k: 'the decoded value alone (new Uint8Array(1024))',
};

export async function memory() {
  await (await import('../lib/codecs.mjs')).loadCodecs();
  const script = fileURLToPath(import.meta.url);
  const args = ['--expose-gc', script, '--child', ...(quick ? ['--quick'] : [])];
  const { n, out } = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  const ids = [];
  for (const [k, m] of Object.entries(out)) {
    record(`mem/${k}`, { group: 'memory', label: `${LABELS[k]}, heap + external`, unit: 'bytes/item', better: 'lower', samples: [m.heap + m.external], extra: m });
    record(`mem/${k}/retained`, { group: 'memory', label: `${LABELS[k]}, retained after GC`, unit: 'bytes/item', better: 'lower', samples: [m.retained] });
    ids.push(`mem/${k}`, `mem/${k}/retained`);
  }
  printGroup(`memory per item, ${n} items, --expose-gc heap deltas over blocks of ${BLOCK} without a GC`, ids);
  const own = (q, v) => out[q].heap + out[q].external - out[v].heap - out[v].external;
  console.log(`  the queue's own allocation per item: small object ${own('queueSmall', 'decodeSmall').toFixed(1)} B (asyncQ, with its promise: ${own('asyncSmall', 'decodeSmall').toFixed(1)} B), 1 KiB ${own('queue1k', 'fresh1k').toFixed(1)} B`);
}

if (process.argv.includes('--child')) await child();
