// A syncQ.put that finds a large queue full first waits (at most 1 ms) for
// maxsize / 16 free places, then for one (src/sync-wait.ts). Whatever the timing,
// it must behave like any put: released by a single free place, in order,
// honouring its timeout and shutdown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue } from 'janus-queue';
import { agentPool } from './helpers/agent.mjs';
import { PUTTERS, untilWaiters } from './helpers/waiters.mjs';

const agent = agentPool();
const MAXSIZE = 64; // asks for room for 4

function fullQueue() {
  const q = new Queue({ maxsize: MAXSIZE });
  for (let i = 0; i < MAXSIZE; i++) q.syncQ.putNowait(i);
  return q;
}

describe('a worker syncQ.put on a full queue of maxsize >= 32', () => {
  it('is released by one free place, and its item comes after the ones already there', async () => {
    const q = fullQueue();
    const a = await agent(q);
    const put = a.call('sync', 'put', 'late');
    await untilWaiters(q.handle, PUTTERS, 1);
    assert.equal(q.syncQ.getNowait(), 0); // one place: less than the 4 it asked for first
    await put;
    assert.equal(q.syncQ.qsize(), MAXSIZE);
    const rest = [];
    while (!q.syncQ.empty()) rest.push(q.syncQ.getNowait());
    assert.deepEqual(rest, [...Array.from({ length: MAXSIZE - 1 }, (_, i) => i + 1), 'late']);
  });

  it('puts in order while places free up one at a time', async () => {
    const q = fullQueue();
    const a = await agent(q);
    const puts = a.call('sync', 'putAll', ['x', 'y', 'z']);
    await untilWaiters(q.handle, PUTTERS, 1);
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(q.syncQ.getNowait()); // the worker's puts fill in behind
    await puts;
    while (!q.syncQ.empty()) taken.push(q.syncQ.getNowait());
    assert.deepEqual(taken, [...Array.from({ length: MAXSIZE }, (_, i) => i), 'x', 'y', 'z']);
  });

  it('still times out with QueueFull when nothing is taken, and leaves the queue as it was', async () => {
    const q = fullQueue();
    const a = await agent(q);
    await assert.rejects(a.call('sync', 'put', 'late', { timeout: 30 }), (e) => e.name === 'QueueFull');
    assert.equal(q.syncQ.qsize(), MAXSIZE);
    assert.equal(q.syncQ.unfinishedTasks, MAXSIZE);
  });

  it('is woken by shutdown and throws QueueShutDown', async () => {
    const q = fullQueue();
    const a = await agent(q);
    const put = a.call('sync', 'put', 'late');
    await untilWaiters(q.handle, PUTTERS, 1);
    q.asyncQ.shutdown();
    await assert.rejects(put, (e) => e.name === 'QueueShutDown');
  });
});
