// The browsers: headless Chromium and Firefox ESR (Debian's packages, driven
// by puppeteer-core: test/browser/driver.mjs) on pages served from
// 127.0.0.1. test/browser/page.mjs runs in a cross-origin-isolated page: the
// page uses asyncQ with a Web Worker on syncQ, and the reverse (a worker on
// asyncQ, the page on asyncQ and the non-blocking syncQ calls), then streams,
// Symbol.asyncDispose and lock contention (extras.mjs). Each browser runs it
// twice: as it is, and with Atomics.waitAsync removed before the package
// loads (?no-waitasync), so the polling fallback runs in real browsers.
// not-isolated.mjs runs without COOP/COEP, where SharedArrayBuffer is missing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BROWSERS, launch, runPage, serve } from './browser/driver.mjs';

let server;
before(async () => {
  server = await serve();
});
after(() => server?.close());

const count = (n) => [...Array(n).keys()];

/** The checks of one run of page.html; `page()` is its result, `waitAsync` whether the run kept Atomics.waitAsync. */
function pageChecks(page, waitAsync) {
  let r;
  before(() => {
    r = page();
  });

  it(`is cross-origin isolated, and ${waitAsync ? 'has' : 'has not'} Atomics.waitAsync on the page and in its workers`, () => {
    assert.equal(r.crossOriginIsolated, true);
    assert.deepEqual([r.waitAsync, r.sync.workerWaitAsync, r.async.workerWaitAsync, r.extras.streams.workerWaitAsync], [waitAsync, waitAsync, waitAsync, waitAsync]);
  });

  it("refuses blocking syncQ calls on the page's main thread with a TypeError saying why, changing nothing; non-blocking ones work", () => {
    for (const name of ['get', 'put', 'join', 'getMany', 'putMany']) {
      assert.match(r.refusals[name], /^TypeError: .*may not block/, name);
    }
    assert.deepEqual(r.refusals.after, { qsize: 1, unfinished: 1 });
    assert.deepEqual(r.refusals.nonBlocking, ['kept', 'a', false]);
  });

  describe('page asyncQ <-> a Web Worker using syncQ', () => {
    it('FIFO: page asyncQ.put with backpressure -> worker syncQ.get/put -> page asyncQ.get, and the page joins', () => {
      assert.equal(r.sync.joined, true);
      assert.deepEqual(r.sync.fifo, count(20));
    });

    it('LIFO and priority order hold both ways', () => {
      assert.deepEqual(r.sync.lifoIn, [4, 3, 2, 1, 0]);
      assert.deepEqual(r.sync.prioIn, ['a', 'a2', 'b', 'c']);
      assert.deepEqual(r.sync.lifo, [4, 3, 2, 1, 0]);
      assert.deepEqual(r.sync.prio, ['a', 'a2', 'b', 'c']);
    });

    it('the default codec carries a structured value to the worker and back unchanged', () => {
      assert.equal(r.sync.valueInWorker, true, r.sync.valueText);
      assert.equal(r.sync.valueBack, true, r.sync.valueText);
    });

    it("the worker's syncQ.join returns true once the page's asyncQ.taskDone calls are in", () => {
      assert.equal(r.sync.workerJoined, true);
    });

    it('shutdown on the page wakes the worker blocked in syncQ.get and in syncQ.put with QueueShutDown; the item left still comes out', () => {
      assert.equal(r.sync.idle, 'QueueShutDown');
      assert.equal(r.sync.full, 'QueueShutDown');
      assert.deepEqual(r.sync.fullDrain, ['first', 'QueueShutDown']);
    });
  });

  describe('the reverse: a Web Worker using asyncQ <-> the page using asyncQ and non-blocking syncQ calls', () => {
    it('FIFO: the worker iterates asyncQ with taskDone until the page joins and shuts down; the page reads with getNowait', () => {
      assert.equal(r.async.joined, true);
      assert.deepEqual(r.async.fifo, count(20));
    });

    it('LIFO and priority order hold both ways', () => {
      assert.deepEqual(r.async.lifoIn, [4, 3, 2, 1, 0]);
      assert.deepEqual(r.async.prioIn, ['a', 'a2', 'b', 'c']);
      assert.deepEqual(r.async.lifo, [4, 3, 2, 1, 0]);
      assert.deepEqual(r.async.prio, ['a', 'a2', 'b', 'c']);
    });

    it('the default codec carries a structured value to the worker and back unchanged', () => {
      assert.equal(r.async.valueInWorker, true);
      assert.equal(r.async.valueBack, true);
    });

    it("the worker's asyncQ.join resolves true once the page's syncQ.taskDone calls are in", () => {
      assert.equal(r.async.workerJoined, true);
    });

    it("the worker's shutdown rejects the page's pending asyncQ.get; its shutdown(true) discards items and releases the page's join", () => {
      assert.equal(r.async.idle, 'QueueShutDown');
      assert.equal(r.async.dropJoined, true);
      assert.deepEqual(r.async.dropAfter, { qsize: 0, unfinished: 0 });
    });
  });

  it('Web Streams: the page writes a WritableStream, a worker pipes readable() into writable(), the page reads a ReadableStream to its end', () => {
    assert.deepEqual(r.extras.streams.got, count(30));
  });

  it('await q[Symbol.asyncDispose]() is aclose(): the queue is shut down and emptied', () => {
    assert.deepEqual(r.extras.asyncDispose, { symbol: true, closed: true, qsize: 0 });
  });

  it('the lock under contention: 3 workers (2 on syncQ, 1 on asyncQ) and the page put and get 8000 items through a queue of 2, each exactly once', () => {
    assert.deepEqual(r.extras.contention, { exactlyOnce: true, count: 8000, qsize: 0 });
  });
}

