/**
 * Every setting of the project, declared once: its environment variable, its command-line flag, its
 * type and validation, its default, its default under `--local`, whether it is secret, and its
 * documentation. The Lambda reads settings from the environment; every CLI command derives its flags
 * from here and turns them into the same variables at its edge (src/cli/settings-cli.ts), so both read
 * through the same loaders (kafka/config.ts, enrich/config.ts, config/pipeline-settings.ts) and agree
 * on every default. docs/configuration.md is generated from this file (`npm run docs:config`), and a
 * test fails when the two drift apart.
 */
import { ConfigError } from '../errors.ts';
import { COMPATIBILITY_LEVELS } from '../serde/compatibility-level.ts';
import { SUBJECT_NAME_STRATEGIES, type SubjectNameStrategy } from '../serde/subject-name.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export const SETTING_GROUPS = {
  kafka: 'Kafka',
  registry: 'Schema registry and schema',
  transforms: 'Transforms',
  enrichment: 'Enrichment (DynamoDB)',
  runtime: 'Runtime, logs and metrics',
  serve: '`ses-kafka serve`',
  warehouse: '`ses-kafka consume` (the warehouse consumer)',
  s3: 'S3 (`replay s3://…`, `consume --to parquet` on S3)',
  aws: 'AWS SDK',
  stack: 'Local stack (`ses-kafka stack`, tests)',
} as const;
export type SettingGroup = keyof typeof SETTING_GROUPS;

/** Why a value was refused; the caller names the variable (or flag) in front of it. */
export class SettingValueError extends Error {}

export interface SettingSpec<T> {
  /** The environment variable. */
  readonly env: string;
  /** Older names still honoured for existing deployments (the deploy template sets only `env`). */
  readonly aliases?: readonly string[];
  /** The long flag, without `--`, on every command that takes this setting. */
  readonly flag?: string;
  /** What the flag's value is called in `--help`, e.g. `<topic>`. */
  readonly placeholder?: string;
  readonly group: SettingGroup;
  /** Parses a non-empty, trimmed value; throws SettingValueError saying what was expected. */
  readonly parse: (raw: string) => T;
  /** The value when unset, if there is one that does not depend on other settings. */
  readonly fallback?: T;
  /** The default as the docs state it (`required`, `the topic`, `<topic>.dlq` …). */
  readonly defaultText: string;
  /** The value `--local` gives it when unset: it points the setting at the local stack. */
  readonly local?: (stack: StackEndpoints) => string;
  /** Never logged, echoed in an error, or taken as a flag (a flag shows in `ps`). */
  readonly secret?: boolean;
  /** Read by AWS tooling or the Lambda runtime rather than set by a deploy parameter. */
  readonly external?: boolean;
  /** Not a deploy-template parameter although the Lambda could read it (the default is right there). */
  readonly notDeployed?: boolean;
  readonly doc: string;
}

// --- value types -------------------------------------------------------------------------------------

function text(): (raw: string) => string {
  return (raw) => raw;
}

