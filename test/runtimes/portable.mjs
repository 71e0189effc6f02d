// Runs the portable suite (suite.mjs) with one runtime, as a child process,
// and reads its output: the runtime line, every `ok` / `not ok` / `n/a`
// line, and the closing `N passed, N failed`.
import { spawn } from 'node:child_process';
import { ROOT } from './runtimes.mjs';

const SUITE = 'test/runtimes/suite.mjs';

/** Resolves with { status, signal, output, runtime, version, workers, passed, failed, failures, notAvailable }. */
export async function runPortable(rt) {
  const r = await runChild(rt.bin, [...rt.args, SUITE]);
  return { ...r, ...parse(r.output) };
}

/** Runs a program in the package root; resolves with its exit status, signal and output (stdout and stderr); killed after `ms`. */
export function runChild(bin, args, { env = process.env, ms = 300000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (output += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, output });
    });
  });
}

/** The parts of a portable run's output that the matrix and the README check use. */
export function parse(output) {
  const head = /^runtime: (\S+) (\S+); workers: (.*)$/m.exec(output);
  const closing = /^(\d+) passed, (\d+) failed$/m.exec(output);
  const lines = output.split('\n');
  return {
    runtime: head?.[1],
    version: head?.[2],
    workers: head ? head[3].split(', ') : [],
    passed: closing ? Number(closing[1]) : 0,
    failed: closing ? Number(closing[2]) : undefined,
    failures: lines.filter((l) => l.startsWith('not ok - ')).map((l) => l.slice(9)),
    notAvailable: lines.filter((l) => l.startsWith('n/a - ')).map((l) => l.slice(6).split(': ')[0]),
  };
}
