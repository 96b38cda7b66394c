import { execFile } from 'node:child_process';
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