function wholeNumber(min: number, max: number, unit = ''): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new SettingValueError(`expected a whole number${unit} from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
}

function yesNo(): (raw: string) => boolean {
  return (raw) => {
    const lower = raw.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new SettingValueError(`expected true or false, got "${raw}"`);
  };
}

function oneOf<const T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => {
    if ((values as readonly string[]).includes(raw)) return raw as T;
    throw new SettingValueError(`expected one of ${values.join(', ')}, got "${raw}"`);
  };
}

function httpUrl(example: string): (raw: string) => string {
  return (raw) => {
    if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
      // The value is not echoed: a URL may carry credentials.
      throw new SettingValueError(`expected an http(s) URL such as ${example}`);
    }
    return raw;
  };
}

function commaList(): (raw: string) => string[] {
  return (raw) =>
    raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
}

/** Kafka's own rule for topic names (Topic.validate in the Java client). */
function topicName(): (raw: string) => string {
  return (raw) => {
    if (raw.length > 249) throw new SettingValueError('a topic name has at most 249 characters');
    if (!/^[A-Za-z0-9._-]+$/.test(raw)) {
      throw new SettingValueError(
        `a topic name may only hold letters, digits, ".", "_" and "-", got "${raw}"`,
      );
    }
    if (raw === '.' || raw === '..') throw new SettingValueError('a topic cannot be named "." or ".."');
    return raw;
  };
}

function brokerList(): (raw: string) => string[] {
  return (raw) => {
    const brokers = commaList()(raw);
    if (brokers.length === 0) throw new SettingValueError('expected at least one host:port broker');
    for (const broker of brokers) {
      const match = /^[A-Za-z0-9.-]+:(\d{1,5})$/.exec(broker);
      if (!match) throw new SettingValueError(`expected host:port, got "${broker}"`);
      const port = Number(match[1]);
      if (port < 1 || port > 65535) {
        throw new SettingValueError(`port must be between 1 and 65535, got "${broker}"`);
      }
    }
    return brokers;
  };
}

/** SNS TopicArns, as `arn:aws:sns:<region>:<account>:<topic>` (every AWS partition). */
function snsTopicArns(raw: string): string[] {
  const arns = commaList()(raw);
  for (const arn of arns) {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/.test(arn)) {
      throw new SettingValueError(
        `"${arn}" is not an SNS topic ARN (expected arn:aws:sns:<region>:<account>:<topic>)`,
      );
    }
  }
  return arns;
}

function awsRegion(): (raw: string) => string {
  return (raw) => {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(raw)) {
      throw new SettingValueError(`expected an AWS region such as us-east-1, got "${raw}"`);
    }
    return raw;
  };
}

// --- the settings ------------------------------------------------------------------------------------

/** A setting of the local stack or the tests: never the Lambda's, never a deploy parameter. */
function stackSetting<T>(
  env: string,
  parse: (raw: string) => T,
  fallback: T | undefined,
  defaultText: string,
  doc: string,
): SettingSpec<T> {
  return {
    env,
    group: 'stack',
    parse,
    ...(fallback === undefined ? {} : { fallback }),
    defaultText,
    external: true,
    doc,
  };
}

export const KAFKA_AUTH_MODES = ['none', 'msk-iam', 'scram-sha-512', 'scram-sha-256', 'plain'] as const;
export const REGISTRY_KINDS = ['confluent', 'glue'] as const;
export const COMPATIBILITY_LEVEL_NAMES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export const SUBJECT_STRATEGY_NAMES = [
  'TopicNameStrategy',
  'RecordNameStrategy',
  'TopicRecordNameStrategy',
] as const;
export const KEY_STRATEGIES = ['query-prefix', 'get-by-message-id', 'gsi'] as const;
export const SORT_KEY_GUESSES = ['mail-date', 'off'] as const;
export const NOT_FOUND_POLICIES = ['publish', 'retry'] as const;
export const LOG_FORMATS = ['human', 'json'] as const;
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;

/** The local stack's names: topic, Glue registry, metadata table. */
export const LOCAL_TOPIC = 'ses-events';
export const LOCAL_GLUE_REGISTRY = 'ses-kafka-local';
export const LOCAL_METADATA_TABLE = 'ses_my_poc';

/** The Confluent subject name strategy accepts full Java class names too, as Connect configs use them. */
function subjectStrategy(raw: string): SubjectNameStrategy {
  return oneOf(SUBJECT_NAME_STRATEGIES)(raw.slice(raw.lastIndexOf('.') + 1));
}

export const SETTINGS = {
  // Kafka
  brokers: {
    env: 'SES_KAFKA_BROKERS',
    aliases: ['bootstrap_server'],
    flag: 'brokers',
    placeholder: '<host:port,...>',
    group: 'kafka',
    parse: brokerList(),
    defaultText: 'required',
    local: (stack) => stack.kafkaBrokers,
    doc: 'comma-separated `host:port` bootstrap brokers. The predecessor’s name `bootstrap_server` still works.',
  },
  topic: {
    env: 'SES_KAFKA_TOPIC',
    flag: 'topic',
    placeholder: '<topic>',
    group: 'kafka',
    parse: topicName(),
    defaultText: 'required',
    local: () => LOCAL_TOPIC,
    doc: 'the events topic; it also names the Confluent subject (`<topic>-value`) and, by default, the Glue schema',
  },
  dlqTopic: {
    env: 'SES_KAFKA_DLQ_TOPIC',
    flag: 'dlq-topic',
    placeholder: '<topic>',
    group: 'kafka',
    parse: topicName(),
    defaultText: '`<topic>.dlq`',
    doc: 'dead letters: inputs that can never succeed, with the original payload and `ses-kafka.errors.*` headers',
  },
  serviceEventsTopic: {
    env: 'SES_KAFKA_SERVICE_EVENTS_TOPIC',
    flag: 'service-events-topic',
    placeholder: '<topic>',
    group: 'kafka',
    parse: topicName(),
    defaultText: 'unset: filtered',
    doc: 'where SES service events from EventBridge go (`Sending Status Enabled`/`Disabled`, `Advisor Recommendation Status Open`/`Resolved`), as the EventBridge JSON, keyed by the first resource ARN, with a `ses.detailType` header; must differ from the event and DLQ topics',
  },
  kafkaClientId: {
    env: 'SES_KAFKA_CLIENT_ID',
    group: 'kafka',
    parse: text(),
    fallback: 'ses-kafka-producer',
    defaultText: '`ses-kafka-producer`',
    doc: 'the Kafka client id',
  },
  kafkaAuth: {
    env: 'SES_KAFKA_AUTH',
    flag: 'kafka-auth',
    placeholder: '<mode>',
    group: 'kafka',
    parse: oneOf(KAFKA_AUTH_MODES),
    fallback: 'none',
    defaultText: '`none`',
    local: () => 'none',
    doc: '`none`, `msk-iam` (OAUTHBEARER with tokens from aws-msk-iam-sasl-signer-js, refreshed at 80% of their life), `scram-sha-512`, `scram-sha-256`, `plain`',
  },
  kafkaTls: {
    env: 'SES_KAFKA_TLS',
    group: 'kafka',
    parse: yesNo(),
    defaultText: '`true` for `msk-iam`, else `false`',
    doc: 'TLS to the brokers',
  },
  kafkaTlsCaFile: {
    env: 'SES_KAFKA_TLS_CA_FILE',
    group: 'kafka',
    parse: text(),
    defaultText: 'system CAs',
    doc: 'PEM bundle for a private CA',
  },
  kafkaUsername: {
    env: 'SES_KAFKA_USERNAME',
    group: 'kafka',
    parse: text(),
    defaultText: '',
    doc: 'user for SCRAM and PLAIN',
  },
  kafkaPassword: {
    env: 'SES_KAFKA_PASSWORD',
    group: 'kafka',
    parse: text(),
    defaultText: '',
    secret: true,
    doc: 'password for SCRAM and PLAIN',
  },
  kafkaAwsRegion: {
    env: 'SES_KAFKA_AWS_REGION',
    group: 'kafka',
    parse: awsRegion(),
    defaultText: '`AWS_REGION`',
    doc: 'region of the MSK cluster, for MSK IAM tokens',
  },
  kafkaClient: {
    env: 'SES_KAFKA_CLIENT',
    flag: 'kafka-client',
    placeholder: '<client>',
    group: 'kafka',
    parse: oneOf(KAFKA_CLIENTS),
    fallback: 'kafkajs',
    defaultText: '`kafkajs`',
    doc: 'the Kafka client library behind the producer: `kafkajs`, or `platformatic` (@platformatic/kafka, maintained, pure JavaScript). Both are idempotent with acks=all, partition keys as the Java client does, and support every `SES_KAFKA_AUTH` mode and TLS',
  },
  kafkaSendTimeoutMs: {
    env: 'SES_KAFKA_SEND_TIMEOUT_MS',
    group: 'kafka',
    parse: wholeNumber(100, 900_000, ' of milliseconds'),
    fallback: 10_000,
    defaultText: '`10000`',
    doc: 'upper bound of one send; the Lambda deadline can make it shorter',
  },
  kafkaConnectionTimeoutMs: {
    env: 'SES_KAFKA_CONNECTION_TIMEOUT_MS',
    group: 'kafka',
    parse: wholeNumber(100, 120_000, ' of milliseconds'),
    fallback: 3_000,
    defaultText: '`3000`',
    doc: 'connection timeout to a broker',
  },

  // Schema registry and schema
  registry: {
    env: 'SES_KAFKA_REGISTRY',
    flag: 'registry',
    placeholder: '<kind>',
    group: 'registry',
    parse: oneOf(REGISTRY_KINDS),
    fallback: 'confluent',
    defaultText: '`confluent`',
    doc: '`confluent` (any Confluent-compatible API: Confluent, Apicurio, Karapace) or `glue` (AWS Glue Schema Registry)',
  },
  registryUrl: {
    env: 'SES_KAFKA_REGISTRY_URL',
    flag: 'registry-url',
    placeholder: '<url>',
    group: 'registry',
    parse: httpUrl('https://registry.example.com'),
    defaultText: 'required for `confluent`',
    local: (stack) => stack.registryUrl,
    doc: 'API root, e.g. `https://registry.example.com` or Apicurio’s `http://host:8080/apis/ccompat/v7`; never echoed, since it may carry credentials',
  },
  registryUsername: {
    env: 'SES_KAFKA_REGISTRY_USERNAME',
    group: 'registry',
    parse: text(),
    defaultText: '',
    doc: 'HTTP basic auth user for the Confluent-compatible registry',
  },
  registryPassword: {
    env: 'SES_KAFKA_REGISTRY_PASSWORD',
    group: 'registry',
    parse: text(),
    defaultText: '',
    secret: true,
    doc: 'HTTP basic auth password for the Confluent-compatible registry',
  },
  subjectNameStrategy: {
    env: 'SES_KAFKA_SUBJECT_NAME_STRATEGY',
    flag: 'subject-strategy',
    placeholder: '<strategy>',
    group: 'registry',
    parse: subjectStrategy,
    fallback: 'TopicNameStrategy',
    defaultText: '`TopicNameStrategy`',
    doc: 'or `RecordNameStrategy`, `TopicRecordNameStrategy` (full Confluent class names work too)',
  },
  glueRegistryName: {
    env: 'SES_KAFKA_GLUE_REGISTRY_NAME',
    flag: 'glue-registry',
    placeholder: '<name>',
    group: 'registry',
    parse: text(),
    fallback: 'default-registry',
    defaultText: '`default-registry` (`ses-kafka-local` with `--local`)',
    local: () => LOCAL_GLUE_REGISTRY,
    doc: 'the Glue registry (the AWS Java serde’s default name is `default-registry` too)',
  },
  glueSchemaName: {
    env: 'SES_KAFKA_GLUE_SCHEMA_NAME',
    flag: 'glue-schema',
    placeholder: '<name>',
    group: 'registry',
    parse: text(),
    defaultText: 'the topic',
    doc: 'the Glue schema, named after the topic by default as the AWS Java serde does',
  },
  glueEndpoint: {
    env: 'SES_KAFKA_GLUE_ENDPOINT',
    flag: 'glue-endpoint',
    placeholder: '<url>',
    group: 'registry',
    parse: httpUrl('https://glue.eu-west-1.amazonaws.com'),
    defaultText: 'AWS default',
    local: (stack) => stack.glueEndpoint,
    doc: 'endpoint override (a VPC endpoint, or moto locally)',
  },
  glueCompression: {
    env: 'SES_KAFKA_GLUE_COMPRESSION',
    group: 'registry',
    parse: oneOf(['none', 'zlib'] as const),
    fallback: 'none',
    defaultText: '`none`',
    doc: '`zlib` compresses the Avro body (Glue wire format byte 5)',
  },
  glueCacheTtlSeconds: {
    env: 'SES_KAFKA_GLUE_CACHE_TTL_SECONDS',
    group: 'registry',
    parse: wholeNumber(1, 7 * 86_400, ' of seconds'),
    fallback: 86_400,
    defaultText: '`86400`',
    doc: 'how long a schema-version id is fresh. A stale id is served while it is checked again; once the registry says that version is gone or not AVAILABLE it is dropped and inputs are handed back until a usable version is registered',
  },
  autoRegister: {
    env: 'SES_KAFKA_SCHEMA_AUTO_REGISTER',
    group: 'registry',
    parse: yesNo(),
    fallback: false,
    defaultText: '`false`',
    doc: 'register the output schema on first use. Off by default: `ses-kafka register-schemas` is the gate that checks compatibility first',
  },
  compatibility: {
    env: 'SES_KAFKA_SCHEMA_COMPATIBILITY',
    flag: 'compatibility',
    placeholder: '<level>',
    group: 'registry',
    parse: oneOf(COMPATIBILITY_LEVELS),
    fallback: 'BACKWARD',
    defaultText: '`BACKWARD`',
    doc: 'the level `register-schemas` checks and sets, and the producer sets on subjects or schemas it creates',
  },
  schemaVersion: {
    env: 'SES_KAFKA_SCHEMA_VERSION',
    flag: 'schema-version',
    placeholder: '<version>',
    group: 'registry',
    parse: text(),
    defaultText: 'the newest under `schemas/ses-email-event/`',
    doc: 'base schema version under `schemas/ses-email-event/`; the transform chain maps it to the schema that is registered',
  },

  // Transforms
  transformsFile: {
    env: 'SES_KAFKA_TRANSFORMS_FILE',
    flag: 'transforms',
    placeholder: '<file>',
    group: 'transforms',
    parse: text(),
    defaultText: 'no transforms',
    doc: 'a Connect-style transform config, `.properties` or JSON',
  },
  transformsInline: {
    env: 'SES_KAFKA_TRANSFORMS',
    group: 'transforms',
    parse: text(),
    defaultText: 'no transforms',
    doc: 'the same, inline (JSON if it starts with `{`, else .properties text)',
  },
  hmacKey: {
    env: 'SES_KAFKA_HMAC_KEY',
    group: 'transforms',
    parse: text(),
    defaultText: '',
    secret: true,
    // Read by the HashField transform, under the name its `key.env` gives.
    external: true,
    doc: 'the key `schemas/transforms.example.properties` hashes recipients with (the variable is named by `key.env` in the config). Only the pipeline reads it: `register-schemas` does not need it',
  },

  // Enrichment
  metadataEnabled: {
    env: 'SES_KAFKA_METADATA_ENABLED',
    group: 'enrichment',
    parse: yesNo(),
    fallback: true,
    defaultText: '`true`',
    doc: '`false` publishes every event with metadata status `SKIPPED`',
  },
  metadataTable: {
    env: 'SES_KAFKA_METADATA_TABLE',
    flag: 'metadata-table',
    placeholder: '<table>',
    group: 'enrichment',
    parse: text(),
    fallback: LOCAL_METADATA_TABLE,
    defaultText: '`ses_my_poc`',
    doc: 'the DynamoDB table with the sender application’s metadata',
  },
  metadataKeyStrategy: {
    env: 'SES_KAFKA_METADATA_KEY_STRATEGY',
    group: 'enrichment',
    parse: oneOf(KEY_STRATEGIES),
    fallback: 'query-prefix',
    defaultText: '`query-prefix`',
    doc: '`query-prefix`: Query `ses_pk = <sender address> AND begins_with(ses_sk, "<messageId>#")` (the predecessor’s layout); `get-by-message-id`: GetItem/BatchGetItem with the message id as partition key; `gsi`: Query an index by message id. When several rows match one email, the one with the lowest sort key wins, on every path',
  },
  metadataPartitionKey: {
    env: 'SES_KAFKA_METADATA_PARTITION_KEY',
    group: 'enrichment',
    parse: text(),
    defaultText: '`ses_pk` (query-prefix), else `messageId`',
    doc: 'the partition key attribute',
  },
  metadataSortKey: {
    env: 'SES_KAFKA_METADATA_SORT_KEY',
    group: 'enrichment',
    parse: text(),
    defaultText: '`ses_sk` (query-prefix)',
    doc: 'the sort key attribute',
  },
  metadataSortKeyValue: {
    env: 'SES_KAFKA_METADATA_SORT_KEY_VALUE',
    group: 'enrichment',
    parse: text(),
    defaultText: '',
    doc: 'get-by-message-id with a fixed sort key value',
  },
  metadataSortKeyGuess: {
    env: 'SES_KAFKA_METADATA_SORT_KEY_GUESS',
    group: 'enrichment',
    parse: oneOf(SORT_KEY_GUESSES),
    fallback: 'mail-date',
    defaultText: '`mail-date`',
    doc: 'query-prefix: first fetch the exact key `<messageId>#<YYYY-MM-DD of mail.timestamp>`, 100 per BatchGetItem, and Query only the misses; `off` queries every email',
  },
  metadataGsiName: {
    env: 'SES_KAFKA_METADATA_GSI_NAME',
    group: 'enrichment',
    parse: text(),
    defaultText: '',
    doc: 'the index, for `gsi`',
  },
  metadataProjection: {
    env: 'SES_KAFKA_METADATA_PROJECTION',
    group: 'enrichment',
    parse: commaList(),
    fallback: [],
    defaultText: 'whole item',
    doc: 'comma-separated attribute names',
  },
  metadataConsistentRead: {
    env: 'SES_KAFKA_METADATA_CONSISTENT_READ',
    group: 'enrichment',
    parse: yesNo(),
    fallback: false,
    defaultText: '`false`',
    doc: 'strongly consistent reads',
  },
  metadataCacheMaxEntries: {
    env: 'SES_KAFKA_METADATA_CACHE_MAX_ENTRIES',
    group: 'enrichment',
    parse: wholeNumber(0, 10_000_000),
    fallback: 10_000,
    defaultText: '`10000`',
    doc: 'warm-container LRU cache; `0` switches it off',
  },
  metadataCacheTtlSeconds: {
    env: 'SES_KAFKA_METADATA_CACHE_TTL_SECONDS',
    group: 'enrichment',
    parse: wholeNumber(0, 86_400),
    fallback: 300,
    defaultText: '`300`',
    doc: 'how long a found row is cached',
  },
  metadataCacheNotFoundTtlSeconds: {
    env: 'SES_KAFKA_METADATA_CACHE_NOT_FOUND_TTL_SECONDS',
    group: 'enrichment',
    parse: wholeNumber(0, 3_600),
    fallback: 0,
    defaultText: '`0`',
    doc: 'misses are not cached by default: SES can report Send before the application wrote its row',
  },
  metadataQueryConcurrency: {
    env: 'SES_KAFKA_METADATA_QUERY_CONCURRENCY',
    group: 'enrichment',
    parse: wholeNumber(1, 256),
    fallback: 16,
    defaultText: '`16`',
    doc: 'Queries in flight per batch',
  },
  metadataMaxAttempts: {
    env: 'SES_KAFKA_METADATA_MAX_ATTEMPTS',
    group: 'enrichment',
    parse: wholeNumber(1, 20),
    fallback: 5,
    defaultText: '`5`',
    doc: 'attempts per call, for throttling, network errors and UnprocessedKeys',
  },
  metadataBackoffBaseMs: {
    env: 'SES_KAFKA_METADATA_BACKOFF_BASE_MS',
    group: 'enrichment',
    parse: wholeNumber(1, 60_000),
    fallback: 50,
    defaultText: '`50`',
    doc: 'first backoff (exponential, full jitter)',
  },
  metadataBackoffMaxMs: {
    env: 'SES_KAFKA_METADATA_BACKOFF_MAX_MS',
    group: 'enrichment',
    parse: wholeNumber(1, 300_000),
    fallback: 2_000,
    defaultText: '`2000`',
    doc: 'longest backoff',
  },
  metadataRequestTimeoutMs: {
    env: 'SES_KAFKA_METADATA_REQUEST_TIMEOUT_MS',
    group: 'enrichment',
    parse: wholeNumber(100, 300_000),
    fallback: 3_000,
    defaultText: '`3000`',
    doc: 'timeout of one DynamoDB call',
  },
  metadataNotFoundPolicy: {
    env: 'SES_KAFKA_METADATA_NOT_FOUND_POLICY',
    group: 'enrichment',
    parse: oneOf(NOT_FOUND_POLICIES),
    fallback: 'publish',
    defaultText: '`publish`',
    doc: '`publish` (status NOT_FOUND) or `retry` (fail retriably so the source redelivers, until the email is older than the max age, then publish NOT_FOUND)',
  },
  metadataNotFoundMaxAgeSeconds: {
    env: 'SES_KAFKA_METADATA_NOT_FOUND_MAX_AGE_SECONDS',
    group: 'enrichment',
    parse: wholeNumber(0, 7 * 86_400),
    fallback: 900,
    defaultText: '`900`',
    doc: 'with `retry`: after this age a miss is published as NOT_FOUND',
  },
  dynamodbEndpoint: {
    env: 'DYNAMODB_ENDPOINT',
    flag: 'dynamodb-endpoint',
    placeholder: '<url>',
    group: 'enrichment',
    parse: httpUrl('http://127.0.0.1:8000'),
    defaultText: 'AWS default',
    local: (stack) => stack.dynamodbEndpoint,
    doc: 'endpoint override (dynalite locally)',
  },

  // Runtime
  deadlineMarginMs: {
    env: 'SES_KAFKA_DEADLINE_MARGIN_MS',
    group: 'runtime',
    parse: wholeNumber(0, 60_000),
    fallback: 2_000,
    defaultText: '`2000`',
    doc: 'Kafka must acknowledge this long before the Lambda times out, so the handler can still report failures',
  },
  logPii: {
    env: 'SES_KAFKA_LOG_PII',
    group: 'runtime',
    parse: yesNo(),
    fallback: false,
    defaultText: '`false`',
    doc: '`true` lets email addresses and subjects into logs, for debugging only',
  },
  logFormat: {
    env: 'SES_KAFKA_LOG_FORMAT',
    flag: 'log-format',
    placeholder: '<format>',
    group: 'runtime',
    parse: oneOf(LOG_FORMATS),
    defaultText: '`json` in the Lambda and `serve`, `human` in other commands',
    notDeployed: true,
    doc: '`human`: one readable line per warning or error on stderr; `json`: structured Powertools log lines',
  },
  logLevel: {
    env: 'POWERTOOLS_LOG_LEVEL',
    aliases: ['LOG_LEVEL'],
    group: 'runtime',
    parse: oneOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL'] as const),
    fallback: 'INFO',
    defaultText: '`INFO`',
    doc: 'log level (Powertools); `LOG_LEVEL` is read when it is unset',
  },
  serviceName: {
    env: 'POWERTOOLS_SERVICE_NAME',
    group: 'runtime',
    parse: text(),
    fallback: 'ses-kafka-producer',
    defaultText: '`ses-kafka-producer`',
    doc: 'the `service` of every log line and metric',
  },
  metricsNamespace: {
    env: 'POWERTOOLS_METRICS_NAMESPACE',
    group: 'runtime',
    parse: text(),
    fallback: 'SesKafkaProducer',
    defaultText: '`SesKafkaProducer`',
    doc: 'EMF metrics: `EventsProduced` by `eventType`, `Enrichment` by `metadataStatus`, `DeadLettered`, `Retry`, `Failed`, `Filtered`, `BatchSize`, `ProduceLatency`',
  },
  bundledVersion: {
    env: 'SES_KAFKA_BUNDLED_VERSION',
    group: 'runtime',
    parse: text(),
    defaultText: 'package.json',
    external: true,
    doc: 'set by `npm run package` inside the Lambda bundle: the producer version written to `source.producerVersion`',
  },

  // serve
  snsAllowedTopicArns: {
    env: 'SES_KAFKA_SNS_ALLOWED_TOPIC_ARNS',
    flag: 'topic-arn',
    placeholder: '<arn>',
    group: 'serve',
    parse: snsTopicArns,
    defaultText: 'required',
    doc: 'comma-separated TopicArns to accept (`--topic-arn`, repeatable); any other gets 403',
  },
  port: {
    env: 'PORT',
    flag: 'port',
    placeholder: '<port>',
    group: 'serve',
    parse: wholeNumber(0, 65_535),
    fallback: 8080,
    defaultText: '`8080`',
    doc: 'listening port (0 picks a free one)',
  },
  serveHost: {
    env: 'SES_KAFKA_SERVE_HOST',
    flag: 'host',
    placeholder: '<address>',
    group: 'serve',
    parse: text(),
    fallback: '0.0.0.0',
    defaultText: '`0.0.0.0`',
    doc: 'address to listen on',
  },
  serveMaxBodyBytes: {
    env: 'SES_KAFKA_SERVE_MAX_BODY_BYTES',
    flag: 'max-body',
    placeholder: '<bytes>',
    group: 'serve',
    parse: wholeNumber(1, 64 * 1024 * 1024),
    fallback: 256 * 1024,
    defaultText: '`262144`',
    doc: 'largest request body accepted; larger gets 413',
  },
  snsMaxMessageAgeSeconds: {
    env: 'SES_KAFKA_SNS_MAX_MESSAGE_AGE_SECONDS',
    flag: 'max-message-age',
    placeholder: '<seconds>',
    group: 'serve',
    parse: wholeNumber(1, 7 * 86_400),
    fallback: 3_600,
    defaultText: '`3600`',
    doc: 'refuse (403) a notification whose signed SNS `Timestamp` is older; also how long a MessageId is remembered, so a replay is either a duplicate or stale',
  },
  snsRequireSignatureVersion: {
    env: 'SES_KAFKA_SNS_REQUIRE_SIGNATURE_VERSION',
    flag: 'require-signature-version',
    placeholder: '<1|2>',
    group: 'serve',
    parse: oneOf(['1', '2'] as const),
    defaultText: 'either',
    doc: 'refuse notifications signed with another SignatureVersion, e.g. `2` for SHA256 only',
  },
  snsCertDir: {
    env: 'SES_KAFKA_SNS_CERT_DIR',
    flag: 'sns-cert-dir',
    placeholder: '<dir>',
    group: 'serve',
    parse: text(),
    defaultText: 'fetch from `sns.<region>.amazonaws.com`',
    doc: 'verify only with the signing certificates pinned in this directory and never fetch one (for a VPC without egress)',
  },
  snsMaxConnections: {
    env: 'SES_KAFKA_SNS_MAX_CONNECTIONS',
    flag: 'max-connections',
    placeholder: '<n>',
    group: 'serve',
    parse: wholeNumber(1, 1_000_000),
    defaultText: 'no limit',
    doc: 'most open connections at once',
  },
  snsRequestTimeoutSeconds: {
    env: 'SES_KAFKA_SNS_REQUEST_TIMEOUT_SECONDS',
    flag: 'request-timeout',
    placeholder: '<seconds>',
    group: 'serve',
    parse: wholeNumber(1, 600),
    fallback: 30,
    defaultText: '`30`',
    doc: 'longest time a client may take to send a request; a slower one gets 408',
  },
  serveTlsCertFile: {
    env: 'SES_KAFKA_SERVE_TLS_CERT_FILE',
    flag: 'tls-cert',
    placeholder: '<file>',
    group: 'serve',
    parse: text(),
    defaultText: 'plain HTTP',
    doc: 'PEM certificate to serve HTTPS directly (with the key)',
  },
  serveTlsKeyFile: {
    env: 'SES_KAFKA_SERVE_TLS_KEY_FILE',
    flag: 'tls-key',
    placeholder: '<file>',
    group: 'serve',
    parse: text(),
    defaultText: 'plain HTTP',
    doc: 'PEM private key of the certificate',
  },

  // S3: replay reads archives from it, consume writes Parquet to it
  s3Endpoint: {
    env: 'SES_KAFKA_S3_ENDPOINT',
    flag: 's3-endpoint',
    placeholder: '<url>',
    group: 's3',
    parse: httpUrl('http://127.0.0.1:5000'),
    defaultText: 'AWS default',
    local: (stack) => stack.s3Endpoint,
    notDeployed: true,
    doc: 'S3 endpoint for `replay s3://bucket/prefix/` and `consume --to parquet --out s3://bucket/prefix`: an S3-compatible store, or moto locally',
  },
  s3ForcePathStyle: {
    env: 'SES_KAFKA_S3_FORCE_PATH_STYLE',
    group: 's3',
    notDeployed: true,
    parse: yesNo(),
    defaultText: '`true` when `SES_KAFKA_S3_ENDPOINT` is set, else `false`',
    doc: 'path-style S3 addressing (`http://host/bucket/key`), which moto and most S3-compatible stores need; AWS itself uses virtual-hosted style',
  },

  // AWS SDK
  awsRegion: {
    env: 'AWS_REGION',
    aliases: ['AWS_DEFAULT_REGION'],
    flag: 'region',
    placeholder: '<region>',
    group: 'aws',
    parse: awsRegion(),
    defaultText: 'the SDK’s (set by the Lambda runtime)',
    local: () => 'us-east-1',
    external: true,
    doc: 'region of Glue and DynamoDB (and of MSK unless `SES_KAFKA_AWS_REGION` is set); `AWS_DEFAULT_REGION` is read when it is unset',
  },
  awsAccessKeyId: {
    env: 'AWS_ACCESS_KEY_ID',
    group: 'aws',
    parse: text(),
    defaultText: 'the SDK’s credential chain',
    local: () => 'testing',
    external: true,
    doc: 'AWS credentials, read by the SDK (the Lambda runtime sets them; `--local` uses `testing`, which moto and dynalite accept)',
  },
  awsSecretAccessKey: {
    env: 'AWS_SECRET_ACCESS_KEY',
    group: 'aws',
    parse: text(),
    defaultText: 'the SDK’s credential chain',
    local: () => 'testing',
    secret: true,
    external: true,
    doc: 'AWS credentials, read by the SDK',
  },
  awsSdkNodeWarning: {
    env: 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    group: 'aws',
    parse: yesNo(),
    defaultText: '`true` in the CLI',
    external: true,
    doc: 'the CLI sets it so the AWS SDK’s Node-version notice is not printed by every command',
  },

  // Local stack, tests and CI: read by `ses-kafka stack`, the tests and .ci/run, never by the Lambda.
  stackHome: stackSetting(
    'STACK_HOME',
    text(),
    undefined,
    '`.stack/` in the repository',
    'where the stack keeps its downloads (`cache/`) and its running state (`run/`)',
  ),
  stackCacheDir: stackSetting(
    'STACK_CACHE_DIR',
    text(),
    undefined,
    '`$STACK_HOME/cache`',
    'the downloaded servers, kept across runs; a second stack (a fault test’s own broker) reuses them',
  ),
  stackKafkaPort: stackSetting(
    'STACK_KAFKA_PORT',
    wholeNumber(1, 65_535),
    9092,
    '`9092`',
    'the local broker’s PLAINTEXT listener',
  ),
  stackKafkaControllerPort: stackSetting(
    'STACK_KAFKA_CONTROLLER_PORT',
    wholeNumber(1, 65_535),
    9093,
    '`9093`',
    'the local broker’s controller listener',
  ),
  stackKafkaScramPort: stackSetting(
    'STACK_KAFKA_SCRAM_PORT',
    wholeNumber(1, 65_535),
    9094,
    '`9094`',
    'the local broker’s SASL SCRAM-SHA-512 listener',
  ),
  stackKafkaOauthPort: stackSetting(
    'STACK_KAFKA_OAUTH_PORT',
    wholeNumber(1, 65_535),
    9095,
    '`9095`',
    'the local broker’s SASL OAUTHBEARER listener (unsecured JWS, tests only)',
  ),
  stackRegistryPort: stackSetting(
    'STACK_REGISTRY_PORT',
    wholeNumber(1, 65_535),
    8081,
    '`8081`',
    'Apicurio Registry',
  ),
  stackMotoPort: stackSetting(
    'STACK_MOTO_PORT',
    wholeNumber(1, 65_535),
    5000,
    '`5000`',
    'moto (Glue, S3, Secrets Manager, SSM)',
  ),
  stackDynamodbPort: stackSetting('STACK_DYNAMODB_PORT', wholeNumber(1, 65_535), 8000, '`8000`', 'dynalite'),
  stackDynamodbPath: stackSetting(
    'STACK_DYNAMODB_PATH',
    text(),
    undefined,
    'in memory',
    'a folder where dynalite keeps its tables across restarts',
  ),
  stackKafkaHeap: stackSetting('STACK_KAFKA_HEAP', text(), '1g', '`1g`', 'JVM heap of the local broker'),
  stackRegistryHeap: stackSetting(
    'STACK_REGISTRY_HEAP',
    text(),
    '512m',
    '`512m`',
    'JVM heap of Apicurio Registry',
  ),
  stackKafkaVersion: stackSetting(
    'STACK_KAFKA_VERSION',
    text(),
    '4.1.2',
    '`4.1.2`',
    'the Kafka release from Maven Central (another one at your own risk)',
  ),
  stackApicurioVersion: stackSetting(
    'STACK_APICURIO_VERSION',
    text(),
    '3.0.9',
    '`3.0.9`',
    'the Apicurio Registry release from Maven Central',
  ),
  stackMotoVersion: stackSetting(
    'STACK_MOTO_VERSION',
    text(),
    '5.2.5',
    '`5.2.5`',
    'the moto release from PyPI',
  ),
  consumerSessionTimeoutMs: {
    env: 'SES_KAFKA_CONSUMER_SESSION_TIMEOUT_MS',
    group: 'warehouse',
    parse: wholeNumber(1000, 3_600_000, ' of milliseconds'),
    fallback: 30_000,
    defaultText: '`30000`',
    notDeployed: true,
    doc: 'how long the consumer group waits for a silent member before its partitions go to the others; at least the broker’s `group.min.session.timeout.ms` (6000 by default)',
  },
  postgresPort: stackSetting(
    'SES_PG_PORT',
    wholeNumber(1, 65_535),
    5433,
    '`5433`',
    'the port `scripts/install-postgres.sh` starts the local PostgreSQL on (database `ses_warehouse`)',
  ),
  pgHost: stackSetting(
    'PGHOST',
    text(),
    undefined,
    'libpq’s',
    'PostgreSQL host for `consume --to postgres` without `--postgres-url` (read by the client, as for `psql`)',
  ),
  pgPort: stackSetting('PGPORT', text(), undefined, 'libpq’s', 'PostgreSQL port, likewise'),
  pgUser: stackSetting('PGUSER', text(), undefined, 'libpq’s', 'PostgreSQL user, likewise'),
  pgPassword: {
    ...stackSetting('PGPASSWORD', text(), undefined, 'libpq’s', 'PostgreSQL password, likewise'),
    secret: true,
  },
  pgDatabase: stackSetting('PGDATABASE', text(), undefined, 'libpq’s', 'PostgreSQL database, likewise'),
  ci: stackSetting(
    'CI',
    yesNo(),
    false,
    'unset',
    '`true` (set by CI systems) turns progress bars into plain lines',
  ),
  fuzzSeed: stackSetting(
    'FUZZ_SEED',
    text(),
    undefined,
    'a fixed seed, printed',
    'the seed of every property and fuzz test; `random` draws a new one',
  ),
  interopVenv: stackSetting(
    'INTEROP_VENV',
    text(),
    undefined,
    '`.stack/interop-venv`',
    'the Python venv of the confluent-kafka interop test',
  ),
} as const satisfies Record<string, SettingSpec<unknown>>;

