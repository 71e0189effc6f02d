// The portable suite's checks that need no worker of their own: sync-fn's
// createSyncFn (it starts its worker), CommonJS, disposal, the event loop
// (a child process of the same runtime), and the async face without
// Atomics.waitAsync.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { LifoQueue, Queue } from 'janus-queue';
import { CallTimeout, ServerGone, createSyncFn } from 'janus-queue/sync-fn';
import { WORKER_KINDS, spawn } from './harness.mjs';

const T = { timeout: 20000 };
const fixture = (p) => fileURLToPath(new URL(p, import.meta.url));

/** Runs a script with this runtime (Deno needs `run -A`), bounded. */
function runScript(file) {
  const args = globalThis.Deno ? ['run', '-A', file] : [file];
  return spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60000 });
}

export function localChecks(check, notAvailable) {
  check('sync-fn: createSyncFn runs an async function in a worker it starts: result, error, timeout (its late reply dropped), close', async () => {
    const f = createSyncFn(new URL('./sync-fn-worker.mjs', import.meta.url), { timeout: 20000 });
    try {
      assert.deepEqual(f('echo', { a: [1n, new Map([[1, 2]])] }), { a: [1n, new Map([[1, 2]])] });
      assert.throws(() => f('throw', 'bad'), { name: 'TypeError', message: 'bad', code: 'E_BAD' });
      const name = `janus-runtimes-${Math.random()}`;
      const channel = new BroadcastChannel(name);
      const holding = new Promise((resolve) => (channel.onmessage = resolve));
      assert.throws(() => f.callWith({ timeout: 20 }, 'hold', name), CallTimeout);
      await holding;
      channel.postMessage('go'); // the held call now answers: its late reply is dropped
      channel.close();
      assert.equal(f('echo', 'after the timeout'), 'after the timeout');
    } finally {
      f.close();
    }
    assert.throws(() => f('echo', 1), ServerGone);
  });

  check('sync-fn: createSyncFn on a module that fails to load throws ServerGone at the call, not a hang', () => {
    const f = createSyncFn(new URL('./no-such-module.mjs', import.meta.url), { timeout: 20000 });
    assert.throws(() => f(), ServerGone);
  });

  check('CommonJS: require("janus-queue") and require("janus-queue/sync-fn"); a queue crosses between the two builds', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('janus-queue');
    assert.equal(typeof require('janus-queue/sync-fn').createSyncFn, 'function');
    const q = new Queue();
    const c = cjs.Queue.attach(q.handle);
    c.syncQ.put({ from: 'cjs' });
    assert.deepEqual(q.syncQ.get(T), { from: 'cjs' });
    const back = LifoQueue.attach(new cjs.LifoQueue().handle);
    back.syncQ.put(1);
    back.syncQ.put(2);
    assert.equal(back.syncQ.get(T), 2);
  });

  if (typeof Symbol.dispose === 'symbol' && typeof Symbol.asyncDispose === 'symbol') {
    check('Symbol.dispose is close() and Symbol.asyncDispose is aclose()', async () => {
      const q = new Queue();
      q.syncQ.put(1);
      q[Symbol.dispose]();
      assert.deepEqual([q.closed, q.syncQ.qsize()], [true, 0]);
      const r = new Queue();
      await r[Symbol.asyncDispose]();
      assert.equal(r.closed, true);
    });
  } else {
    notAvailable('Symbol.dispose', 'the runtime has not the symbols; the queue defines no dispose methods then');
  }

  check('the event loop: a pending asyncQ.get keeps the process alive until its item arrives; an idle queue lets it exit', () => {
    for (const [file, said] of [['../fixtures/pending-get.mjs', 'arrived'], ['../fixtures/idle-exit.mjs', 'idle']]) {
      const r = runScript(fixture(file));
      assert.equal(r.signal, null, `${file}: killed by the bound`);
      assert.equal(r.stdout.trim(), said, `${file}: ${r.stderr}`);
      assert.equal(r.status, 0, file);
    }
  });

  check('without Atomics.waitAsync (removed here): the main thread asyncQ still gets every item of a worker, by polling', async () => {
    const saved = Object.getOwnPropertyDescriptor(Atomics, 'waitAsync');
    if (saved) delete Atomics.waitAsync;
    const q = new Queue({ maxsize: 2 });
    const w = spawn(WORKER_KINDS[0], 'produce', { h: q.handle, n: 40, face: 'syncQ', shutdown: true });
    try {
      const got = [];
      for await (const x of q.asyncQ) got.push(x);
      assert.deepEqual(got, [...Array(40).keys()]);
      await w.result;
    } finally {
      if (saved) Object.defineProperty(Atomics, 'waitAsync', saved);
      await w.stop();
    }
  });
}
