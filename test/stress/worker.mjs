// One stress participant in a worker thread: a producer, a consumer, a joiner
// or the shutter, making random calls (timeouts, aborts, *Nowait) for its share of the run.
import { parentPort, workerData } from 'node:worker_threads';
import * as janus from 'janus-queue';
import { rng } from './rng.mjs';
import { consume, join, produce, shutter } from './roles.mjs';

const { cfg, handle, role, id, seed, deadline, shut } = workerData;
const q = janus[cfg.className].attach(handle);
const r = rng(seed);
const result =
  role === 'producer' ? await produce(q, r, id, deadline, cfg)
  : role === 'consumer' ? await consume(q, r, id)
  : role === 'joiner' ? await join(q, r, id)
  : shutter(q, r, id, shut);
parentPort.postMessage(result);
