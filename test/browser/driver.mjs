// The browsers of the browser suite, driven headless by puppeteer-core
// (Chromium over CDP, Firefox over WebDriver BiDi), and the server of the
// test pages on 127.0.0.1: COOP/COEP on every path but not-isolated ones.
// CHROMIUM_PATH and FIREFOX_PATH point elsewhere (to prove that a missing
// browser is reported).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { needs } from '../runtimes/runtimes.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript' };
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const BROWSERS = [
  { name: 'Chromium', browser: 'chrome', path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', package: 'chromium', args: CHROMIUM_FLAGS },
  { name: 'Firefox ESR', browser: 'firefox', path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', package: 'firefox-esr', args: [] },
].map((b) => ({ ...b, need: needs(`${b.name} (${b.path})`, existsSync(b.path), `apt-get install ${b.package} (.ci/run does), or set ${b.browser === 'chrome' ? 'CHROMIUM' : 'FIREFOX'}_PATH`) }));

/** Serves the package root; resolves with its base URL and a close(). */
export async function serve() {
  const server = createServer((req, res) => {
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
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Launches one of BROWSERS headless. */
export function launch(b) {
  return puppeteer.launch({ browser: b.browser, executablePath: b.path, headless: true, args: b.args });
}

/** Loads `url` in a new page until it sets window.__result; resolves with it and the page's uncaught errors. */
export async function runPage(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, { timeout: 90000 });
    return { result: await page.evaluate(() => window.__result), errors };
  } finally {
    await page.close();
  }
}
