// The portable suite: runs unchanged with `node`, `bun` and `deno run -A`
// (from the package root, after `npm run build`):
//   node test/runtimes/suite.mjs
// Every cross-thread check runs with each kind of worker the runtime offers
// (roles.mjs is the worker side); the checks of one thread are in local.mjs.
// Prints a line per check and `N passed, N failed`; exits 1 on a failure.
import assert from 'node:assert/strict';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
import { createSyncFnHandle, serveAsync } from 'janus-queue/sync-fn';
import { describeValue, richValue } from '../browser/describe-value.mjs';
import { CODECS } from '../helpers/codecs.mjs';
import { GETTERS, PUTTERS, waiterCount } from '../helpers/waiters.mjs';
import { WORKER_KINDS, check, notAvailable, run, spawn, until } from './harness.mjs';
import { localChecks } from './local.mjs';

const T = { timeout: 20000 };
const count = (n) => [...Array(n).keys()];
const sorted = (a) => [...a].sort((x, y) => x - y);

/** Runs `f(workers)` with the workers started, and always stops them. */
async function withWorkers(starts, f) {
  const workers = [];
  try {
    for (const [kind, role, data] of starts) workers.push(spawn(kind, role, data));
    return await f(workers);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

for (const kind of WORKER_KINDS) {
  check(`${kind}: the worker's syncQ.put (backpressure at 4) feeds the main thread's for await over asyncQ; its shutdown ends the loop`, async () => {
    const q = new Queue({ maxsize: 4 });
    await withWorkers([[kind, 'produce', { h: q.handle, n: 200, face: 'syncQ', shutdown: true }]], async ([w]) => {
      const got = [];
      for await (const x of q.asyncQ) got.push(x);
      assert.deepEqual(got, count(200));
      await w.result;
    });
  });

  check(`${kind}: the main thread's asyncQ.put feeds the worker's syncQ.get with taskDone; asyncQ.join resolves true; shutdown ends the worker`, async () => {
    const q = new Queue({ maxsize: 3 });
    await withWorkers([[kind, 'consume', { h: q.handle, face: 'syncQ' }]], async ([w]) => {
      for (let i = 0; i < 100; i++) await q.asyncQ.put(i, T);
      assert.equal(await q.asyncQ.join(T), true);
      q.shutdown();
      assert.deepEqual(await w.result, count(100));
    });
  });

  check(`${kind}: the other way round: the main thread blocks in syncQ (put, join, get) while the worker uses asyncQ`, async () => {
    const jobs = new Queue({ maxsize: 2 });
    const back = new Queue({ maxsize: 2 });
    await withWorkers(
      [
        [kind, 'consume', { h: jobs.handle, face: 'asyncQ' }],
        [kind, 'produce', { h: back.handle, n: 50, face: 'asyncQ' }],
      ],
      async ([consumer, producer]) => {
        for (let i = 0; i < 50; i++) jobs.syncQ.put(i, T);
        assert.equal(jobs.syncQ.join(T), true);
        jobs.syncQ.shutdown();
        assert.deepEqual(Array.from({ length: 50 }, () => back.syncQ.get(T)), count(50));
        assert.deepEqual(await consumer.result, count(50));
        await producer.result;
      },
    );
  });

  check(`${kind}: LIFO and priority queues give their order across threads`, async () => {
    const lifo = new LifoQueue();
    const prio = new PriorityQueue();
    for (let i = 0; i < 5; i++) lifo.syncQ.put(i);
    for (const pair of [[3, 'c'], [1, 'a'], [2, 'b'], [1, 'a2']]) prio.syncQ.put(pair);
    await withWorkers([[kind, 'drain', { handles: [lifo.handle, prio.handle] }]], async ([w]) => {
      assert.deepEqual(await w.result, [[4, 3, 2, 1, 0], [[1, 'a'], [1, 'a2'], [2, 'b'], [3, 'c']]]);
    });
  });

  check(`${kind}: shutdown wakes the worker blocked in syncQ.get and in syncQ.put with QueueShutDown`, async () => {
    const empty = new Queue();
    const full = new Queue({ maxsize: 1 });
    full.syncQ.put('first');
    await withWorkers([[kind, 'blocked', { empty: empty.handle, full: full.handle }]], async ([w]) => {
      await until(() => waiterCount(empty.handle, GETTERS) === 1, 'the worker blocks in get');
      empty.shutdown();
      await until(() => waiterCount(full.handle, PUTTERS) === 1, 'the worker blocks in put');
      full.shutdown();
      assert.deepEqual(await w.result, ['QueueShutDown', 'QueueShutDown']);
      assert.equal(await full.asyncQ.get(T), 'first'); // shutdown(false) keeps what is there
    });
  });

  check(`${kind}: timeouts (both faces) and an AbortSignal in the worker change nothing`, async () => {
    const empty = new Queue();
    const full = new Queue({ maxsize: 1 });
    full.syncQ.put('kept');
    await withWorkers([[kind, 'timeouts', { empty: empty.handle, full: full.handle }]], async ([w]) => {
      assert.deepEqual(await w.result, ['QueueEmpty', 'QueueFull', 'QueueEmpty', 'QueueFull', 'AbortError', [0, 1]]);
      assert.equal(waiterCount(empty.handle, GETTERS) + waiterCount(full.handle, PUTTERS), 0);
    });
  });

  check(`${kind}: every codec carries its values to the worker and back (structured, json, string, bytes, custom)`, async () => {
    const cases = [
      ['structured', richValue()],
      ['json', { a: [1, 'x', null], b: { c: true } }],
      ['string', 'héllo 😀'],
      ['bytes', new Uint8Array([0, 1, 254, 255])],
      ['bytes', Uint8Array.from({ length: 65539 }, (_, i) => (i * 31) & 255)], // made unzeroed in Node and Bun (Buffer.allocUnsafeSlow)
      ['upper', 'shout'],
    ];
    for (const [codec, v] of cases) {
      const c = CODECS[codec] ?? codec;
      const [there, back] = [new Queue({ codec: c }), new Queue({ codec: c })];
      await withWorkers([[kind, 'echo', { h: there.handle, back: back.handle, codec }]], async ([w]) => {
        there.syncQ.put(v);
        const returned = await back.asyncQ.get(T);
        const expected = codec === 'upper' ? 'SHOUT' : typeof v === 'object' ? describeValue(v) : v;
        assert.deepEqual(await w.result, expected, codec);
        assert.deepEqual(typeof returned === 'object' ? describeValue(returned) : returned, expected, codec);
        if (codec === 'bytes') assert.equal(Object.getPrototypeOf(returned), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
      });
    }
  });

  check(`${kind}: Web Streams: the worker pipes asyncQ.readable() into asyncQ.writable(); both ends close`, async () => {
    const from = new Queue({ maxsize: 2 });
    const to = new Queue({ maxsize: 2 });
    await withWorkers([[kind, 'pipe', { from: from.handle, to: to.handle }]], async ([w]) => {
      const writer = from.asyncQ.writable().getWriter();
      const got = [];
      const reading = (async () => {
        for await (const x of to.asyncQ.readable()) got.push(x);
      })();
      for (let i = 0; i < 30; i++) await writer.write(i);
      await writer.close(); // shuts `from` down: the worker's pipe ends and closes `to`
      await reading;
      await w.result;
      assert.deepEqual(got, count(30));
    });
  });

  check(`${kind}: sync-fn: the worker calls the main thread's async function synchronously (serveAsync + connectSyncFn)`, async () => {
    const handle = createSyncFnHandle();
    const server = serveAsync(handle, async (a, b) => {
      if (a === 'throw') throw new RangeError('asked to');
      return a + b;
    });
    await withWorkers([[kind, 'call', { handle }]], async ([w]) => {
      assert.deepEqual(await w.result, [5, 'RangeError: asked to']);
    });
    await server.close();
  });

  check(`${kind}: the lock under contention: 4 workers put and get 20000 items through one queue, each exactly once`, async () => {
    const n = 5000;
    const q = new Queue({ maxsize: 1000 }); // roomy: the workers rarely sleep, so they meet at the lock
    await withWorkers([1, 2, 3, 4].map((id) => [kind, 'hammer', { h: q.handle, id, n, face: 'syncQ' }]), async (workers) => {
      const all = (await Promise.all(workers.map((w) => w.result))).flat();
      assert.deepEqual(sorted(all), [1, 2, 3, 4].flatMap((id) => count(n).map((k) => id * 1e6 + k)));
      assert.equal(q.syncQ.qsize(), 0);
    });
  });

  check(`${kind}: the lock under contention: 3 workers (2 on syncQ, 1 on asyncQ) and the main thread put and get 6000 items on a small queue, each exactly once`, async () => {
    const n = 1500;
    const q = new Queue({ maxsize: 13 }); // more than 3 per hammer: the puts block, never all at once
    const faces = ['syncQ', 'syncQ', 'asyncQ'];
    await withWorkers(faces.map((face, i) => [kind, 'hammer', { h: q.handle, id: i + 1, n, face }]), async (workers) => {
      const mine = [];
      for (let i = 0; i < n; i++) {
        await q.asyncQ.put(i, T);
        mine.push(await q.asyncQ.get(T));
      }
      const all = [mine, ...(await Promise.all(workers.map((w) => w.result)))].flat();
      const expected = [0, 1, 2, 3].flatMap((id) => count(n).map((k) => id * 1e6 + k));
      assert.deepEqual(sorted(all), sorted(expected));
      assert.equal(q.syncQ.qsize(), 0);
    });
  });

  if (kind === 'worker_threads' && !globalThis.Deno) {
    check(`${kind}: watch(worker) repairs a worker terminated while it waits, and resolves with its exit code`, async () => {
      const q = new Queue();
      await withWorkers([[kind, 'wait', { h: q.handle }]], async ([w]) => {
        const watched = q.watch(w.worker);
        await until(() => waiterCount(q.handle, GETTERS) === 1, 'the worker waits');
        await w.stop();
        assert.equal(await watched, 1);
        assert.equal(waiterCount(q.handle, GETTERS), 0);
        q.syncQ.put('still works');
        assert.equal(q.syncQ.get(T), 'still works');
      });
    });
  } else {
    // Deno: a terminated Worker's 'exit' event comes while its thread still runs; a web Worker has no 'exit' event.
    const why = globalThis.Deno ? 'Deno' : 'a web Worker';
    check(`${kind}: watch(worker) is refused with a TypeError (${why})`, async () => {
      const q = new Queue();
      await withWorkers([[kind, 'drain', { handles: [] }]], async ([w]) => {
        await assert.rejects(async () => q.watch(w.worker), { name: 'TypeError', message: globalThis.Deno ? /on Deno a terminated worker runs on/ : /./ });
        await w.result;
      });
    });
    if (!globalThis.Deno) notAvailable('watch() of a web Worker', "a web Worker has no 'exit' event; use node:worker_threads' Worker");
  }
}

if (WORKER_KINDS.length === 1) notAvailable('the global Worker', 'this runtime has no web Workers; every check runs with node:worker_threads');
if (globalThis.Deno) notAvailable('watch()/recover()', "a terminated Worker's 'exit' event comes while its thread still runs (Deno 2.9.6), so they throw a TypeError");

localChecks(check, notAvailable);

process.exitCode = (await run()) === 0 ? 0 : 1;
// Workers of a failed check may still run: do not wait for them.
process.exit(process.exitCode);
