import { type ExecFileOptions, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class StackError extends Error {
  override readonly name = 'StackError';
}

/** Runs an install step to completion; on failure the error shows the command and the tail of its output. */
export function runInstallStep(
  command: string,
  args: string[],
  options: ExecFileOptions = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new StackError(`could not run "${command}": not found on PATH`));
        const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
        reject(
          new StackError(
            `"${command} ${args.join(' ')}" failed (${error.message.split('\n')[0]}):\n${output}`,
          ),
        );
      },
    );
  });
}

export interface DetachedProcess {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}

/**
 * Starts a server in its own process group, detached from the CLI, with stdout and stderr in its log
 * file. The pid file is what `stack down` later uses, so only what we started is ever stopped.
 */
export function startDetached(spec: DetachedProcess): number {
  mkdirSync(path.dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new StackError(`could not start ${spec.command}`);
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops the process group we started (SIGTERM, then SIGKILL after the grace period) and removes the pid file. */
export async function stopProcessGroup(pidFile: string, graceMs = 15_000): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === undefined) return false;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  };
  const wasAlive = isAlive(pid);
  if (wasAlive) {
    signalGroup('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) signalGroup('SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  rmSync(pidFile, { force: true });
  return wasAlive;
}

export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const finish = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Polls a health check until it passes, the process dies, or the time runs out. */
export async function waitUntilHealthy(
  name: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; pid?: number; logFile: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (options.pid !== undefined && !isAlive(options.pid)) {
      throw new StackError(
        `${name} exited during start-up; see its log: ${options.logFile}\n${tail(options.logFile)}`,
      );
    }
    await sleep(250);
  }
  throw new StackError(
    `${name} was not healthy after ${options.timeoutMs / 1000}s; see its log: ${options.logFile}\n${tail(options.logFile)}`,
  );
}

export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log yet)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
