import { spawnSync } from 'node:child_process';
import { StackError } from './processes.ts';

function versionOutput(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}\n${result.stderr}`;
}

/** The Java major version on PATH, e.g. 17 from `openjdk version "17.0.15"` (or 8 from `1.8.0_392`). */
export function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match?.[1]) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] ? Number(match[2]) : major;
}

export function requireJava(minimum = 17): void {
  const output = versionOutput('java', ['-version']);
  if (output === undefined) {
    throw new StackError(
      `java ${minimum}+ not found on PATH: install a JDK (e.g. apt-get install openjdk-17-jdk-headless)`,
    );
  }
  const major = javaMajorVersion(output);
  if (major === undefined || major < minimum) {
    throw new StackError(
      `java ${minimum}+ required, found ${major ?? 'an unknown version'}: install a newer JDK`,
    );
  }
}

export function requireMaven(): void {
  if (versionOutput('mvn', ['-v']) === undefined) {
    throw new StackError('mvn not found on PATH: install Apache Maven 3.6+ (e.g. apt-get install maven)');
  }
}

export function pythonVersion(output: string): [number, number] | undefined {
  const match = /Python (\d+)\.(\d+)/.exec(output);
  return match?.[1] && match[2] ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Returns the python executable to build the moto venv with. */
export function requirePython(minimum: [number, number] = [3, 10]): string {
  for (const candidate of ['python3', 'python']) {
    const output = versionOutput(candidate, ['--version']);
    const version = output === undefined ? undefined : pythonVersion(output);
    if (version === undefined) continue;
    const [major, minor] = version;
    if (major > minimum[0] || (major === minimum[0] && minor >= minimum[1])) return candidate;
    throw new StackError(
      `python ${minimum.join('.')}+ required, found ${major}.${minor}: install a newer Python (apt-get install python3 python3-venv)`,
    );
  }
  throw new StackError(
    `python ${minimum.join('.')}+ not found on PATH: install Python 3 with venv (apt-get install python3 python3-venv)`,
  );
}