export type SettingKey = keyof typeof SETTINGS;
type ParsedValue<K extends SettingKey> = ReturnType<(typeof SETTINGS)[K]['parse']>;

/** A value a setting refuses, or a required one that is missing; names the variable and the flag. */
export class SettingError extends ConfigError {
  constructor(
    readonly setting: SettingKey,
    key: string,
    message: string,
  ) {
    super(key, message);
  }
}

function spec(key: SettingKey): SettingSpec<unknown> {
  return SETTINGS[key] as SettingSpec<unknown>;
}

/** The variable that holds the setting (its own name first, then an old alias), and the raw value. */
export function rawSetting(env: Env, key: SettingKey): { name: string; value: string } | undefined {
  const setting = spec(key);
  const present = [setting.env, ...(setting.aliases ?? [])]
    .map((name) => ({ name, value: env[name]?.trim() ?? '' }))
    .filter(({ value }) => value !== '');
  const [first, ...others] = present;
  const differing = others.find(({ value }) => value !== first?.value);
  if (first !== undefined && differing !== undefined && first.name === setting.env) {
    // Two names for one setting that disagree: neither can be trusted to be the one meant.
    throw new SettingError(
      key,
      setting.env,
      `both ${setting.env} and its old name ${differing.name} are set, to different values; unset ${differing.name}`,
    );
  }
  return first;
}

