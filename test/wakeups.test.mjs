// Lost wake-ups at scale, and the memory of abandoned waiters: 100,000
// asyncQ.get calls aborted or timed out, interleaved with live getters on the
// main thread and sync getters blocked in two workers (test/fixtures/
// abandoned-waiters.mjs, run in a child process with --expose-gc so the heap
// can be measured after a full collection). Every item put reaches a live
// getter, no waiter or slot is left behind, and the heap does not keep what
// the cancelled calls held: a generous bound on its growth, no timing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SLOT_COUNT } from './helpers/layout.mjs';

const run = promisify(execFile);
const FIXTURE = new URL('./fixtures/abandoned-waiters.mjs', import.meta.url).pathname;
/** A leak of one small object per cancelled call (100 k calls) would pass this by far. */
const GROWTH_LIMIT_MIB = 8;

describe('100k cancelled asyncQ.get calls among live getters in two threads', () => {
  it('every put reaches a live getter, nothing is left listed, and the abandoned waiters are collected', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', FIXTURE, '100'], { timeout: 110000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1));
    assert.equal(r.cancelled, 100000);
    assert.equal(r.lostOrTwice, false, `items put ${r.itemsPut}, got ${r.itemsGot}`);
    assert.equal(r.itemsGot, 300);
    assert.equal(r.mainGot, 100, 'each live get on the main thread got one item');
    assert.equal(r.waitersLeft, 0);
    assert.equal(r.freeSlots, SLOT_COUNT);
    assert.ok(r.heapAfterMiB - r.heapBeforeMiB < GROWTH_LIMIT_MIB, `heap grew from ${r.heapBeforeMiB} to ${r.heapAfterMiB} MiB over 100k cancelled calls`);
  });
});
