import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../src/stack/paths.ts';

const run = promisify(execFile);

/**
 * A private Kafka broker for fault tests, run by the stack code itself in a child process under its own
 * STACK_HOME and ports, so a test can stop and restart it without touching the shared broker on 9092
 * that other tests use. Downloads are shared through STACK_CACHE_DIR; the data folder persists across
 * stop/start, so topics created before a stop are still there after the restart.
 */
export class FaultBroker {
  readonly port: number;
  readonly home: string;

  /**
   * The ports default to a random block, not a fixed one: another checkout's fault test on the same
   * machine may hold a fixed port, and `stack up` would then reuse that broker (a server it did not
   * start) and `stack down` would leave it running, so the test would stop nothing.
   */
  constructor(options: { port?: number; home?: string } = {}) {
    // Below Linux's ephemeral range (32768 and up): a block there can be taken by any outgoing
    // connection's local port, and Kafka then fails to bind (it did once in CI).
    this.port = options.port ?? 21_000 + Math.floor(Math.random() * 2_750) * 4;
    this.home = options.home ?? path.join(REPO_ROOT, '.stack', `fault-broker-${this.port}`);
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The env the stack CLI reads: its own home and four consecutive ports; the shared download cache. */
  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      STACK_HOME: this.home,
      STACK_CACHE_DIR: path.join(REPO_ROOT, '.stack', 'cache'),
      STACK_KAFKA_PORT: String(this.port),
      STACK_KAFKA_CONTROLLER_PORT: String(this.port + 1),
      STACK_KAFKA_SCRAM_PORT: String(this.port + 2),
      STACK_KAFKA_OAUTH_PORT: String(this.port + 3),
      // One more JVM on a shared machine: keep it small.
      STACK_KAFKA_HEAP: process.env.STACK_KAFKA_HEAP ?? '384m',
    };
  }

  /** Starts the broker (a no-op when it already runs) and waits until it is healthy. Returns the ms taken. */
  async start(): Promise<number> {
    const ms = await this.#stack('up');
    if (!existsSync(path.join(this.home, 'run', 'kafka', 'kafka.pid'))) {
      throw new Error(
        `port ${this.port} is served by a broker this test did not start, so it could not stop it; pick another port`,
      );
    }
    return ms;
  }

  /** Stops the broker the way `stack down` does (by its pid file) and waits until it is gone. */
  stop(): Promise<number> {
    return this.#stack('down');
  }

  /** Stops the broker and deletes its home (data, logs): each test run gets a fresh one. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.home, { recursive: true, force: true });
  }

  async #stack(action: 'up' | 'down'): Promise<number> {
    const started = Date.now();
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    try {
      await run(tsx, [path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'stack', action, 'kafka'], {
        cwd: REPO_ROOT,
        env: this.env(),
        timeout: 240_000,
      });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`stack ${action} kafka (STACK_HOME=${this.home}) failed:\n${stdout}\n${stderr}`, {
        cause: error,
      });
    }
    return Date.now() - started;
  }
}
