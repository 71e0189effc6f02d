// janus-queue/sync-fn: synchronous calls into async functions in another
// thread, with real workers. createSyncFn + runAsWorker (main blocks, a
// worker serves) and serveAsync + connectSyncFn (a worker blocks, main
// serves); values, errors, timeouts, late replies, dead and missing workers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CallTimeout, ServerGone, connectSyncFn, createSyncFn, createSyncFnHandle, serveAsync } from 'janus-queue/sync-fn';
import { within } from './helpers/bounded.mjs';

/** The value `f` throws; fails if it returns. */
function thrown(f, expected) {
  try {
    f();
  } catch (e) {
    if (expected) assert.ok(e instanceof expected, `expected a ${expected.name}, got ${e?.name}: ${e?.message}`);
    return e;
  }
  assert.fail('it did not throw');
}

const fixture = (name) => new URL(`./fixtures/sync-fn/${name}`, import.meta.url);
const opened = [];
function make(name = 'worker.mjs', options) {
  const f = createSyncFn(fixture(name), options);
  opened.push(f);
  return f;
}
after(() => opened.forEach((f) => f.close()));

/** Resolves once the worker's held() call has posted 'holding' on `name`; returns a function that lets it go. */
function holding(name) {
  const bc = new BroadcastChannel(name);
  return new Promise((resolve) => {
    bc.onmessage = (e) => {
      if (e.data === 'holding')
        resolve(() => {
          bc.postMessage('go');
          bc.close();
        });
    };
  });
}

