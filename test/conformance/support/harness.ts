/**
 * The client side of the Java harness (test/conformance/connect-harness): ONE long-lived JVM running
 * Apache Kafka Connect's own transforms, fed batches of cases as JSON lines. Starting a JVM per case
 * would cost a second each; a batch of hundreds of cases costs milliseconds once the JIT is warm.
 * The jar is built by scripts/build-connect-harness.sh, a no-op when it is up to date.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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
const BUILD_SCRIPT = join(REPO, 'scripts', 'build-connect-harness.sh');

/** A Connect schema in the harness's JSON form (see ConnectJson.java). */
export interface ConnectSchemaJson {
  type: string;
  optional?: boolean;
  name?: string;
  version?: number;
  doc?: string;
  default?: unknown;
  fields?: Array<{ name: string; schema: ConnectSchemaJson }>;
  items?: ConnectSchemaJson;
  keys?: ConnectSchemaJson;
  values?: ConnectSchemaJson;
}

export interface HarnessHeader {
  key: string;
  /** A string header (Connect's addString); absent with `bytes` absent means a null header. */
  value?: string | null;
  /** A bytes header (addBytes), base64. */
  bytes?: string;
}

export interface HarnessRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Epoch millis as a decimal string (a Java long), or null. */
  timestamp: string | null;
  key: unknown;
  value: unknown;
  headers: HarnessHeader[];
}

export interface HarnessChainCase {
  kind: 'chain';
  config: Record<string, string>;
  keySchema: ConnectSchemaJson | null;
  valueSchema: ConnectSchemaJson | null;
  records: HarnessRecord[];
}

export interface HarnessDateFormatCase {
  kind: 'dateFormat';
  pattern: string;
  /** Epoch millis as decimal strings. */
  format: string[];
  parse: string[];
}

export interface HarnessRegexCase {
  kind: 'regex';
  pattern: string;
  replacement?: string;
  inputs: string[];
}

export interface HarnessParseStringCase {
  kind: 'parseString';
  inputs: string[];
}

export type HarnessCase =
  | HarnessChainCase
  | HarnessDateFormatCase
  | HarnessRegexCase
  | HarnessParseStringCase;

export interface HarnessOutputRecord {
  topic: string;
  timestamp: string | null;
  keySchema: ConnectSchemaJson | null;
  key: unknown;
  valueSchema: ConnectSchemaJson | null;
  value: unknown;
  /** Header values are the base64 of the bytes SimpleHeaderConverter writes, or null. */
  headers: Array<{ key: string; value: string | null }>;
}

export type HarnessRecordResult =
  | { error: string }
  | { filtered: true }
  | { inputError: string }
  | HarnessOutputRecord;

export type HarnessChainResult =
  | { configError: string }
  | { inputError: string }
  | { results: HarnessRecordResult[] };

export type HarnessDateFormatResult =
  | { error: string }
  | { formatted: Array<string | { error: string }>; parsed: Array<string | null | { error: string }> };

export type HarnessRegexResult =
  | { error: string }
  | {
      matches: Array<boolean | { error: string }>;
      replaced: Array<string | null | { error: string }>;
      /** Character.getType of every input code point (Java 17: Unicode 13). */
      types: Record<string, number>;
    };

export type HarnessParseStringResult = {
  results: Array<{ type: string | null; header: string | null } | { error: string }>;
};

export function buildHarness(): void {
  try {
    execFileSync('bash', [BUILD_SCRIPT], { stdio: 'inherit' });
  } catch (error) {
    throw new Error(
      `could not build the Kafka Connect harness (needs java 17+ and maven: apt-get install openjdk-17-jdk-headless maven, then bash scripts/build-connect-harness.sh): ${(error as Error).message}`,
    );
  }
  if (!existsSync(HARNESS_JAR)) throw new Error(`the harness build did not produce ${HARNESS_JAR}`);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function requireHarness(): void {
  const harnessDir = join(REPO, 'test', 'conformance', 'connect-harness');
  const sources = Math.max(
    statSync(join(harnessDir, 'pom.xml')).mtimeMs,
    newestSource(join(harnessDir, 'src')),
  );
  if (!existsSync(HARNESS_JAR) || statSync(HARNESS_JAR).mtimeMs < sources) {
    throw new Error(
      `the Kafka Connect harness is ${existsSync(HARNESS_JAR) ? 'older than its sources' : 'not built'}: run \`bash scripts/build-connect-harness.sh\` (needs java 17+ and maven; npm test runs it first)`,
    );
  }
}

/** JVM options that make Java's locale- and zone-dependent output the one we document. */
export const HARNESS_JVM_OPTIONS = ['-Duser.timezone=UTC', '-Duser.language=en', '-Duser.country=US'];

export class ConnectHarness {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  private stderr = '';
  private exited: Error | null = null;

  private constructor() {
    this.child = spawn('java', [...HARNESS_JVM_OPTIONS, '-Xss8m', '-jar', HARNESS_JAR], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    const lines = createInterface({ input: this.child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => this.pending.shift()?.resolve(line));
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`the Connect harness JVM exited (${code ?? signal}): ${this.stderr.trim()}`);
      for (const waiting of this.pending.splice(0)) waiting.reject(this.exited);
    });
    this.child.on('error', (error) => {
      this.exited = new Error(`cannot start java for the Connect harness: ${error.message}`);
      for (const waiting of this.pending.splice(0)) waiting.reject(this.exited);
    });
  }

  /**
   * Starts the JVM. Tests never build it (.ci/run runs scripts/build-connect-harness.sh first): a jar
   * that is missing or older than its sources fails with the command. `npm run conformance` builds it.
   */
  static start(options: { build?: boolean } = {}): ConnectHarness {
    if (options.build) buildHarness();
    else requireHarness();
    return new ConnectHarness();
  }

  /** Runs a batch; results come back in the order of the cases. Batches are answered in order. */
  run(cases: HarnessCase[]): Promise<unknown[]> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<string>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ cases })}\n`);
    }).then((line) => (JSON.parse(line) as { results: unknown[] }).results);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}