/** The checks of not-isolated.html. */
function notIsolatedChecks(page) {
  let r;
  before(() => {
    r = page();
  });

  it('has no SharedArrayBuffer (the browser hides it), yet the library imports', () => {
    assert.equal(r.crossOriginIsolated, false);
    assert.equal(r.sharedArrayBuffer, 'undefined');
  });

  it('new Queue / LifoQueue / PriorityQueue and attach throw a TypeError naming the COOP and COEP headers', () => {
    for (const name of ['Queue', 'LifoQueue', 'PriorityQueue', 'attach']) {
      assert.equal(r[name].ctor, 'TypeError', `${name}: ${JSON.stringify(r[name])}`);
      assert.match(r[name].message, /needs SharedArrayBuffer/, name);
      assert.match(r[name].message, /cross-origin isolated/, name);
      assert.match(r[name].message, /Cross-Origin-Opener-Policy: same-origin/, name);
      assert.match(r[name].message, /Cross-Origin-Embedder-Policy: require-corp/, name);
    }
    assert.match(r.Queue.message, /^janus-queue: new Queue\(\)/);
    assert.match(r.attach.message, /^janus-queue: Queue\.attach\(\)/);
  });
}

for (const b of BROWSERS) {
  describe(`in headless ${b.name}`, b.need.options, () => {
    if (!b.need.present) {
      it('is installed', () => b.need.require()); // reached only with JANUS_REQUIRE_ALL=1: then a failure
      return;
    }
    let browser;
    const results = {};
    before(async () => {
      browser = await launch(b);
      for (const [key, path] of [['page', '/'], ['fallback', '/?no-waitasync'], ['notIsolated', '/test/browser/not-isolated.html']]) {
        const { result, errors } = await runPage(browser, `${server.base}${path}`);
        assert.deepEqual(errors, [], `${path}: uncaught errors`);
        assert.equal(result.error, undefined, `${path}: ${result.error}`);
        results[key] = result;
      }
    });
    after(() => browser?.close());

    describe('a cross-origin-isolated page', () => pageChecks(() => results.page, true));
    describe('the same page with Atomics.waitAsync removed before the package loads (the polling fallback)', () => pageChecks(() => results.fallback, false));
    describe('a page that is not cross-origin isolated', () => notIsolatedChecks(() => results.notIsolated));
  });
}
