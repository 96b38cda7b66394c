import type { KafkaConfig, LogEntry, SASLOptions } from 'kafkajs';
import { logLevel } from 'kafkajs';
import { logger } from '../observability/logger.ts';
import type { KafkaAuth, KafkaSettings } from './config.ts';
import { mskIamTokenCache } from './msk-iam.ts';
import type { BearerToken } from './token-cache.ts';

export interface TokenSource {
  token(): Promise<BearerToken>;
}

/**
 * SASL/OAUTHBEARER with any token source: not selectable from env, it lets tests and special deployments
 * plug in their own tokens (the local stack's listener accepts unsecured JWS tokens).
 */
export interface OAuthBearerAuth {
  mode: 'oauthbearer';
  tokens: TokenSource;
}

export type ClientAuth = KafkaAuth | OAuthBearerAuth;

export interface ClientSettings extends Omit<KafkaSettings, 'auth'> {
  auth: ClientAuth;
}

export interface ClientOptions {
  /** kafkajs's own log level; its lines go through the service logger. */
  logLevel?: logLevel;
}

function saslOptions(auth: ClientAuth): SASLOptions | undefined {
  switch (auth.mode) {
    case 'none':
      return undefined;
    case 'msk-iam': {
      const tokens = mskIamTokenCache({ region: auth.region });
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: (await tokens.token()).value }),
      };
    }
    case 'oauthbearer':
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: (await auth.tokens.token()).value }),
      };
    case 'scram-sha-512':
    case 'scram-sha-256':
    case 'plain':
      return { mechanism: auth.mode, username: auth.username, password: auth.password.reveal() };
  }
}

// Producers are recreated after every failure (see producer.ts), so a fresh producer id replaces any
// sequence gap that a bounded retry budget could leave; kafkajs's warning about it is expected noise.
const EXPECTED_WARNINGS = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

function forwardKafkajsLog() {
  return ({ namespace, level, log }: LogEntry): void => {
    const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
    if (EXPECTED_WARNINGS.has(message)) return;
    const fields = { kafkajs: namespace, ...extra };
    // kafkajs logs every error response of a request as ERROR, also the retriable ones it then retries
    // (a coordinator still loading after a broker restart); a send that really fails is reported by
    // the pipeline with its outcome, so these are warnings.
    const retriedResponse = namespace === 'Connection' && message.startsWith('Response ');
    if (level === logLevel.ERROR && !retriedResponse) logger.error(message, fields);
    else if (level <= logLevel.WARN) logger.warn(message, fields);
    else if (level === logLevel.INFO) logger.info(message, fields);
    else logger.debug(message, fields);
  };
}

/** The kafkajs client configuration for our settings: brokers, TLS, SASL, timeouts and logging. */
export function kafkaClientConfig(settings: ClientSettings, options: ClientOptions = {}): KafkaConfig {
  const ssl = settings.tls.enabled
    ? settings.tls.ca === undefined
      ? true
      : { ca: [settings.tls.ca] }
    : undefined;
  const sasl = saslOptions(settings.auth);
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(ssl === undefined ? {} : { ssl }),
    ...(sasl === undefined ? {} : { sasl }),
    connectionTimeout: settings.connectionTimeoutMs,
    authenticationTimeout: settings.connectionTimeoutMs,
    // The caller's deadline bounds every send; these keep kafkajs from waiting past it on its own.
    requestTimeout: settings.sendTimeoutMs,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: options.logLevel ?? logLevel.WARN,
    logCreator: forwardKafkajsLog,
  };
}
