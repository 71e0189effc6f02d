// A runtime without SharedArrayBuffer (what a browser gives a page that is not
// cross-origin isolated; test/browser.test.mjs checks that case in Chromium):
// importing still works, and making or attaching a queue is a TypeError that
// says why, not a ReferenceError.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';

const dist = new URL('../dist/index.js', import.meta.url).href;

it('without SharedArrayBuffer, new Queue() and attach throw a TypeError naming the COOP/COEP headers', () => {
  const script = `
    delete globalThis.SharedArrayBuffer;
    const { Queue, LifoQueue, PriorityQueue } = await import(${JSON.stringify(dist)});
    const out = {};
    for (const [name, make] of Object.entries({
      Queue: () => new Queue(),
      LifoQueue: () => new LifoQueue(),
      PriorityQueue: () => new PriorityQueue({ maxsize: 2 }),
      attach: () => PriorityQueue.attach({ janusQueue: 1, kind: 'priority', codec: 'structured', buffer: new ArrayBuffer(8) }),
    })) {
      try { make(); out[name] = 'returned'; } catch (e) { out[name] = e.constructor.name + ': ' + e.message; }
    }
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 }));
  const why = 'needs SharedArrayBuffer, which this context does not have. In a browser, the page must be cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  assert.ok(out.Queue.startsWith(`TypeError: janus-queue: new Queue() ${why}`), out.Queue);
  assert.ok(out.LifoQueue.startsWith(`TypeError: janus-queue: new LifoQueue() ${why}`), out.LifoQueue);
  assert.ok(out.PriorityQueue.startsWith(`TypeError: janus-queue: new PriorityQueue() ${why}`), out.PriorityQueue);
  assert.ok(out.attach.startsWith(`TypeError: janus-queue: PriorityQueue.attach() ${why}`), out.attach);
});
