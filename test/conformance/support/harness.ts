/**
 * Runs a batch of cases through Kafka Connect's own transforms (the Java harness), in ONE JVM.
 * The jar is built by scripts/build-connect-harness.sh, which is a no-op when it is up to date.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectSchema } from './connect-schema.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');
export const HARNESS_JAR = join(
  REPO,
  'test',
  'conformance',
  'connect-harness',
  'target',
  'connect-harness.jar',
);

export interface ConnectEnvelope {
  schema: ConnectSchema;
  payload: unknown;
}

export interface HarnessRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number | null;
  key: ConnectEnvelope | null;
  value: ConnectEnvelope | null;
  headers: Array<{ key: string; value: string | null }>;
}

export interface HarnessCase {
  id: string;
  config: Record<string, string>;
  records: HarnessRecord[];
}

export type HarnessRecordResult =
  | { error: string }
  | { filtered: true }
  | {
      topic: string;
      timestamp: number | null;
      key: ConnectEnvelope | null;
      value: ConnectEnvelope | null;
      headers: Array<{ key: string; value: string | null }>;
    };

export type HarnessResult =
  | { id: string; configError: string }
  | { id: string; results: HarnessRecordResult[] };

export function buildHarness(): void {
  execFileSync('bash', [join(REPO, 'scripts', 'build-connect-harness.sh')], { stdio: 'inherit' });
}

export function runHarness(cases: HarnessCase[]): Map<string, HarnessResult> {
  buildHarness();
  const dir = mkdtempSync(join(tmpdir(), 'connect-harness-'));
  const input = join(dir, 'cases.json');
  writeFileSync(input, JSON.stringify(cases));
  const output = execFileSync(
    'java',
    ['-Duser.timezone=UTC', '-XX:TieredStopAtLevel=1', '-jar', HARNESS_JAR, input],
    {
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    },
  );
  const results = JSON.parse(output) as HarnessResult[];
  return new Map(results.map((result) => [result.id, result]));
}
