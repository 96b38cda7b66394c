/**
 * The Kafka settings, assembled from the declarations in src/config/settings.ts (each variable, its
 * flag, type and default are declared there once); this file adds the checks that span settings.
 */
import { readFileSync } from 'node:fs';
import {
  type Env,
  KAFKA_AUTH_MODES,
  readSetting,
  requireSetting,
  SETTINGS,
  settingLabel,
} from '../config/settings.ts';
import { ConfigError } from '../errors.ts';
import { Secret } from './secret.ts';

export { KAFKA_AUTH_MODES };
export type KafkaAuthMode = (typeof KAFKA_AUTH_MODES)[number];
export type PasswordAuthMode = Exclude<KafkaAuthMode, 'none' | 'msk-iam'>;

export type KafkaAuth =
  | { mode: 'none' }
  | { mode: 'msk-iam'; region: string }
  | { mode: PasswordAuthMode; username: string; password: Secret };

export type KafkaTls = { enabled: false } | { enabled: true; caFile?: string; ca?: string };

export interface KafkaSettings {
  brokers: string[];
  topic: string;
  dlqTopic: string;
  clientId: string;
  auth: KafkaAuth;
  tls: KafkaTls;
  /** Upper bound for one send; the caller's deadline can make it shorter. */
  sendTimeoutMs: number;
  connectionTimeoutMs: number;
}

/** Reads and checks the Kafka settings; a bad value is a ConfigError naming the variable and the fix. */
export function loadKafkaSettings(env: Env = process.env): KafkaSettings {
  const brokers = requireSetting(env, 'brokers', 'a comma-separated list of host:port bootstrap brokers');
  const topic = requireSetting(env, 'topic', 'the topic SES events go to');
  const dlqTopic = readSetting(env, 'dlqTopic') ?? `${topic}.dlq`;
  if (dlqTopic === topic) {
    throw new ConfigError(settingLabel('dlqTopic'), `must differ from ${SETTINGS.topic.env} ("${topic}")`);
  }
  const auth = readAuth(env);
  return {
    brokers,
    topic,
    dlqTopic,
    clientId: readSetting(env, 'kafkaClientId') as string,
    auth,
    tls: readTls(env, auth),
    sendTimeoutMs: readSetting(env, 'kafkaSendTimeoutMs') as number,
    connectionTimeoutMs: readSetting(env, 'kafkaConnectionTimeoutMs') as number,
  };
}

function readAuth(env: Env): KafkaAuth {
  const mode = readSetting(env, 'kafkaAuth') as KafkaAuthMode;
  const username = readSetting(env, 'kafkaUsername');
  const password = readSetting(env, 'kafkaPassword');
  const authVar = SETTINGS.kafkaAuth.env;
  if (mode === 'none' || mode === 'msk-iam') {
    for (const [key, value] of [
      ['kafkaUsername', username],
      ['kafkaPassword', password],
    ] as const) {
      if (value !== undefined) {
        throw new ConfigError(
          SETTINGS[key].env,
          `is set but ${authVar}=${mode} does not use it; unset it or set ${authVar} to scram-sha-512, scram-sha-256 or plain`,
        );
      }
    }
  }
  if (mode === 'none') return { mode };
  if (mode === 'msk-iam') {
    const region = readSetting(env, 'kafkaAwsRegion') ?? readSetting(env, 'awsRegion');
    if (region === undefined) {
      throw new ConfigError(
        SETTINGS.kafkaAwsRegion.env,
        `required when ${authVar}=msk-iam (or AWS_REGION): the region of the MSK cluster, e.g. us-east-1`,
      );
    }
    return { mode, region };
  }
  if (username === undefined)
    throw new ConfigError(SETTINGS.kafkaUsername.env, `required when ${authVar}=${mode}`);
  if (password === undefined)
    throw new ConfigError(SETTINGS.kafkaPassword.env, `required when ${authVar}=${mode}`);
  return { mode, username, password: new Secret(password) };
}

function readTls(env: Env, auth: KafkaAuth): KafkaTls {
  const tlsVar = SETTINGS.kafkaTls.env;
  const caVar = SETTINGS.kafkaTlsCaFile.env;
  // MSK IAM only exists on the TLS listener, so it defaults to TLS; everything else defaults to plaintext.
  const enabled = readSetting(env, 'kafkaTls') ?? auth.mode === 'msk-iam';
  const caFile = readSetting(env, 'kafkaTlsCaFile');
  if (!enabled) {
    if (auth.mode === 'msk-iam') {
      throw new ConfigError(
        tlsVar,
        `${SETTINGS.kafkaAuth.env}=msk-iam only works over TLS; set ${tlsVar}=true`,
      );
    }
    if (caFile !== undefined) {
      throw new ConfigError(caVar, `is set but ${tlsVar} is not true; set ${tlsVar}=true`);
    }
    return { enabled };
  }
  if (caFile === undefined) return { enabled };
  try {
    return { enabled, caFile, ca: readFileSync(caFile, 'utf8') };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(caVar, `cannot read the CA bundle "${caFile}" (${reason})`);
  }
}
