// What a queue costs in resident memory, not in address space: 500 queues,
// RSS per queue when created, with 5 small items in each, and after items of
// 10 KB have passed through each (node --expose-gc bench/footprint.mjs).
// A queue's SharedArrayBuffer reserves maxBytes of arena (1 MiB by default)
// plus a 16.2 KiB fixed part, but the system backs a page only once it is
// written, and the ring restarts at offset 0 whenever it empties.
import { execFileSync } from 'node:child_process';
import { Queue } from '../dist/index.js';

const N = 500;
const rss = () => (globalThis.gc?.(), process.memoryUsage().rss);
// Each case in a process of its own, so one does not count the other's garbage.
const only = process.argv[2];
if (only === undefined) {
  for (const c of ['{}', '{"maxsize":5}']) process.stdout.write(execFileSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, c]));
  process.exit(0);
}
for (const options of [JSON.parse(only)]) {
  const keep = [];
  const r0 = rss();
  for (let i = 0; i < N; i++) keep.push(new Queue(options));
  const r1 = rss();
  for (const q of keep) for (let k = 0; k < 5; k++) q.syncQ.put({ id: k, name: 'x', payload: 'y'.repeat(64) });
  const r2 = rss();
  for (const q of keep) for (let k = 0; k < 5; k++) q.syncQ.get();
  for (let round = 0; round < 3; round++)
    for (const q of keep) {
      for (let k = 0; k < 5; k++) q.syncQ.put({ big: 'z'.repeat(10000) });
      for (let k = 0; k < 5; k++) q.syncQ.get();
    }
  const r3 = rss();
  const kib = (r) => `${((r - r0) / N / 1024).toFixed(1)} KiB`;
  console.log(`new Queue(${only === '{}' ? '' : only}): buffer ${(keep[0].handle.buffer.byteLength / 1024).toFixed(0)} KiB reserved; resident per queue: created ${kib(r1)}, with 5 small items ${kib(r2)}, after 15 items of 10 KB ${kib(r3)}`);
}
