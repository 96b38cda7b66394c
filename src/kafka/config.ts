import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { Secret } from './secret.ts';

/** Every environment variable the Kafka settings read, by role. */
export const KAFKA_ENV = {
  brokers: 'SES_KAFKA_BROKERS',
  topic: 'SES_KAFKA_TOPIC',
  dlqTopic: 'SES_KAFKA_DLQ_TOPIC',
  clientId: 'SES_KAFKA_CLIENT_ID',
  auth: 'SES_KAFKA_AUTH',
  tls: 'SES_KAFKA_TLS',
  tlsCaFile: 'SES_KAFKA_TLS_CA_FILE',
  username: 'SES_KAFKA_USERNAME',
  password: 'SES_KAFKA_PASSWORD',
  awsRegion: 'SES_KAFKA_AWS_REGION',
  sendTimeoutMs: 'SES_KAFKA_SEND_TIMEOUT_MS',
  connectionTimeoutMs: 'SES_KAFKA_CONNECTION_TIMEOUT_MS',
} as const;

/** Our own names, for the deploy-template drift test. */
export const KAFKA_ENV_VARS: readonly string[] = Object.values(KAFKA_ENV);

/** The Java predecessor's names, still honoured so existing deployments keep working. */
const BROKERS_ALIAS = 'bootstrap_server';
export const KAFKA_ENV_ALIASES: Readonly<Record<string, string>> = { [BROKERS_ALIAS]: KAFKA_ENV.brokers };

/** Region fallbacks: the Lambda runtime sets AWS_REGION itself, so it cannot appear in the template. */
const AWS_REGION_FALLBACKS = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

export const KAFKA_AUTH_MODES = ['none', 'msk-iam', 'scram-sha-512', 'scram-sha-256', 'plain'] as const;
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

export const DEFAULT_CLIENT_ID = 'ses-kafka-producer';
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;

