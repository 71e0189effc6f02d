// Disposal: `using q = …` closes the queue (shutdown(true)) and
// `await using q = …` is aclose(). The queue is one for every thread, so an
// attached instance that is disposed shuts it down for all of them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import ts from 'typescript';
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { within } from './helpers/bounded.mjs';
import { GETTERS, untilWaiters } from './helpers/waiters.mjs';

const agentFor = agentPool();
const require = createRequire(import.meta.url);

describe('Symbol.dispose and Symbol.asyncDispose', () => {
  it('[Symbol.dispose]() is close(): shutdown(true), items discarded and counted as done', () => {
    for (const Class of [Queue, LifoQueue, PriorityQueue]) {
      const q = new Class();
      q.syncQ.put(Class === PriorityQueue ? [1, 'x'] : 'x');
      q[Symbol.dispose]();
      assert.equal(q.closed, true);
      assert.equal(q.syncQ.qsize(), 0);
      assert.equal(q.syncQ.unfinishedTasks, 0);
      q[Symbol.dispose](); // again: harmless
    }
  });

  it('[Symbol.asyncDispose]() is aclose(): resolves once shut down', async () => {
    const q = new Queue();
    q.syncQ.put(1);
    await q[Symbol.asyncDispose]();
    assert.equal(q.closed, true);
    assert.equal(q.syncQ.qsize(), 0);
  });

  it('disposing an attached instance in a worker shuts the queue down for every thread, and wakes a getter here', async () => {
    const q = new Queue();
    const a = await agentFor(q);
    const get = q.asyncQ.get();
    const rejected = assert.rejects(within(get, 'get'), { name: 'QueueShutDown' }); // handled before it rejects
    await untilWaiters(q.handle, GETTERS, 1);
    await a.call('queue', 'dispose');
    await rejected;
    assert.equal(q.closed, true);
  });

  it('`using` and `await using` (compiled by TypeScript for Node 20) dispose at the end of the scope, also when it throws', () => {
    const source = `
      import { Queue } from ${JSON.stringify(import.meta.resolve('janus-queue'))};
      let outer: Queue<number>;
      {
        using q = new Queue<number>();
        outer = q;
        q.syncQ.put(1);
        if (q.closed) throw new Error('closed too early');
      }
      const afterUsing = [outer.closed, outer.syncQ.qsize()];
      let thrown: Queue<number> | undefined;
      try {
        using q = new Queue<number>();
        thrown = q;
        throw new Error('boom');
      } catch {}
      async function scope(): Promise<Queue<number>> {
        await using q = new Queue<number>();
        q.syncQ.put(2);
        return q;
      }
      const awaited = await scope();
      console.log(JSON.stringify([afterUsing, thrown!.closed, awaited.closed, awaited.syncQ.qsize()]));
    `;
    const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
    assert.match(outputText, /__addDisposableResource/); // really lowered, not run natively
    const dir = mkdtempSync(join(tmpdir(), 'janus-using-'));
    try {
      writeFileSync(join(dir, 'using.mjs'), outputText);
      const out = execFileSync(process.execPath, [join(dir, 'using.mjs')], { encoding: 'utf8', timeout: 60000 });
      assert.deepEqual(JSON.parse(out), [[true, 0], true, true, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on a runtime without the symbols, importing defines no dispose method and no global (no polyfill)', () => {
    // A fresh realm whose Symbol has no dispose symbols: Node 20 and 22 add them
    // to the main realm only, but V8 in Node 24 has them in every realm, so
    // the realm's global Symbol is replaced by one that hides them. What
    // code assigns to it is kept apart, so a polyfill would still show.
    const ctx = vm.createContext({ TextEncoder, TextDecoder });
    vm.runInContext(
      `const hidden = new Set(['dispose', 'asyncDispose']);
       const assigned = Object.create(null);
       const real = Symbol;
       // the target is a plain arrow function: the real Symbol's non-configurable properties would bind the proxy's answers
       globalThis.Symbol = new Proxy((description) => real(description), {
         get: (t, k) => (k in assigned ? assigned[k] : hidden.has(k) ? undefined : Reflect.get(real, k)),
         has: (t, k) => k in assigned || (!hidden.has(k) && Reflect.has(real, k)),
         set: (t, k, v) => ((assigned[k] = v), true),
         defineProperty: (t, k, d) => ((assigned[k] = d.value ?? d.get?.()), true),
       });`,
      ctx,
    );
    assert.equal(vm.runInContext('typeof Symbol.dispose + typeof Symbol.asyncDispose', ctx), 'undefinedundefined');
    const mod = { exports: {} };
    vm.runInContext(`(function (module, exports) {${readFileSync(require.resolve('janus-queue'), 'utf8')}\n})`, ctx)(mod, mod.exports);
    const { Queue: RealmQueue } = mod.exports;
    assert.equal(vm.runInContext('typeof Symbol.dispose + typeof Symbol.asyncDispose', ctx), 'undefinedundefined');
    assert.deepEqual(Object.getOwnPropertySymbols(RealmQueue.prototype), []);
    assert.equal(Object.hasOwn(RealmQueue.prototype, 'undefined'), false);
    const q = new RealmQueue();
    q.close();
    assert.equal(q.closed, true);
  });
});
