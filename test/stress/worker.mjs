// One stress participant: a producer or a consumer, on either face, making
// random calls (timeouts, aborts, *Nowait) for its share of the run.
import { workerData, parentPort } from 'node:worker_threads';
import * as janus from 'janus-queue';
import { rng } from './rng.mjs';
import { consume, produce } from './roles.mjs';

const { className, handle, role, id, seed, deadline } = workerData;
const q = janus[className].attach(handle);
const r = rng(seed);
const result = role === 'producer' ? await produce(q, r, id, deadline, className) : await consume(q, r, id);
parentPort.postMessage(result);
