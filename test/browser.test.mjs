// The browser: a cross-origin-isolated page in real headless Chromium (Debian's
// chromium package, driven by playwright-core). The page's main thread uses
// asyncQ, a Web Worker uses syncQ; blocking syncQ calls on the page throw a
// TypeError; the default codec round-trips structured values there too.
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
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
});

async function runPage() {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60000 });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  return { result, errors };
}

describe('in headless Chromium', () => {
  let r;
  before(async () => {
    const { result, errors } = await runPage();
    assert.deepEqual(errors, []);
    assert.equal(result.error, undefined, result.error);
    r = result;
  });

  it('runs in a cross-origin-isolated page with Atomics.waitAsync', () => {
    assert.equal(r.crossOriginIsolated, true);
    assert.equal(r.waitAsync, true);
  });

  it("blocking syncQ calls on the page's main thread throw a TypeError saying why; non-blocking ones work", () => {
    for (const name of ['get', 'put', 'join']) assert.match(r[`blocking_${name}`], /^TypeError: .*may not block/);
    assert.equal(r.nonBlocking, 2);
  });

  it('page asyncQ.put -> worker syncQ.get/put -> page asyncQ.get, with join', () => {
    assert.equal(r.joined, true);
    assert.equal(r.fifo, [...Array(20).keys()].join(','));
  });

  it('a worker fills LIFO and priority queues with syncQ; the page reads them in order', () => {
    assert.deepEqual(r.lifo, [4, 3, 2, 1, 0]);
    assert.deepEqual(r.prio, ['a', 'a2', 'b', 'c']);
  });

  it('the default codec round-trips structured values between page and worker', () => {
    assert.equal(r.valueSame, true, r.valueText);
  });

  it('shutdown on the page wakes a worker blocked in syncQ.get with QueueShutDown', () => {
    assert.equal(r.idle, 'idle: QueueShutDown');
  });
});
