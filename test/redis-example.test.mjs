// examples/redis/: one consumer program (consumer.mjs) run unchanged but for
// the queue's construction, over the in-memory queue in one process and over
// Redis across three processes (a real redis-server the test starts). Both
// print the same report.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { skipWithoutRedis, startRedis } from './fixtures/redis/server.mjs';

const dir = new URL('../examples/redis/', import.meta.url);
const EXPECTED = ['10 jobs done by 2 consumers', ...[...Array(10).keys()].map((i) => `${i + 1} squared is ${(i + 1) ** 2}`)].join('\n') + '\n';

function run(file, env = {}) {
  const p = spawnSync(process.execPath, [new URL(file, dir).pathname], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  assert.equal(p.status, 0, `${file}: exit ${p.status ?? p.signal}\n${p.stderr}`);
  return p.stdout;
}

describe('examples/redis: the same consumer program in memory and over Redis', { skip: skipWithoutRedis }, () => {
  let server;
  before(async () => {
    server = await startRedis();
  });
  after(() => server?.stop());

  it('both programs import the one consumer program and make only the queue themselves', () => {
    for (const file of ['in-memory.mjs', 'redis-consumer.mjs', 'run.mjs']) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      assert.match(text, /from '\.\/consumer\.mjs'/, file);
      assert.doesNotMatch(text, /for await/, `${file} does not consume by itself`);
    }
  });

  it('in memory, one process', () => {
    assert.equal(run('in-memory.mjs'), EXPECTED);
  });

  it('over Redis, three processes', () => {
    assert.equal(run('run.mjs', { REDIS_URL: server.url }), EXPECTED);
  });
});