/**
 * What names the setting in messages: its variable. (The CLI names the flag instead when the value came
 * from one: src/cli/settings-cli.ts.)
 */
export function settingLabel(key: SettingKey, variable = spec(key).env): string {
  return variable;
}

/**
 * The setting's value: parsed from the environment, else its fallback, else undefined. A value it
 * refuses is a SettingError naming the variable; a secret's value is never part of the message.
 */
export function readSetting<K extends SettingKey>(env: Env, key: K): ParsedValue<K> | undefined {
  const raw = rawSetting(env, key);
  const setting = spec(key);
  if (raw === undefined) return setting.fallback as ParsedValue<K> | undefined;
  try {
    return setting.parse(raw.value) as ParsedValue<K>;
  } catch (error) {
    if (!(error instanceof SettingValueError)) throw error;
    const message = setting.secret ? 'invalid value (not shown: the setting is secret)' : error.message;
    throw new SettingError(key, settingLabel(key, raw.name), message);
  }
}

/** Like readSetting, for a setting without which the caller cannot start. */
export function requireSetting<K extends SettingKey>(env: Env, key: K, why: string): ParsedValue<K> {
  const value = readSetting(env, key);
  if (value === undefined) throw new SettingError(key, settingLabel(key), `required: ${why}`);
  return value;
}

export function allSettings(): Array<[SettingKey, SettingSpec<unknown>]> {
  return Object.entries(SETTINGS) as Array<[SettingKey, SettingSpec<unknown>]>;
}

/** The setting an environment variable (or old alias) belongs to. */
export function settingForVariable(name: string): SettingKey | undefined {
  return allSettings().find(([, setting]) => setting.env === name || setting.aliases?.includes(name))?.[0];
}
