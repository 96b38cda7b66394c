/**
 * `ses-kafka serve`: the SNS HTTP(S) subscription endpoint, for running in a container instead of Lambda.
 * Subscribe its URL to the SES event topic; it confirms the subscription itself and passes each verified
 * notification to the pipeline. Exits cleanly on SIGTERM/SIGINT after answering in-flight requests.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readSetting, SETTINGS } from '../config/settings.ts';
import { ConfigError, describeError } from '../errors.ts';
import { pipelineNotificationHandler } from '../http/pipeline-handler.ts';
import { DEFAULT_MAX_BODY_BYTES, type StartServerOptions, startServer } from '../http/server.ts';
import type { NotificationHandler } from '../http/sns-endpoint.ts';
import { logger } from '../observability/logger.ts';
import { buildRuntime } from '../runtime.ts';
import { commandSettings } from './settings-cli.ts';

export const ALLOWED_TOPICS_ENV = SETTINGS.snsAllowedTopicArns.env;

export interface ServeFlags {
  port?: string;
  host?: string;
  topicArn?: string[];
  maxBody?: string;
  tlsCert?: string;
  tlsKey?: string;
  local?: boolean;
}

export type ServeSettings = Omit<StartServerOptions, 'handleNotification'>;

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

function wholeNumber(raw: string, key: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(key, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Flags win over the environment; the topic list comes from --topic-arn if given, else from the env. */
export function resolveServeSettings(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): ServeSettings {
  const fromFlags = flags.topicArn ?? [];
  const fromEnv = readSetting(env, 'snsAllowedTopicArns') ?? [];
  const topicKey = fromFlags.length > 0 ? '--topic-arn' : ALLOWED_TOPICS_ENV;
  const allowedTopicArns = fromFlags.length > 0 ? fromFlags : fromEnv;
  if (allowedTopicArns.length === 0) {
    throw new ConfigError(
      '--topic-arn',
      `no SNS topic allowed; pass --topic-arn ARN (repeatable) or set ${ALLOWED_TOPICS_ENV}=ARN[,ARN...]`,
    );
  }
  for (const arn of allowedTopicArns) {
    if (!TOPIC_ARN.test(arn)) {
      throw new ConfigError(
        topicKey,
        `"${arn}" is not an SNS topic ARN (expected arn:aws:sns:<region>:<account>:<topic>)`,
      );
    }
  }
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new ConfigError(
      flags.tlsCert === undefined ? '--tls-cert' : '--tls-key',
      'give --tls-cert and --tls-key together',
    );
  }
  const settings: ServeSettings = {
    allowedTopicArns,
    host: flags.host ?? '0.0.0.0',
    port:
      flags.port === undefined
        ? (readSetting(env, 'port') as number)
        : wholeNumber(flags.port, '--port', 0, 65535),
    maxBodyBytes: wholeNumber(
      flags.maxBody ?? String(DEFAULT_MAX_BODY_BYTES),
      '--max-body',
      1,
      64 * 1024 * 1024,
    ),
  };
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    const read = (path: string, key: string) => {
      try {
        return readFile(path);
      } catch (error) {
        throw new ConfigError(key, `cannot read ${path} (${describeError(error)})`);
      }
    };
    settings.tls = { cert: read(flags.tlsCert, '--tls-cert'), key: read(flags.tlsKey, '--tls-key') };
  }
  return settings;
}

export async function runServe(
  settings: ServeSettings,
  handleNotification: NotificationHandler,
): Promise<void> {
  const running = await startServer({ ...settings, handleNotification });
  process.stdout.write(
    `ses-kafka serve: listening on ${running.url} for ${settings.allowedTopicArns.length} SNS topic(s)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info('serve: stopping', { signal });
      running.close().then(resolve, (error: unknown) => {
        logger.error('serve: close failed', { error: describeError(error) });
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run an SNS HTTP(S) subscription endpoint that verifies, confirms and forwards SES events')
    .option('--port <port>', 'TCP port (env PORT; 0 picks a free one)', undefined)
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option(
      '--topic-arn <arn>',
      `SNS TopicArn to accept, repeatable (else env ${ALLOWED_TOPICS_ENV}, comma-separated)`,
      (arn: string, previous: string[] = []) => [...previous, arn],
    )
    .option(
      '--max-body <bytes>',
      'largest request body accepted; larger gets 413',
      String(DEFAULT_MAX_BODY_BYTES),
    )
    .option('--tls-cert <file>', 'PEM certificate to serve HTTPS directly (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--local', 'default every unset pipeline setting to the local stack (ses-kafka stack up)')
    .action(async (flags: ServeFlags) => {
      let settings: ServeSettings;
      try {
        settings = resolveServeSettings(flags);
      } catch (error) {
        process.stderr.write(`ses-kafka serve: ${describeError(error)}\n`);
        process.exitCode = 2;
        return;
      }
      let runtime: ReturnType<typeof buildRuntime>;
      try {
        runtime = buildRuntime(commandSettings({ local: flags.local === true }, []).env);
      } catch (error) {
        process.stderr.write(`ses-kafka serve: configuration error: ${describeError(error)}\n`);
        process.exitCode = 2;
        return;
      }
      try {
        await runServe(settings, pipelineNotificationHandler(runtime.pipeline));
      } finally {
        await runtime.producer.close();
      }
    });
}
