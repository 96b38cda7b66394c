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
import { withLocalDefaults } from '../config/local-env.ts';
import { ConfigError, describeError } from '../errors.ts';
import { createCertificateStore } from '../http/certificate-store.ts';
import { pipelineNotificationHandler } from '../http/pipeline-handler.ts';
import { DEFAULT_MAX_MESSAGE_AGE_MS } from '../http/replay-guard.ts';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type StartServerOptions,
  startServer,
} from '../http/server.ts';
import type { NotificationHandler } from '../http/sns-endpoint.ts';
import { logger } from '../observability/logger.ts';
import { buildRuntime } from '../runtime.ts';
import { resolveSecretReferences } from '../secrets/secret-references.ts';

export const ALLOWED_TOPICS_ENV = 'SES_KAFKA_SNS_ALLOWED_TOPIC_ARNS';
/** The serve settings that may also come from the environment (flags win). */
export const SERVE_ENV = {
  maxMessageAge: 'SES_KAFKA_SNS_MAX_MESSAGE_AGE_SECONDS',
  requireSignatureVersion: 'SES_KAFKA_SNS_REQUIRE_SIGNATURE_VERSION',
  certDir: 'SES_KAFKA_SNS_CERT_DIR',
  maxConnections: 'SES_KAFKA_SNS_MAX_CONNECTIONS',
  requestTimeout: 'SES_KAFKA_SNS_REQUEST_TIMEOUT_SECONDS',
} as const;

export interface ServeFlags {
  port?: string;
  host?: string;
  topicArn?: string[];
  maxBody?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxMessageAge?: string;
  requireSignatureVersion?: string;
  snsCertDir?: string;
  maxConnections?: string;
  requestTimeout?: string;
  local?: boolean;
}

export type ServeSettings = Omit<StartServerOptions, 'handleNotification'>;

/** How long in-flight requests may take to finish after SIGTERM before their connections are cut. */
const SHUTDOWN_GRACE_MS = 20_000;

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
  const fromEnv = (env[ALLOWED_TOPICS_ENV] ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
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
    port: wholeNumber(
      flags.port ?? env.PORT ?? '8080',
      flags.port === undefined && env.PORT ? 'PORT' : '--port',
      0,
      65535,
    ),
    maxBodyBytes: wholeNumber(
      flags.maxBody ?? String(DEFAULT_MAX_BODY_BYTES),
      '--max-body',
      1,
      64 * 1024 * 1024,
    ),
  };
  const fromFlagOrEnv = (flag: string | undefined, flagName: string, envName: string) =>
    flag !== undefined
      ? { raw: flag, key: flagName }
      : env[envName]
        ? { raw: env[envName] as string, key: envName }
        : undefined;
  const maxAge = fromFlagOrEnv(flags.maxMessageAge, '--max-message-age', SERVE_ENV.maxMessageAge);
  settings.maxMessageAgeMs =
    maxAge === undefined
      ? DEFAULT_MAX_MESSAGE_AGE_MS
      : wholeNumber(maxAge.raw, maxAge.key, 1, 7 * 86_400) * 1000;
  const version = fromFlagOrEnv(
    flags.requireSignatureVersion,
    '--require-signature-version',
    SERVE_ENV.requireSignatureVersion,
  );
  if (version !== undefined) {
    if (version.raw !== '1' && version.raw !== '2') {
      throw new ConfigError(version.key, `expected 1 or 2, got "${version.raw}"`);
    }
    settings.requireSignatureVersion = version.raw;
  }
  const connections = fromFlagOrEnv(flags.maxConnections, '--max-connections', SERVE_ENV.maxConnections);
  if (connections !== undefined) {
    settings.maxConnections = wholeNumber(connections.raw, connections.key, 1, 1_000_000);
  }
  const timeout = fromFlagOrEnv(flags.requestTimeout, '--request-timeout', SERVE_ENV.requestTimeout);
  settings.requestTimeoutMs =
    timeout === undefined ? DEFAULT_REQUEST_TIMEOUT_MS : wholeNumber(timeout.raw, timeout.key, 1, 600) * 1000;
  const certDir = fromFlagOrEnv(flags.snsCertDir, '--sns-cert-dir', SERVE_ENV.certDir);
  if (certDir !== undefined) {
    // Read and checked now, so a bad directory stops start-up instead of failing the first message.
    settings.certificates = createCertificateStore({ pinnedDir: certDir.raw });
  }
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
    .option(
      '--max-message-age <seconds>',
      `refuse messages whose SNS Timestamp is older (env ${SERVE_ENV.maxMessageAge}; default 3600)`,
    )
    .option(
      '--require-signature-version <1|2>',
      `refuse messages signed with another SignatureVersion, e.g. 2 for SHA256 only (env ${SERVE_ENV.requireSignatureVersion})`,
    )
    .option(
      '--sns-cert-dir <dir>',
      `verify only with the signing certificates pinned in this directory, never fetch (env ${SERVE_ENV.certDir})`,
    )
    .option(
      '--max-connections <n>',
      `most open connections at once (env ${SERVE_ENV.maxConnections}; default no limit)`,
    )
    .option(
      '--request-timeout <seconds>',
      `longest time a client may take to send a request; slower ones get 408 (env ${SERVE_ENV.requestTimeout}; default 30)`,
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
        // Secrets given as Secrets Manager / SSM ARNs are read once, here, before anything is built.
        runtime = buildRuntime(
          await resolveSecretReferences(flags.local ? withLocalDefaults(process.env) : process.env),
        );
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
