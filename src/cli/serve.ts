/**
 * `ses-kafka serve`: the SNS HTTP(S) subscription endpoint, for running in a container instead of Lambda.
 * Subscribe its URL to the SES event topic; it confirms the subscription itself and passes each verified
 * notification to the pipeline. On SIGTERM/SIGINT it stops accepting connections, answers the requests
 * in flight (forcing them closed after the shutdown grace period), closes the producer and exits 0.
 * In a container run it as `node bin/ses-kafka.js serve` (exec form), not through npx: npm exec does not
 * pass the signal on, so stopping the npx process would leave the server running.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readSetting, SETTINGS, type SettingKey } from '../config/settings.ts';
import { ConfigError, describeError } from '../errors.ts';
import { createCertificateStore } from '../http/certificate-store.ts';
import { pipelineNotificationHandler } from '../http/pipeline-handler.ts';
import { type StartServerOptions, startServer } from '../http/server.ts';
import type { NotificationHandler } from '../http/sns-endpoint.ts';
import { logger } from '../observability/logger.ts';
import { buildRuntime } from '../runtime.ts';
import { resolveSecretReferences } from '../secrets/secret-references.ts';
import { reportCommandError } from './exit.ts';
import { addLocalOption, addSettingOptions, commandConfigError, commandSettings } from './settings-cli.ts';

export const ALLOWED_TOPICS_ENV = SETTINGS.snsAllowedTopicArns.env;

/** The settings of the endpoint itself; the pipeline's are the Lambda's (environment, or --local). */
export const SERVE_SETTINGS = [
  'snsAllowedTopicArns',
  'port',
  'serveHost',
  'serveMaxBodyBytes',
  'snsMaxMessageAgeSeconds',
  'snsRequireSignatureVersion',
  'snsCertDir',
  'snsMaxConnections',
  'snsRequestTimeoutSeconds',
  'serveTlsCertFile',
  'serveTlsKeyFile',
] as const satisfies readonly SettingKey[];

export interface ServeFlags {
  local?: boolean;
  /** Flags of SERVE_SETTINGS, by commander property name (topicArn, port, maxMessageAge …). */
  [flag: string]: unknown;
}

export type ServeSettings = Omit<StartServerOptions, 'handleNotification'>;

/** How often serve checks that the process that started it is still there (see runServe). */
const PARENT_CHECK_MS = 1_000;

/** How long in-flight requests may take to finish after SIGTERM before their connections are cut. */
const SHUTDOWN_GRACE_MS = 20_000;

/**
 * The endpoint's settings: flags win over their variables (see SERVE_SETTINGS); errors name the flag
 * when the value came from one.
 */
export function resolveServeSettings(
  flags: ServeFlags,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): ServeSettings {
  const settings = commandSettings(flags, SERVE_SETTINGS, baseEnv);
  try {
    return readServeSettings(settings.env, readFile);
  } catch (error) {
    throw error instanceof ConfigError ? commandConfigError(error, settings) : error;
  }
}

