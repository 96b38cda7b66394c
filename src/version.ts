import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The producer version written into every record's `source` block and shown by `--version`. */
export function readPackageVersion(): string {
  // The Lambda bundle has no package.json; esbuild writes the version into this variable instead.
  if (cached === undefined && process.env.SES_KAFKA_BUNDLED_VERSION)
    cached = process.env.SES_KAFKA_BUNDLED_VERSION;
  if (cached === undefined) {
    const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cached = packageJson.version;
  }
  return cached;
}
