// The test side of agent-worker.mjs: a real worker thread attached to the
// same queue, driven command by command.
import { after } from 'node:test';
import { Worker } from 'node:worker_threads';
import { within } from './bounded.mjs';

const WORKER = new URL('./agent-worker.mjs', import.meta.url);

export class Agent {
  static async start(q, { className, codec, log } = {}) {
    const a = new Agent(q, className ?? q.handle.kind, codec, log);
    await within(a.ready, 'agent worker start');
    return a;
  }

  constructor(q, className, codec, log) {
    this.pending = new Map();
    this.nextId = 0;
    this.worker = new Worker(WORKER, { workerData: { handle: q.handle, className, codec, log } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      });
    });
    this.worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  /** Sends a command; the promise settles with its result. Commands run in order. */
  call(face, op, ...args) {
    const id = this.nextId++;
    const result = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ id, face, op, args });
    const settled = within(result, `worker ${face}.${op}`);
    // A test may await an expected rejection later than it happens; that is
    // not an unhandled rejection.
    settled.catch(() => {});
    return settled;
  }

  stop() {
    return this.worker.terminate();
  }
}

/** A function that starts agents for a test file and stops them all after it. */
export function agentPool() {
  const started = [];
  after(() => Promise.all(started.map((a) => a.stop())));
  return async (q, opts) => {
    const a = await Agent.start(q, opts);
    started.push(a);
    return a;
  };
}