function readServeSettings(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => Buffer,
): ServeSettings {
  const allowedTopicArns = readSetting(env, 'snsAllowedTopicArns') ?? [];
  if (allowedTopicArns.length === 0) {
    throw new ConfigError(
      ALLOWED_TOPICS_ENV,
      `required: no SNS topic allowed; pass --topic-arn ARN (repeatable) or set ${ALLOWED_TOPICS_ENV}=ARN[,ARN...]`,
    );
  }
  const certFile = readSetting(env, 'serveTlsCertFile');
  const keyFile = readSetting(env, 'serveTlsKeyFile');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(
      certFile === undefined ? SETTINGS.serveTlsCertFile.env : SETTINGS.serveTlsKeyFile.env,
      'give the TLS certificate and its key together (--tls-cert and --tls-key)',
    );
  }
  const settings: ServeSettings = {
    allowedTopicArns,
    host: readSetting(env, 'serveHost') as string,
    port: readSetting(env, 'port') as number,
    maxBodyBytes: readSetting(env, 'serveMaxBodyBytes') as number,
    maxMessageAgeMs: (readSetting(env, 'snsMaxMessageAgeSeconds') as number) * 1000,
    requestTimeoutMs: (readSetting(env, 'snsRequestTimeoutSeconds') as number) * 1000,
  };
  const version = readSetting(env, 'snsRequireSignatureVersion');
  if (version !== undefined) settings.requireSignatureVersion = version;
  const connections = readSetting(env, 'snsMaxConnections');
  if (connections !== undefined) settings.maxConnections = connections;
  const certDir = readSetting(env, 'snsCertDir');
  // Read and checked now, so a bad directory stops start-up instead of failing the first message.
  if (certDir !== undefined) settings.certificates = createCertificateStore({ pinnedDir: certDir });
  if (certFile !== undefined && keyFile !== undefined) {
    const read = (path: string, key: string) => {
      try {
        return readFile(path);
      } catch (error) {
        throw new ConfigError(key, `cannot read ${path} (${describeError(error)})`);
      }
    };
    settings.tls = {
      cert: read(certFile, SETTINGS.serveTlsCertFile.env),
      key: read(keyFile, SETTINGS.serveTlsKeyFile.env),
    };
  }
  return settings;
}

/** The pid of the `npm exec` (npx) process this one runs under, if any; Linux only (reads /proc). */
function npmExecAncestor(): number | undefined {
  let pid = process.ppid;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    let stat: string;
    let commandLine: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return undefined;
    }
    if (/\bnpm exec\b|\bnpx\b|npm-cli\.js exec/.test(commandLine)) return pid;
    // The field after the parenthesised command name, then state, is the parent pid.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(parent)) return undefined;
    pid = parent;
  }
  return undefined;
}

/** Alive and not a zombie (an exited process its parent has not reaped yet still answers kill 0). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function runServe(
  settings: ServeSettings,
  handleNotification: NotificationHandler,
): Promise<void> {
  // Looked up before anything can be killed: once the launcher is gone and this process re-parented,
  // the chain that leads to it cannot be walked any more.
  const launcher = npmExecAncestor();
  const running = await startServer({ ...settings, handleNotification });
  process.stdout.write(
    `ses-kafka serve: listening on ${running.url} for ${settings.allowedTopicArns.length} SNS topic(s)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info('serve: stopping; answering requests in flight', { signal });
      // Past the grace period, requests still open are cut: an unanswered SNS delivery is retried.
      const force = setTimeout(() => running.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
      running.close().then(
        () => {
          clearTimeout(force);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(force);
          logger.error('serve: close failed', { error: describeError(error) });
          resolve();
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    // Started through `npx ses-kafka serve`, this process runs under npm exec (via `sh -c`), and killing
    // npm exec does not pass the signal on: the server would run on, re-parented. When the npm exec that
    // started us is gone, stop as on SIGTERM. (In a container, run `node bin/ses-kafka.js serve`.)
    if (launcher !== undefined) {
      const watch = setInterval(() => {
        if (isAlive(launcher)) return;
        clearInterval(watch);
        stop('SIGTERM');
      }, PARENT_CHECK_MS);
      watch.unref();
    }
  });
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('run an SNS HTTP(S) subscription endpoint that verifies, confirms and forwards SES events');
  addSettingOptions(command, SERVE_SETTINGS, { snsAllowedTopicArns: { repeatable: true } });
  addLocalOption(command).action(async (flags: ServeFlags) => {
    let settings: ServeSettings;
    try {
      settings = resolveServeSettings(flags);
    } catch (error) {
      process.exitCode = reportCommandError('serve', error);
      return;
    }
    let runtime: ReturnType<typeof buildRuntime>;
    try {
      // Secrets given as Secrets Manager / SSM ARNs are read once, here, before anything is built.
      runtime = buildRuntime(
        await resolveSecretReferences(commandSettings({ local: flags.local === true }, []).env),
      );
    } catch (error) {
      process.exitCode = reportCommandError('serve', error);
      return;
    }
    try {
      await runServe(settings, pipelineNotificationHandler(runtime.pipeline));
    } finally {
      await runtime.producer.close();
    }
  });
}