const brokerSchema = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: 'expected host:port', abort: true })
  .refine((broker) => {
    const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be between 1 and 65535');

// Kafka's own rule for topic names (Topic.validate in the Java client).
export const topicSchema = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[A-Za-z0-9._-]+$/, {
    error: 'a topic name may only hold letters, digits, ".", "_" and "-"',
    abort: true,
  })
  .refine((name) => name !== '.' && name !== '..', 'a topic cannot be named "." or ".."');

const booleanSchema = z.enum(['true', 'false'], { error: 'expected true or false' });
const authSchema = z.enum(KAFKA_AUTH_MODES, { error: `expected one of ${KAFKA_AUTH_MODES.join(', ')}` });
const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as us-east-1');

function millisSchema(min: number, max: number) {
  return z.coerce
    .number({ error: 'expected a whole number of milliseconds' })
    .int('expected a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`);
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Parses one variable; the error names it and, unless it is secret, echoes what was given. */
function parse<T>(schema: z.ZodType<T>, name: string, raw: string, options: { secret?: boolean } = {}): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const reason = result.error.issues.map((issue) => issue.message).join('; ');
  const shown = options.secret ? '' : `, got "${raw}"`;
  throw new ConfigError(name, `${reason}${shown}`);
}

function readBrokers(env: Env): string[] {
  const ours = read(env, KAFKA_ENV.brokers);
  const alias = read(env, BROKERS_ALIAS);
  if (ours !== undefined && alias !== undefined && ours !== alias) {
    throw new ConfigError(
      KAFKA_ENV.brokers,
      `both ${KAFKA_ENV.brokers} and its old alias ${BROKERS_ALIAS} are set, to different values; unset ${BROKERS_ALIAS}`,
    );
  }
  const raw = ours ?? alias;
  const name = ours === undefined && alias !== undefined ? BROKERS_ALIAS : KAFKA_ENV.brokers;
  if (raw === undefined) {
    throw new ConfigError(
      KAFKA_ENV.brokers,
      'required: a comma-separated list of host:port bootstrap brokers',
    );
  }
  const brokers = raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) throw new ConfigError(name, 'expected at least one host:port broker');
  return brokers.map((broker) => parse(brokerSchema, name, broker));
}

function readAuth(env: Env): KafkaAuth {
  const mode = parse(authSchema, KAFKA_ENV.auth, read(env, KAFKA_ENV.auth) ?? 'none');
  const username = read(env, KAFKA_ENV.username);
  const password = env[KAFKA_ENV.password];
  if (mode === 'none' || mode === 'msk-iam') {
    for (const [name, value] of [
      [KAFKA_ENV.username, username],
      [KAFKA_ENV.password, password],
    ] as const) {
      if (value !== undefined && value !== '') {
        throw new ConfigError(
          name,
          `is set but ${KAFKA_ENV.auth}=${mode} does not use it; unset it or set ${KAFKA_ENV.auth} to scram-sha-512, scram-sha-256 or plain`,
        );
      }
    }
  }
  if (mode === 'none') return { mode };
  if (mode === 'msk-iam') {
    const fromEnv = [KAFKA_ENV.awsRegion, ...AWS_REGION_FALLBACKS]
      .map((name) => [name, read(env, name)] as const)
      .find(([, value]) => value !== undefined);
    if (fromEnv === undefined) {
      throw new ConfigError(
        KAFKA_ENV.awsRegion,
        `required when ${KAFKA_ENV.auth}=msk-iam (or AWS_REGION): the region of the MSK cluster, e.g. us-east-1`,
      );
    }
    const [regionName, region] = fromEnv;
    return { mode, region: parse(regionSchema, regionName, region as string) };
  }
  if (username === undefined) {
    throw new ConfigError(KAFKA_ENV.username, `required when ${KAFKA_ENV.auth}=${mode}`);
  }
  if (password === undefined || password === '') {
    throw new ConfigError(KAFKA_ENV.password, `required when ${KAFKA_ENV.auth}=${mode}`);
  }
  return { mode, username, password: new Secret(password) };
}

function readTls(env: Env, auth: KafkaAuth): KafkaTls {
  const raw = read(env, KAFKA_ENV.tls);
  // MSK IAM only exists on the TLS listener, so it defaults to TLS; everything else defaults to plaintext.
  const enabled =
    raw === undefined ? auth.mode === 'msk-iam' : parse(booleanSchema, KAFKA_ENV.tls, raw) === 'true';
  const caFile = read(env, KAFKA_ENV.tlsCaFile);
  if (!enabled) {
    if (auth.mode === 'msk-iam') {
      throw new ConfigError(
        KAFKA_ENV.tls,
        `${KAFKA_ENV.auth}=msk-iam only works over TLS; set ${KAFKA_ENV.tls}=true`,
      );
    }
    if (caFile !== undefined) {
      throw new ConfigError(
        KAFKA_ENV.tlsCaFile,
        `is set but ${KAFKA_ENV.tls} is not true; set ${KAFKA_ENV.tls}=true`,
      );
    }
    return { enabled };
  }
  if (caFile === undefined) return { enabled };
  try {
    return { enabled, caFile, ca: readFileSync(caFile, 'utf8') };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(KAFKA_ENV.tlsCaFile, `cannot read the CA bundle "${caFile}" (${reason})`);
  }
}

/** Reads and checks the Kafka settings; a bad value is a ConfigError naming the variable and the fix. */
export function loadKafkaSettings(env: Env = process.env): KafkaSettings {
  const brokers = readBrokers(env);
  const topicRaw = read(env, KAFKA_ENV.topic);
  if (topicRaw === undefined) throw new ConfigError(KAFKA_ENV.topic, 'required: the topic SES events go to');
  const topic = parse(topicSchema, KAFKA_ENV.topic, topicRaw);
  const dlqTopic = parse(topicSchema, KAFKA_ENV.dlqTopic, read(env, KAFKA_ENV.dlqTopic) ?? `${topic}.dlq`);
  if (dlqTopic === topic) {
    throw new ConfigError(KAFKA_ENV.dlqTopic, `must differ from ${KAFKA_ENV.topic} ("${topic}")`);
  }
  const clientId = read(env, KAFKA_ENV.clientId) ?? DEFAULT_CLIENT_ID;
  const auth = readAuth(env);
  const tls = readTls(env, auth);
  const sendTimeoutMs = parse(
    millisSchema(100, 900_000),
    KAFKA_ENV.sendTimeoutMs,
    read(env, KAFKA_ENV.sendTimeoutMs) ?? String(DEFAULT_SEND_TIMEOUT_MS),
  );
  const connectionTimeoutMs = parse(
    millisSchema(100, 120_000),
    KAFKA_ENV.connectionTimeoutMs,
    read(env, KAFKA_ENV.connectionTimeoutMs) ?? String(DEFAULT_CONNECTION_TIMEOUT_MS),
  );
  return { brokers, topic, dlqTopic, clientId, auth, tls, sendTimeoutMs, connectionTimeoutMs };
}
