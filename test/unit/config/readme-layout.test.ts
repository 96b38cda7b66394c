import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/stack/paths.ts';

/** The README's "Repository layout" block: each entry and what it says. */
function layoutEntries(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Repository layout'));
  const block = section.slice(section.indexOf('```') + 3, section.indexOf('```', section.indexOf('```') + 3));
  return block
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((entry) => entry !== '');
}

describe('README: the repository layout matches the tree', () => {
  it('names only paths that exist', () => {
    const missing = layoutEntries().filter((entry) => !existsSync(path.join(REPO_ROOT, entry)));
    assert.deepEqual(missing, []);
  });

  it('names every top-level entry of src/', () => {
    const listed = new Set(layoutEntries().map((entry) => entry.replace(/\/$/, '')));
    const unlisted = readdirSync(path.join(REPO_ROOT, 'src'))
      .map((name) => `src/${name}`)
      .filter((entry) => !listed.has(entry));
    assert.deepEqual(unlisted, [], 'add them to the layout in README.md');
  });
});
