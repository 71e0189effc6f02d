// A misspelled call option is a TypeError naming the known ones, on every
// call of both faces (it used to be ignored: get({ timout: 100 }) waited for
// ever); async calls reject rather than throw; the queue is unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue } from 'janus-queue';

const known = (names) => (e) => e instanceof TypeError && /unknown .* option "timout"/.test(e.message) && names.every((n) => e.message.includes(n));

describe('call options are checked', () => {
  it('syncQ: put, get, putMany, getMany, join refuse an unknown option and change nothing', () => {
    const q = new Queue({ maxsize: 2 });
    q.syncQ.put('a');
    assert.throws(() => q.syncQ.put('b', { timout: 100 }), known(['block', 'timeout']));
    assert.throws(() => q.syncQ.putMany(['b'], { timout: 100 }), known(['block', 'timeout']));
    assert.throws(() => q.syncQ.get({ timout: 100 }), known(['block', 'timeout']));
    assert.throws(() => q.syncQ.getMany(1, { timout: 100 }), known(['block', 'timeout']));
    assert.throws(() => q.syncQ.join({ timout: 100 }), known(['timeout']));
    assert.throws(() => q.syncQ.get('100'), TypeError);
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.unfinishedTasks, 1);
  });

  it('asyncQ: put, get, putMany, getMany, join reject an unknown option and change nothing', async () => {
    const q = new Queue({ maxsize: 2 });
    q.syncQ.put('a');
    for (const call of [() => q.asyncQ.put('b', { timout: 1 }), () => q.asyncQ.putMany(['b'], { timout: 1 }), () => q.asyncQ.get({ timout: 1 }), () => q.asyncQ.getMany(1, { timout: 1 }), () => q.asyncQ.join({ timout: 1 })]) {
      const p = call();
      assert.ok(p instanceof Promise);
      await assert.rejects(p, known(['timeout', 'signal']));
    }
    assert.equal(q.syncQ.qsize(), 1);
    assert.equal(q.syncQ.get(), 'a');
  });

  it('the known options still work, and an options object with only undefined values is fine', async () => {
    const q = new Queue({ maxsize: 1 });
    q.syncQ.put(1, { block: true, timeout: undefined });
    assert.equal(await q.asyncQ.get({ timeout: 10, signal: undefined }), 1);
    assert.throws(() => q.syncQ.get({ block: false }), { name: 'QueueEmpty' });
  });
});