describe('createSyncFn + runAsWorker', () => {
  it('returns what the async function resolves to, for structured values and several arguments', () => {
    const f = make();
    const value = { map: new Map([[1, { d: new Date(5) }]]), set: new Set(['a']), big: 2n ** 80n, u: undefined, nan: NaN, bytes: new Uint16Array([1, 65535]) };
    assert.deepEqual(f('echo', value), value);
    assert.equal(f('add', 2, 40), 42);
    assert.equal(f('syncReturn', 21), 42, 'a function that is not async works too');
    const bytes = f('bytes', 3000);
    assert.ok(bytes instanceof Uint8Array && bytes.length === 3000 && bytes.every((b) => b === 7));
    assert.ok(!(bytes.buffer instanceof SharedArrayBuffer), 'the result does not alias shared memory');
  });

  it('re-throws an Error with its class, name, message, stack and own properties', () => {
    const f = make();
    const e = thrown(() => f('throwError', 'out of range'), RangeError);
    assert.equal(e.name, 'RangeError');
    assert.equal(e.message, 'out of range');
    assert.equal(e.code, 'E_RANGE');
    assert.deepEqual(e.detail, { n: 1 });
    assert.match(e.stack, /functions\.mjs/, 'the stack is the worker\'s');
  });

  it('re-throws a custom error name with its cause, and a thrown non-Error value as it is', () => {
    const f = make();
    const e = thrown(() => f('throwCustom'));
    assert.equal(e.name, 'ValidationError');
    assert.equal(e.message, 'bad input');
    assert.ok(e.cause instanceof TypeError);
    assert.equal(e.cause.message, 'inner');
    assert.throws(() => f('throwValue', { reason: 42 }), (v) => assert.deepEqual(v, { reason: 42 }) ?? true);
    assert.throws(() => f('throwValue', 'just a string'), (v) => v === 'just a string');
  });

  it('an error whose properties throw when read still comes back, without them, and the worker lives on', () => {
    const f = make();
    const e = thrown(() => f('throwNasty'), Error);
    assert.equal(e.message, 'nasty');
    assert.equal(e.code, 'E_NASTY');
    assert.equal(e.details, undefined);
    assert.equal(f('echo', 'alive'), 'alive');
  });

  it('an argument that cannot be encoded is a TypeError at the call, and nothing is sent', () => {
    const f = make();
    assert.throws(() => f('echo', () => 1), TypeError);
    assert.throws(() => f('echo', Symbol('s')), TypeError);
    assert.equal(f('echo', 'next'), 'next', 'the next call gets its own answer');
  });

  it('a result that cannot cross threads is a TypeError that says so', () => {
    const f = make();
    assert.throws(() => f('returnFunction'), { name: 'TypeError', message: /result cannot cross threads/ });
    assert.equal(f('echo', 1), 1);
  });

  it('a result larger than maxBytes is a RangeError, and the function keeps working', () => {
    const f = make('worker.mjs', { maxBytes: 4096 });
    assert.throws(() => f('bytes', 10000), RangeError);
    assert.equal(f('bytes', 100).length, 100);
  });

  it('times out per function and per call with CallTimeout; bad timeouts are RangeErrors', () => {
    const perFn = make('worker.mjs', { timeout: 30 });
    assert.throws(() => perFn('never'), CallTimeout);
    const numeric = make('worker.mjs', 30); // synckit's form: the timeout as the second argument
    assert.throws(() => numeric('never'), { name: 'CallTimeout' });
    const f = make();
    assert.equal(f.callWith({ timeout: 10000 }, 'echo', 'in time'), 'in time');
    assert.throws(() => f.callWith({ timeout: 0 }, 'never'), CallTimeout);
    assert.throws(() => f.callWith({ timeout: -1 }, 'echo', 1), RangeError);
    assert.throws(() => f.callWith({ timeout: NaN }, 'echo', 1), RangeError);
    assert.throws(() => createSyncFn(fixture('worker.mjs'), { timeout: -5 }), RangeError);
  });

  it('a late reply of a call that timed out is never taken for a later call', async () => {
    const f = make();
    const held = holding('late-reply');
    assert.throws(() => f.callWith({ timeout: 0 }, 'held', 'late-reply', 'the late answer'), CallTimeout);
    (await within(held, 'the worker to hold the call'))(); // the worker answers it now, after the caller gave up
    assert.equal(f('echo', 'fresh'), 'fresh');
    assert.equal(f('add', 1, 1), 2);
  });

  it('close() lets the worker go, and later calls throw ServerGone', () => {
    const f = createSyncFn(fixture('worker.mjs'));
    assert.equal(f('echo', 1), 1);
    f.close();
    assert.throws(() => f('echo', 2), { name: 'ServerGone', message: /close\(\) was called/ });
  });

  it('close() ends the worker even when its module keeps a timer running', async () => {
    const bc = new BroadcastChannel('lingering');
    const ended = new Promise((resolve) => (bc.onmessage = (e) => e.data === 'ended' && resolve()));
    const f = createSyncFn(fixture('lingering-worker.mjs'));
    assert.equal(f('still here'), 'still here');
    f.close();
    await within(ended, 'the worker to end after close()');
    bc.close();
  });

  it('several sync functions, each with its own worker, do not take each other\'s wake-ups', async () => {
    // A worker blocks in its own sync function (its own worker) while the main thread calls two others.
    const held = holding('nested');
    const nested = new Worker(fixture('nested-caller.mjs'), { workerData: { channel: 'nested' } });
    const answer = new Promise((resolve, reject) => {
      nested.once('message', resolve);
      nested.once('error', reject);
    });
    const release = await within(held, 'the nested call to be held');
    const a = make();
    const b = make();
    for (let i = 0; i < 200; i++) {
      assert.equal(a('echo', i), i);
      assert.equal(b('add', i, 1), i + 1);
    }
    assert.notEqual(a('threadId'), b('threadId'), 'each function has its own worker');
    release();
    assert.equal(await within(answer, 'the nested caller'), 'nested answer');
    await nested.terminate();
  });

  it('an idle sync function does not keep the process alive', () => {
    const url = fixture('worker.mjs').href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { createSyncFn } from 'janus-queue/sync-fn'; const f = createSyncFn(new URL(${JSON.stringify(url)})); console.log(f('echo', 'done'));`], {
      encoding: 'utf8',
      timeout: 30000,
      cwd: new URL('..', import.meta.url),
    });
    assert.equal(r.signal, null, 'it had to be killed: the worker kept it alive');
    assert.equal(r.stdout.trim(), 'done', r.stderr);
  });

  it('refuses a missing path and unknown options with a TypeError', () => {
    assert.throws(() => createSyncFn(''), TypeError);
    assert.throws(() => createSyncFn(42), TypeError);
    assert.throws(() => createSyncFn(fixture('worker.mjs'), { tsRunner: 'tsx' }), { name: 'TypeError', message: /unknown option "tsRunner"/ });
  });
});

describe('a worker that fails, crashes or exits: the caller throws ServerGone at once', () => {
  it('a worker module that throws while loading', () => {
    const f = make('throws-at-load.mjs');
    const e = thrown(() => f('echo', 1), ServerGone);
    assert.match(e.message, /failed to start.*the worker module is broken/);
    assert.equal(e.cause.name, 'SyntaxError');
    assert.throws(() => f('echo', 1), ServerGone, 'and every later call');
  });

  it('a worker module that does not exist', () => {
    const f = make('no-such-file.mjs');
    const e = thrown(() => f('echo', 1), ServerGone);
    assert.match(e.message, /failed to start/);
    assert.match(e.message, /no-such-file\.mjs/);
  });

  it('a worker module that never calls runAsWorker', () => {
    const f = make('no-run-as-worker.mjs');
    assert.throws(() => f('echo', 1), { name: 'ServerGone', message: /without calling runAsWorker/ });
  });

  it('a worker module that never calls runAsWorker but keeps its thread alive', () => {
    const f = make('alive-no-run.mjs');
    assert.throws(() => f('echo', 1), { name: 'ServerGone', message: /loaded without calling runAsWorker/ });
  });

  it('flags of the process that worker threads refuse are left out; a preload in NODE_OPTIONS that fails in workers is ServerGone, not a hang', () => {
    const program = `import { createSyncFn } from 'janus-queue/sync-fn';
      const f = createSyncFn(new URL(${JSON.stringify(fixture('worker.mjs').href)}));
      try { console.log(f('echo', 'ok')); } catch (e) { console.log(e.name, e.message); }`;
    const run = (args, env = process.env) =>
      spawnSync(process.execPath, [...args, '--input-type=module', '-e', program], { encoding: 'utf8', timeout: 30000, cwd: new URL('..', import.meta.url), env });
    const flags = run(['--max-old-space-size=200', '--expose-gc']);
    assert.equal(flags.signal, null, 'hung');
    assert.equal(flags.stdout.trim(), 'ok', flags.stderr);
    const preload = run([], { ...process.env, NODE_OPTIONS: `--require ${fixture('workers-refused.cjs').pathname}` });
    assert.equal(preload.signal, null, 'hung');
    assert.match(preload.stdout, /^ServerGone .*/);
  });

  it('a worker that calls process.exit() during a call', () => {
    const f = make();
    const e = thrown(() => f('exit', 3), ServerGone);
    assert.equal(e.exitCode, 3);
    assert.throws(() => f('echo', 1), { name: 'ServerGone', message: /exited \(code 3\)/ });
  });

  it('a worker that dies of an uncaught error during a call', () => {
    const f = make();
    const e = thrown(() => f('crashNow'), ServerGone);
    assert.match(e.message, /uncaught error: uncaught in the worker/);
    assert.equal(e.exitCode, 1);
  });

  it('a worker that dies after answering: the answer arrives, and calls throw ServerGone once it is dead', () => {
    const f = make();
    assert.equal(f('crashLater'), 'answered');
    // The crash waits for the worker's event loop to turn, which it does at
    // least every few ms of back-to-back calls: until then calls are answered.
    let e;
    for (let i = 0; i < 1e6 && !e; i++) {
      try {
        assert.equal(f('echo', i), i);
      } catch (err) {
        e = err;
      }
    }
    assert.ok(e instanceof ServerGone, `got ${e}`);
    assert.match(e.message, /crashed after answering/);
  });

  it('a worker that exits between calls: the next call throws its farewell', async () => {
    const f = make();
    const bc = new BroadcastChannel('exit-between');
    const exiting = new Promise((resolve) => (bc.onmessage = resolve));
    assert.equal(f('exitAfterAnswer', 'exit-between', 4), 'bye');
    await within(exiting, 'the worker to exit');
    bc.close();
    const e = thrown(() => f('echo', 1), ServerGone);
    assert.match(e.message, /exited \(code 4\)/);
    assert.equal(e.exitCode, 4);
  });

  it('a worker whose flags stop it from loading at all (before any of our code runs in it)', () => {
    const f = make('worker.mjs', { execArgv: ['--import', 'data:text/javascript,throw new Error("preload failed")'] });
    const e = thrown(() => f('echo', 1), ServerGone);
    assert.match(e.message, /preload failed/);
  });
});

describe('serveAsync + connectSyncFn: a worker calls the main thread synchronously', () => {
  function caller(handle, options) {
    const w = new Worker(fixture('connect-caller.mjs'), { workerData: { handle, options } });
    const pending = new Map();
    let ready;
    const readyP = new Promise((r) => (ready = r));
    w.on('message', (m) => (m.id === 0 ? ready(m) : pending.get(m.id)(m)));
    let next = 1;
    return {
      ready: readyP,
      call: (...args) => new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        w.postMessage({ id, args });
      }),
      worker: w,
    };
  }

  it('the worker blocks while the main thread\'s async function runs on its event loop, and gets its result', async () => {
    const handle = createSyncFnHandle();
    let calls = 0;
    const server = serveAsync(handle, async (a, b) => {
      calls++;
      await new Promise((r) => setImmediate(r)); // real async work on the main event loop
      return { sum: a + b, at: 'main' };
    });
    const c = caller(handle);
    assert.deepEqual((await c.ready).value, 'ready');
    for (let i = 0; i < 20; i++) assert.deepEqual(await within(c.call(i, 1), 'a call'), { id: i + 1, ok: true, value: { sum: i + 1, at: 'main' } });
    assert.equal(calls, 20);
    await server.close();
    const r = await within(c.call(1, 2), 'a call after close');
    assert.equal(r.error.name, 'ServerGone');
    await c.worker.terminate();
  });

  it('errors thrown on the main thread are re-thrown in the worker', async () => {
    const handle = createSyncFnHandle();
    const server = serveAsync(handle, async (kind) => {
      if (kind === 'type') throw Object.assign(new TypeError('wrong type'), { code: 'E_TYPE' });
      return kind;
    });
    const c = caller(handle);
    await c.ready;
    const r = await within(c.call('type'), 'a failing call');
    assert.deepEqual(r.error, { name: 'TypeError', message: 'wrong type', code: 'E_TYPE', isTypeError: true });
    assert.equal((await within(c.call('fine'), 'the next call')).value, 'fine');
    await server.close();
    await c.worker.terminate();
  });

  it('serving and calling on one thread is refused with a TypeError (the call would block the loop that answers it)', async () => {
    const a = createSyncFnHandle();
    const server = serveAsync(a, async (x) => x);
    assert.throws(() => connectSyncFn(a), { name: 'TypeError', message: /this thread serves this handle/ });
    await server.close();
    const b = createSyncFnHandle();
    const caller = connectSyncFn(b);
    assert.throws(() => serveAsync(b, async (x) => x), { name: 'TypeError', message: /this thread is the caller/ });
    caller.close();
  });

  it("connectSyncFn's close() disconnects: later calls throw ServerGone without sending, and the handle takes a new caller", () => {
    const handle = createSyncFnHandle();
    // A timeout, so that a call that is sent after all (nobody serves) fails fast instead of blocking.
    const caller = connectSyncFn(handle, { timeout: 50 });
    caller.close();
    assert.throws(() => caller('x'), { name: 'ServerGone', message: /close\(\) was called/ });
    assert.throws(() => caller.callWith({ timeout: 10 }, 'x'), { name: 'ServerGone' });
    const next = connectSyncFn(handle);
    next.close();
  });

  it('connectSyncFn refuses an unknown option, naming the known one, and a bad timeout', () => {
    const handle = createSyncFnHandle();
    assert.throws(() => connectSyncFn(handle, { timout: 5 }), { name: 'TypeError', message: /unknown option "timout" \(known: timeout\)/ });
    assert.throws(() => connectSyncFn(handle, { timeout: -1 }), RangeError);
    connectSyncFn(handle, { timeout: 5 }).close();
  });

  it('many servers on one thread share one exit listener', async () => {
    const before = process.listenerCount('exit');
    const servers = Array.from({ length: 12 }, () => serveAsync(createSyncFnHandle(), async (x) => x));
    assert.ok(process.listenerCount('exit') <= before + 1, 'no listener per server (Node warns past 10)');
    await Promise.all(servers.map((s) => s.close()));
    assert.equal(process.listenerCount('exit'), before);
  });

  it('one calling thread per handle: a second one is refused with a TypeError; a bad handle too', async () => {
    const handle = createSyncFnHandle();
    const server = serveAsync(handle, async (x) => x);
    const first = caller(handle);
    await first.ready;
    const second = caller(handle);
    const refused = await second.ready;
    assert.equal(refused.ok, false);
    assert.match(refused.error.message, /already has a caller/);
    assert.throws(() => serveAsync(handle, async () => 1), { name: 'TypeError', message: /already has a server/ });
    assert.throws(() => connectSyncFn({ janusSyncFn: 1 }), TypeError);
    assert.throws(() => serveAsync(null, async () => 1), TypeError);
    assert.throws(() => serveAsync(createSyncFnHandle(), 'not a function'), TypeError);
    await server.close();
    await first.worker.terminate();
    await second.worker.terminate();
  });
});

describe('compatibility with synckit', () => {
  it('the same program gives the same results with synckit and with janus-queue/sync-fn', () => {
    // One child process per library: each runs the program below against the
    // same worker module (fixtures/sync-fn/compat-worker.mjs), whose only
    // difference is the import of runAsWorker, and prints what it saw.
    const program = (lib) => `
      import { createSyncFn } from ${JSON.stringify(lib === 'synckit' ? 'synckit' : 'janus-queue/sync-fn')};
      const call = createSyncFn(${JSON.stringify(fixture('compat-worker.mjs').pathname)});
      const seen = [];
      const show = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x + 'n' : x instanceof Map || x instanceof Set ? [x.constructor.name, ...x] : x instanceof Uint8Array ? ['Uint8Array', ...x] : x));
      for (const args of [['sum', 1, 2, 3], ['upper', 'janus'], ['shape'], ['later', 'a timer'], ['fail', 'parse'], ['nope']]) {
        try {
          seen.push(['ok', show(call(...args))]);
        } catch (e) {
          seen.push(['threw', e.name, e.message, e instanceof Error, e.constructor.name]);
        }
      }
      console.log(JSON.stringify(seen));
      process.exit(0);`;
    const run = (lib) => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', program(lib)], {
        encoding: 'utf8',
        timeout: 60000,
        cwd: new URL('..', import.meta.url),
        env: { ...process.env, COMPAT_LIB: lib },
      });
      assert.equal(r.status, 0, `${lib}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const withSynckit = run('synckit');
    const withJanus = run('janus');
    assert.equal(withSynckit.length, 6);
    assert.deepEqual(withJanus, withSynckit);
    assert.deepEqual(withJanus[4], ['threw', 'TypeError', 'cannot parse', true, 'TypeError']);
  });
});
