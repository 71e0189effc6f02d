// The README stays a newcomer's first page: short, and every link it has
// leads somewhere in this repository (a file, and the heading an #anchor
// names). Its code runs (test/guides.test.mjs) and its Runtimes table is
// checked (test/runtimes/runtimes.test.mjs).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { root } from './helpers/markdown.mjs';

const README = readFileSync(join(root, 'README.md'), 'utf8');
const MAX_WORDS = 900; // as `wc -w README.md` counts them, code and tables included

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replaceAll(' ', '-');

/** The anchors of a Markdown file's headings (outside fenced code). */
function anchors(file) {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}

/** The targets of the README's Markdown links, outside fenced code. */
const links = [...README.replace(/^```[\s\S]*?^```/gm, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);

describe('README.md', () => {
  it(`has at most ${MAX_WORDS} words`, () => {
    const words = README.split(/\s+/).filter(Boolean).length;
    assert.ok(words <= MAX_WORDS, `${words} words; move the detail into the page of docs/ it belongs to`);
  });

  it('links only to files of this repository that exist, and to headings they have (or to web pages)', () => {
    assert.ok(links.length > 10, `only ${links.length} links found`);
    const problems = [];
    for (const link of links) {
      if (/^https?:\/\//.test(link)) continue;
      const [path, anchor] = link.split('#');
      const file = normalize(join(root, path || 'README.md'));
      if (relative(root, file).startsWith('..') || path.startsWith('/')) problems.push(`${link}: outside the repository`);
      else if (!existsSync(file)) problems.push(`${link}: no such file`);
      else if (anchor !== undefined && !(statSync(file).isFile() && anchors(file).has(anchor))) problems.push(`${link}: no heading #${anchor} in ${relative(root, file)}`);
    }
    assert.deepEqual(problems, []);
  });

  it("says that a PriorityQueue's items are [priority, value] pairs and get() returns the pair", () => {
    assert.match(README, /`PriorityQueue`'s items are `\[priority, value\]` pairs/);
    assert.match(README, /`get\(\)` returns the whole pair/);
  });

  it('has the sections a newcomer looks for', () => {
    const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    for (const h of ['Two commands', 'API in brief', 'Speed', 'Runtimes', 'Files', 'Limitations', 'Read next']) assert.ok(headings.includes(h), `no "## ${h}" (headings: ${headings.join(', ')})`);
    assert.match(README, /^npm ci && npm run example/m);
    assert.match(README, /^npm test/m);
  });
});
