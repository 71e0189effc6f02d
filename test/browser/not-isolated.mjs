// Served without COOP/COEP: the page is not cross-origin isolated, so the
// browser hides SharedArrayBuffer. Importing the library must still work (no
// side effects on import); making or attaching a queue must say why it cannot.
import { LifoQueue, PriorityQueue, Queue } from '/dist/index.js';

const out = { crossOriginIsolated, sharedArrayBuffer: typeof SharedArrayBuffer };
const attempts = {
  Queue: () => new Queue(),
  LifoQueue: () => new LifoQueue({ maxsize: 4 }),
  PriorityQueue: () => new PriorityQueue(),
  attach: () => Queue.attach({ janusQueue: 1, kind: 'fifo', codec: 'structured', buffer: new ArrayBuffer(64) }),
};
for (const [name, make] of Object.entries(attempts)) {
  try {
    make();
    out[name] = 'returned';
  } catch (e) {
    out[name] = { ctor: e?.constructor?.name, message: String(e?.message) };
  }
}
window.__result = out;
