/**
 * `npm run docs:config`: writes docs/configuration.md from the settings declarations.
 * `--check` only compares, and exits 1 when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigurationDoc } from '../src/config/configuration-doc.ts';
import { REPO_ROOT } from '../src/stack/paths.ts';

const file = path.join(REPO_ROOT, 'docs', 'configuration.md');
const rendered = renderConfigurationDoc();
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8');
  if (current !== rendered) {
    process.stderr.write('docs/configuration.md is stale: run npm run docs:config\n');
    process.exit(1);
  }
} else {
  writeFileSync(file, rendered);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
