import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/stack/paths.ts';

/**
 * The interop tools are built by scripts/prepare-interop.sh, which .ci/run runs before the tests: a test
 * never installs or builds anything itself. When a tool is missing or older than its sources, the test
 * fails with the command that builds it.
 */

export const HARNESS_DIR = path.join(REPO_ROOT, 'test/interop/glue-java');
export const INTEROP_VENV = process.env.INTEROP_VENV ?? path.join(REPO_ROOT, '.stack/interop-venv');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function requireBuilt(part: 'java' | 'python', marker: string, sourcesNewest: number): void {
  const built = existsSync(marker) ? statSync(marker).mtimeMs : undefined;
  if (built === undefined || built < sourcesNewest) {
    throw new Error(
      `the ${part} interop tool is ${built === undefined ? 'not built' : 'older than its sources'}: run \`bash scripts/prepare-interop.sh ${part}\` (npm test runs it first)`,
    );
  }
}

/** The classpath for `java -cp`, after building the harness if needed. */
export async function javaHarnessClasspath(): Promise<string> {
  const classpathFile = path.join(HARNESS_DIR, 'target/classpath.txt');
  requireBuilt(
    'java',
    classpathFile,
    Math.max(
      statSync(path.join(HARNESS_DIR, 'pom.xml')).mtimeMs,
      newestSource(path.join(HARNESS_DIR, 'src')),
    ),
  );
  return [path.join(HARNESS_DIR, 'target/classes'), readFileSync(classpathFile, 'utf8').trim()].join(
    path.delimiter,
  );
}

/** The venv's python, after creating the venv from test/interop/requirements.txt if needed. */
export async function interopPython(): Promise<string> {
  requireBuilt(
    'python',
    path.join(INTEROP_VENV, '.requirements.sha256'),
    statSync(path.join(REPO_ROOT, 'test/interop/requirements.txt')).mtimeMs,
  );
  return path.join(INTEROP_VENV, 'bin/python');
}

/**
 * Runs one of the harness's line-oriented tools (SchemaText, ReaderWriterCompatibility) once over many
 * inputs, one per stdin line, in one JVM; returns its answers, one per input, in order.
 */
export async function javaLines(
  classpath: string,
  mainClass: string,
  lines: readonly string[],
): Promise<string[]> {
  const child = spawn('java', ['-cp', classpath, mainClass], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(`${lines.join('\n')}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`java ${mainClass} exited ${code}: ${stderr.slice(-2000)}`);
  // SLF4J's start-up notice goes to stdout on some set-ups: answers are the lines our tools print.
  const answers = stdout.split('\n').filter((line) => /^(OK |ERR |COMPATIBLE$|INCOMPATIBLE$)/.test(line));
  if (answers.length !== lines.length) {
    throw new Error(
      `java ${mainClass}: ${answers.length} answers for ${lines.length} inputs: ${stderr.slice(-2000)}`,
    );
  }
  return answers;
}
