// examples/browser/ as a user runs it: start its own server script, load the
// page in headless Chromium, and check what the page shows. With
// JANUS_SCREENSHOT=docs/browser-example.png the page is also saved as a PNG.
// Also the esbuild recipe of docs/guides/browser-setup.md, built and loaded.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BROWSERS } from './browser/driver.mjs';
import { codeBlocks, sampleProject } from './helpers/markdown.mjs';

const CHROME_BROWSER = BROWSERS.find((b) => b.name === 'Chromium');
const CHROMIUM = CHROME_BROWSER.path;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync', '--no-first-run'];
const serveScript = fileURLToPath(new URL('../examples/browser/serve.mjs', import.meta.url));

let server;
let browser;
let url;

// Chromium missing: a skip saying how to install it, or with JANUS_REQUIRE_ALL=1 a failure.
describe('headless Chromium', CHROME_BROWSER.need.options, () => {
  if (!CHROME_BROWSER.need.present) {
    it('is installed', () => CHROME_BROWSER.need.require());
    return;
  }

  before(async () => {
    server = spawn(process.execPath, [serveScript, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await once(server.stdout.setEncoding('utf8'), 'data');
    url = line.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/examples\/browser\/$/);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill();
      await once(server, 'exit');
    }
  });

  describe('examples/browser in headless Chromium', () => {
    it('serves the page cross-origin isolated (COOP same-origin, COEP require-corp)', async () => {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    });

    it('shows every job done by the two workers, with the right prime counts', async () => {
      const page = await browser.newPage({ viewport: { width: 760, height: 620 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => /^done|Error/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
      assert.deepEqual(errors, []);
      assert.equal(await page.textContent('#status'), 'done: 12 jobs, cross-origin isolated');
      assert.equal(await page.evaluate(() => document.getElementById('progress').value), 12);
      const rows = await page.$$eval('#results tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
      assert.equal(rows.length, 12);
      const byLimit = Object.fromEntries(rows.map(([, limit, count]) => [limit, count]));
      // π(n): the number of primes below n
      assert.deepEqual(byLimit, {
        '100,000': '9,592', '200,000': '17,984', '300,000': '25,997', '400,000': '33,860',
        '500,000': '41,538', '600,000': '49,098', '700,000': '56,543', '800,000': '63,951',
        '900,000': '71,274', '1,000,000': '78,498', '1,500,000': '114,155', '2,000,000': '148,933',
      });
      for (const [worker] of rows) assert.match(worker, /^[AB]$/);
      if (process.env.JANUS_SCREENSHOT) await page.screenshot({ path: process.env.JANUS_SCREENSHOT, fullPage: true });
      await page.close();
    });
  });

  describe('the esbuild recipe of docs/guides/browser-setup.md in headless Chromium', () => {
    let dir;
    let files;
    before(async () => {
      dir = sampleProject(codeBlocks('docs/guides/browser-setup.md'));
      execFileSync(process.execPath, ['build.mjs'], { cwd: dir, stdio: 'pipe', timeout: 60000 });
      const pub = join(dir, 'public');
      files = createServer((req, res) => {
        const path = new URL(req.url, 'http://x').pathname;
        const file = normalize(join(pub, path === '/' ? 'index.html' : path));
        if (!file.startsWith(pub) || !existsSync(file)) return res.writeHead(404).end();
        res.writeHead(200, {
          'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        });
        res.end(readFileSync(file));
      });
      await new Promise((r) => files.listen(0, '127.0.0.1', r));
    });
    after(async () => {
      await new Promise((r) => (files ? files.close(r) : r()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('leaves new URL("./worker.js", import.meta.url) for the worker built beside it, and the page gets its items', async () => {
      assert.match(readFileSync(join(dir, 'public/main.js'), 'utf8'), /new URL\("\.\/worker\.js", import\.meta\.url\)/);
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`http://127.0.0.1:${files.address().port}/`);
      await page.waitForFunction(() => document.title.startsWith('got'), null, { timeout: 60000 });
      assert.deepEqual(errors, []);
      assert.equal(await page.title(), 'got 0,1,2');
      await page.close();
    });
  });
});
