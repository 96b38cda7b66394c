import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The producer version written into every record's `source` block and shown by `--version`. */
export function readPackageVersion(): string {
  if (cached === undefined) {
    const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cached = packageJson.version;
  }
  return cached;
}
