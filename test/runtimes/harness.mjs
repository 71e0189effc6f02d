// The portable suite's runner: no test framework, so the same files run
// unchanged under `node`, `bun` and `deno run -A`. Each check is bounded (a
// hang fails its check instead of the run); one line per check: `ok - …`,
// `not ok - …`, or `n/a - …: why` for what this runtime does not offer; and a
// closing line `N passed, N failed`.
import * as wt from 'node:worker_threads';

const BOUND_MS = 60000;
const checks = [];

/** Registers a check: `fn` returns a promise (or nothing) and throws on failure. */
export function check(name, fn) {
  checks.push({ name, fn });
}

/** Records what this runtime does not offer (printed as `n/a`, counted neither way). */
export function notAvailable(name, why) {
  checks.push({ name, why });
}

/** `deno 2.9.6`, `bun 1.4.5` or `node 20.20.2`. */
export function runtimeName() {
  if (globalThis.Deno?.version?.deno) return `deno ${globalThis.Deno.version.deno}`;
  if (process.versions.bun) return `bun ${process.versions.bun}`;
  return `node ${process.versions.node}`;
}

/** The kinds of worker this runtime offers: `worker_threads` always here, web `Worker` where it is a global. */
export const WORKER_KINDS = typeof globalThis.Worker === 'function' ? ['worker_threads', 'web'] : ['worker_threads'];

const ROLES = new URL('./roles.mjs', import.meta.url);

/**
 * Starts roles.mjs in a worker of `kind` to play `role` with `data`. The
 * worker answers once; `result` settles with it (or with the worker's error
 * or early exit). `stop()` ends the worker; `worker` is the Worker itself.
 */
export function spawn(kind, role, data) {
  let settle;
  const result = new Promise((resolve, reject) => {
    settle = (m) => (m.error === undefined ? resolve(m.value) : reject(new Error(`${role} in a ${kind} worker: ${m.error}`)));
  });
  result.catch(() => {}); // a check that never awaits it does not leave an unhandled rejection
  if (kind === 'worker_threads') {
    const worker = new wt.Worker(ROLES, { workerData: { role, data } });
    worker.on('message', settle);
    worker.on('error', (e) => settle({ error: String(e?.stack ?? e) }));
    worker.on('exit', (code) => settle({ error: `exited (code ${code}) before it answered` }));
    return { worker, result, stop: () => worker.terminate() };
  }
  const worker = new Worker(ROLES, { type: 'module' });
  worker.onmessage = ({ data: m }) => settle(m);
  worker.onerror = (e) => {
    e.preventDefault?.();
    settle({ error: String(e?.message ?? e) });
  };
  worker.postMessage({ role, data });
  return { worker, result, stop: async () => worker.terminate() };
}

/** Runs the checks in order, prints one line each and the closing line; resolves with the failure count. */
export async function run() {
  console.log(`runtime: ${runtimeName()}; workers: ${WORKER_KINDS.join(', ')}`);
  let passed = 0;
  let failed = 0;
  for (const c of checks) {
    if (c.why !== undefined) {
      console.log(`n/a - ${c.name}: ${c.why}`);
      continue;
    }
    let timer;
    try {
      const bound = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no result within ${BOUND_MS} ms (a hang)`)), BOUND_MS);
      });
      await Promise.race([Promise.resolve().then(c.fn), bound]);
      passed++;
      console.log(`ok - ${c.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${c.name}\n  ${String(e?.stack ?? e).replaceAll('\n', '\n  ')}`);
    } finally {
      clearTimeout(timer);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

/** Resolves once `cond()` holds; rejects after `ms` (polls: for waiting on another thread's state). */
export async function until(cond, what, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
