// A tiny static server for the browser example: it serves the package folder
// with the two headers that make a page cross-origin isolated, which is what
// gives it SharedArrayBuffer. Run: npm run example:browser (builds dist first),
// then open the address it prints. `node serve.mjs 0` picks a free port.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url)); // so ../../dist/index.js resolves
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/') return res.writeHead(302, { location: '/examples/browser/' }).end();
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    return res.writeHead(404).end('not found');
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cross-origin-opener-policy': 'same-origin', // these two make the page cross-origin isolated
    'cross-origin-embedder-policy': 'require-corp',
  });
  createReadStream(file).pipe(res);
});

server.listen(Number(process.argv[2] ?? process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}/examples/browser/`);
});
