// The portable suite (test/runtimes/suite.mjs) with every runtime of the
// matrix that is installed: the Node running this, and the pinned Node 22
// and 24, Bun and Deno (`npm run runtimes:install`). A runtime that is not
// installed is skipped with a message saying how to install it, or fails
// with JANUS_REQUIRE_ALL=1 (CI). Then the README's Runtimes table is
// checked against the pinned versions and against what the runs printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPortable } from './portable.mjs';
import { INSTALL_RUNTIMES, needs, runtimes } from './runtimes.mjs';
import { ROW_NAMES, expectedVersions, readmeTable, rowProblems } from './table.mjs';

const runs = new Map(); // runtime name -> portable runs
const all = runtimes();

describe('the portable suite', () => {
  for (const rt of all) {
    const label = `${rt.name} ${rt.version}${rt.pinned ? '' : " (the Node running the tests)"}`;
    const need = needs(`${rt.name} ${rt.version} (${rt.bin})`, rt.installed, INSTALL_RUNTIMES);
    it(`passes on ${label}, with every kind of worker it offers`, need.options, async () => {
      need.require();
      const r = await runPortable(rt);
      assert.equal(r.signal, null, `killed by the bound: a hang\n${r.output.slice(-3000)}`);
      assert.deepEqual(r.failures, [], r.output.slice(-6000));
      assert.equal(r.status, 0, r.output.slice(-3000));
      assert.equal(r.failed, 0, r.output.slice(-3000));
      assert.ok(r.passed >= 15, `only ${r.passed} checks passed`);
      assert.equal(r.version, rt.version);
      if (!runs.has(rt.name)) runs.set(rt.name, []);
      runs.get(rt.name).push(r);
    });
  }
});

describe("the README's Runtimes table", () => {
  const table = readmeTable();

  it(`has one row for each of ${ROW_NAMES.join(', ')}, and lists exactly the pinned versions (test/runtimes/runtimes.json)`, () => {
    assert.deepEqual(Object.keys(table), ROW_NAMES);
    for (const name of ['Node', 'Bun', 'Deno']) {
      const listed = table[name]['versions tested'].match(/\d+(\.\d+)*/g) ?? [];
      assert.deepEqual(listed, expectedVersions(name), `${name}: the table says ${table[name]['versions tested']}`);
    }
    assert.match(table.Chromium['versions tested'], /Debian's chromium package/);
    assert.match(table['Firefox ESR']['versions tested'], /Debian's firefox-esr package/);
  });

  // Runs after the suites above (node:test runs them in order): each row that ran says what its runs printed.
  it('says, for each runtime that ran here, the worker kinds it ran with and each thing it printed as not available', () => {
    const known = [...new Set([...runs.values()].flat().flatMap((r) => r.notAvailable))];
    const problems = [...runs].flatMap(([name, rs]) => rowProblems(table[name], rs, known).map((p) => `${name}: ${p}`));
    assert.deepEqual(problems, []);
  });
});
