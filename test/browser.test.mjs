// The browser: real headless Chromium (Debian's chromium package, driven by
// playwright-core) on pages served by a server on 127.0.0.1 started here.
// test/browser/page.mjs runs in a cross-origin-isolated page: the page uses
// asyncQ with a Web Worker on syncQ, and the reverse (a worker on asyncQ, the
// page on asyncQ and the non-blocking syncQ calls). not-isolated.mjs runs
// without COOP/COEP, where SharedArrayBuffer is missing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript' };

let server;
let browser;
let base;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does)`);
  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = normalize(join(root, path === '/' ? 'test/browser/page.html' : path));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const isolated = !req.url.includes('not-isolated');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
    });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
});

async function runPage(path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60000 });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  return { result, errors };
}

const count = (n) => [...Array(n).keys()];

describe('in headless Chromium, a cross-origin-isolated page', () => {
  let r;
  before(async () => {
    const { result, errors } = await runPage('/');
    assert.deepEqual(errors, []);
    assert.equal(result.error, undefined, result.error);
    r = result;
  });

  it('is cross-origin isolated and has Atomics.waitAsync', () => {
    assert.equal(r.crossOriginIsolated, true);
    assert.equal(r.waitAsync, true);
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
});

describe('in headless Chromium, a page that is not cross-origin isolated', () => {
  let r;
  before(async () => {
    const { result, errors } = await runPage('/test/browser/not-isolated.html');
    assert.deepEqual(errors, []);
    r = result;
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
});
