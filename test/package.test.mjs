// The package is the product: `npm pack`, install the tarball in a fresh
// project, and use it from ESM, from CommonJS, across a worker, and from a
// strict TypeScript consumer in every module resolution mode.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'janus-queue-consumer-'));
  execFileSync(npm, ['pack', '--pack-destination', dir], { cwd: root, stdio: 'ignore' });
  // Found by listing, not from `npm pack --json`: npm 12 changed its shape
  // (an object keyed by name, not an array), and `[0].filename` then throws.
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', join(dir, tarball)], { cwd: dir, stdio: 'ignore' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const node = (file) => execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 60000 });

describe('the packed package', () => {
  it('ships only dist, README, CHANGELOG and package.json, with no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/janus-queue/package.json'), 'utf8'));
    assert.equal(pkg.dependencies, undefined);
    assert.equal(pkg.sideEffects, false);
    const files = execFileSync(npm, ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const listed = JSON.parse(files);
    const paths = (Array.isArray(listed) ? listed[0] : Object.values(listed)[0]).files.map((f) => f.path).sort(); // npm <= 11 : npm 12
    assert.deepEqual(paths, [
      'CHANGELOG.md',
      'README.md',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/redis-sync-worker.js',
      'dist/redis.cjs',
      'dist/redis.d.cts',
      'dist/redis.d.ts',
      'dist/redis.js',
      'dist/sync-fn-supervisor.js',
      'dist/sync-fn-worker.js',
      'dist/sync-fn.cjs',
      'dist/sync-fn.d.cts',
      'dist/sync-fn.d.ts',
      'dist/sync-fn.js',
      'package.json',
    ]);
  });

  it('imports from ESM and moves items between a worker and the main thread', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      `import { Queue, QueueShutDown } from 'janus-queue';
       import { Worker } from 'node:worker_threads';
       const q = new Queue({ maxsize: 2 });
       const w = new Worker(\`const { Queue } = require('janus-queue');
         const q = Queue.attach(require('node:worker_threads').workerData);
         for (let i = 0; i < 5; i++) q.syncQ.put({ i });
         q.syncQ.shutdown();\`, { eval: true, workerData: q.handle });
       const got = [];
       for await (const { i } of q.asyncQ) got.push(i);
       console.log(got.join(','), new QueueShutDown().name);`,
    );
    assert.equal(node('esm.mjs').trim(), '0,1,2,3,4 QueueShutDown');
  });

  it('requires from CommonJS, and a CJS queue attaches in an ESM worker', () => {
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `const { PriorityQueue } = require('janus-queue');
       const { Worker } = require('node:worker_threads');
       const q = new PriorityQueue();
       const w = new Worker(new URL('file://' + __dirname + '/worker.mjs'), { workerData: q.handle });
       w.on('exit', () => console.log(JSON.stringify([q.syncQ.get(), q.syncQ.get()])));`,
    );
    writeFileSync(
      join(dir, 'worker.mjs'),
      `import { PriorityQueue } from 'janus-queue';
       import { workerData } from 'node:worker_threads';
       const q = PriorityQueue.attach(workerData);
       q.syncQ.put([2, 'b']);
       q.syncQ.put([1, 'a']);`,
    );
    assert.equal(node('cjs.cjs').trim(), '[[1,"a"],[2,"b"]]');
  });

  it('janus-queue/sync-fn works from ESM and from CommonJS: a blocking call into a worker\'s async function', () => {
    writeFileSync(join(dir, 'sum-worker.mjs'), `import { runAsWorker } from 'janus-queue/sync-fn';\nrunAsWorker(async (...xs) => xs.reduce((a, b) => a + b, 0));`);
    writeFileSync(
      join(dir, 'sync-fn.mjs'),
      `import { createSyncFn, ServerGone } from 'janus-queue/sync-fn';
       const sum = createSyncFn(new URL('./sum-worker.mjs', import.meta.url));
       console.log(sum(1, 2, 3), new ServerGone('x').name);`,
    );
    writeFileSync(
      join(dir, 'sync-fn.cjs'),
      `const { createSyncFn } = require('janus-queue/sync-fn');
       const sum = createSyncFn(require('node:path').join(__dirname, 'sum-worker.mjs'));
       console.log(sum(4, 5));`,
    );
    assert.equal(node('sync-fn.mjs').trim(), '6 ServerGone');
    assert.equal(node('sync-fn.cjs').trim(), '9');
  });

  // Strict TypeScript consumers (skipLibCheck off, so the shipped .d.ts/.d.cts
  // are checked too) in each module resolution mode, as ESM and as CommonJS
  // where the mode has both. test/types/consumer.ts is the type test; its
  // lib (ES2024 + DOM) predates ESNext.Disposable.
  const tsc = (project) => {
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
    } catch (e) {
      assert.fail(`tsc -p ${project}:\n${e.stdout}${e.stderr}`);
    }
  };
  const project = (name, compilerOptions, files = ['consumer.ts']) => {
    const base = JSON.parse(readFileSync(join(root, 'test/types/tsconfig.json'), 'utf8'));
    writeFileSync(join(dir, name), JSON.stringify({ compilerOptions: { ...base.compilerOptions, ...compilerOptions }, files }));
    return name;
  };
  const packageType = (type) => writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type }));

  for (const mode of ['node16', 'nodenext']) {
    for (const type of ['module', 'commonjs']) {
      it(`type-checks a strict TypeScript consumer: moduleResolution ${mode}, package type ${type}`, () => {
        copyFileSync(join(root, 'test/types/consumer.ts'), join(dir, 'consumer.ts'));
        packageType(type);
        tsc(project(`tsconfig.${mode}.json`, { module: mode, moduleResolution: mode }));
      });
    }
  }

  it('type-checks a strict TypeScript consumer: moduleResolution bundler', () => {
    copyFileSync(join(root, 'test/types/consumer.ts'), join(dir, 'consumer.ts'));
    packageType('module');
    tsc(project('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler' }));
  });

  it('type-checks a strict TypeScript consumer: moduleResolution node10 (no "exports"; typesVersions maps sync-fn)', () => {
    copyFileSync(join(root, 'test/types/consumer.ts'), join(dir, 'consumer.ts'));
    packageType('commonjs');
    tsc(project('tsconfig.node10.json', { module: 'commonjs', moduleResolution: 'node10' }));
  });

  it('type-checks with @types/node instead of the DOM lib, on lib ES2022 (before ESNext.Disposable)', () => {
    copyFileSync(join(root, 'test/types/consumer.ts'), join(dir, 'consumer.ts'));
    packageType('module');
    tsc(project('tsconfig.node-types.json', { lib: ['ES2022'], typeRoots: [join(root, 'node_modules/@types')], types: ['node'] }));
  });

  it('type-checks `using` and `await using` of a queue with lib ESNext', () => {
    writeFileSync(
      join(dir, 'using.ts'),
      `import { Queue, PriorityQueue } from 'janus-queue';
       export function scoped(): void {
         using q = new Queue<number>();
         q.syncQ.put(1);
       }
       export async function awaited(): Promise<void> {
         await using pq = new PriorityQueue<string>();
         await pq.asyncQ.put([1, 'a']);
       }
       // @ts-expect-error: a queue's dispose takes no argument and returns nothing to use
       const n: number = new Queue()[Symbol.dispose]();
       void n;`,
    );
    packageType('module');
    tsc(project('tsconfig.using.json', { lib: ['ESNext', 'DOM'] }, ['using.ts']));
  });
});
