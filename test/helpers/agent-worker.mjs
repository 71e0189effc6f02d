// A worker that attaches a queue and runs the commands the test sends, one
// at a time, in order: calls on either face, and barriers. It reports every
// result (or error name and message) back.
import { parentPort, workerData } from 'node:worker_threads';
import * as janus from 'janus-queue';
import { CODECS } from './codecs.mjs';
import { untilWaitersSync } from './waiters.mjs';

const { handle, className, codec } = workerData;
const q = janus[className].attach(handle, codec ? { codec: CODECS[codec] } : undefined);
const log = workerData.log ? new Int32Array(workerData.log) : undefined;

async function run({ face, op, args = [] }) {
  switch (op) {
    case 'untilWaiters':
      return untilWaitersSync(handle, args[0], args[1]);
    case 'log': // append a step to the shared step log
      return log[1 + Atomics.add(log, 0, 1)] = args[0];
    case 'getAll': {
      const out = [];
      for (let i = 0; i < args[0]; i++) out.push(face === 'sync' ? q.syncQ.get() : await q.asyncQ.get());
      return out;
    }
    case 'putAll':
      for (const item of args[0]) face === 'sync' ? q.syncQ.put(item) : await q.asyncQ.put(item);
      return args[0].length;
    case 'drainWithTaskDone': {
      // get until shut down, calling taskDone for each item
      const out = [];
      const it = face === 'sync' ? q.syncQ : q.asyncQ;
      for await (const item of it) {
        out.push(item);
        it.taskDone();
      }
      return out;
    }
    case 'pollUntilShutDown': {
      // poll with getNowait ('nowait') or get({ timeout: 1 }) until shut down
      const out = [];
      const nap = new Int32Array(new SharedArrayBuffer(4));
      for (;;) {
        try {
          out.push(args[0] === 'nowait' ? q.syncQ.getNowait() : q.syncQ.get({ timeout: 1 }));
        } catch (e) {
          if (e.name === 'QueueShutDown') return out;
          if (e.name !== 'QueueEmpty') throw e;
          if (args[0] === 'nowait') Atomics.wait(nap, 0, 0, 0.1); // be polite to the other threads
        }
      }
    }
    case 'readStream': { // read asyncQ.readable() to its end
      const out = [];
      for await (const item of q.asyncQ.readable()) out.push(item);
      return out;
    }
    case 'writeStream': // pipe the items into asyncQ.writable() (which shuts the queue down at the end)
      await ReadableStream.from(args[0]).pipeTo(q.asyncQ.writable());
      return args[0].length;
    case 'dispose': // what `using q = Queue.attach(…)` does at the end of its scope
      return q[Symbol.dispose]();
    case 'state':
      return { qsize: q.syncQ.qsize(), unfinished: q.syncQ.unfinishedTasks, closed: q.closed };
  }
  const target = face === 'sync' ? q.syncQ : face === 'async' ? q.asyncQ : q;
  return await target[op](...args);
}

let chain = Promise.resolve();
parentPort.on('message', (msg) => {
  chain = chain.then(async () => {
    try {
      const value = await run(msg);
      parentPort.postMessage({ id: msg.id, ok: true, value });
    } catch (e) {
      parentPort.postMessage({ id: msg.id, ok: false, error: { name: e?.name, message: e?.message } });
    }
  });
});
parentPort.postMessage({ ready: true });
