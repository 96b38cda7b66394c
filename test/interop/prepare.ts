import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../src/stack/paths.ts';

/** Builds the interop tools on demand through scripts/prepare-interop.sh (a no-op when up to date). */

const execFileAsync = promisify(execFile);
const PREPARE = path.join(REPO_ROOT, 'scripts/prepare-interop.sh');
export const HARNESS_DIR = path.join(REPO_ROOT, 'test/interop/glue-java');
export const INTEROP_VENV = process.env.INTEROP_VENV ?? path.join(REPO_ROOT, '.stack/interop-venv');

async function prepare(part: 'java' | 'python'): Promise<void> {
  try {
    await execFileAsync(PREPARE, [part], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `could not prepare the ${part} interop tool with ${PREPARE} ${part} (run it by hand to see progress):\n` +
        `${failed.stderr ?? ''}${failed.stdout ?? ''}`.trim().slice(-4000),
    );
  }
}

/** The classpath for `java -cp`, after building the harness if needed. */
export async function javaHarnessClasspath(): Promise<string> {
  await prepare('java');
  const classpathFile = path.join(HARNESS_DIR, 'target/classpath.txt');
  if (!existsSync(classpathFile)) throw new Error(`${classpathFile} missing after the build`);
  return [path.join(HARNESS_DIR, 'target/classes'), readFileSync(classpathFile, 'utf8').trim()].join(
    path.delimiter,
  );
}

/** The venv's python, after creating the venv from test/interop/requirements.txt if needed. */
export async function interopPython(): Promise<string> {
  await prepare('python');
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
