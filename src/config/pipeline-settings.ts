import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { topicSchema } from '../kafka/config.ts';
import { COMPATIBILITY_LEVELS, type CompatibilityLevel } from '../serde/compatibility-level.ts';
import { parseSubjectNameStrategy, type SubjectNameStrategy } from '../serde/subject-name.ts';
import {
  BASE_SCHEMA_VERSIONS,
  type BaseSchemaVersion,
  LATEST_BASE_SCHEMA_VERSION,
} from '../ses/base-schema.ts';

/** Every environment variable the pipeline's own settings read (Kafka and enrichment have theirs). */
export const PIPELINE_ENV = {
  registry: 'SES_KAFKA_REGISTRY',
  registryUrl: 'SES_KAFKA_REGISTRY_URL',
  registryUsername: 'SES_KAFKA_REGISTRY_USERNAME',
  registryPassword: 'SES_KAFKA_REGISTRY_PASSWORD',
  subjectNameStrategy: 'SES_KAFKA_SUBJECT_NAME_STRATEGY',
  glueRegistryName: 'SES_KAFKA_GLUE_REGISTRY_NAME',
  glueSchemaName: 'SES_KAFKA_GLUE_SCHEMA_NAME',
  glueEndpoint: 'SES_KAFKA_GLUE_ENDPOINT',
  glueCompression: 'SES_KAFKA_GLUE_COMPRESSION',
  glueCacheTtlSeconds: 'SES_KAFKA_GLUE_CACHE_TTL_SECONDS',
  autoRegister: 'SES_KAFKA_SCHEMA_AUTO_REGISTER',
  compatibility: 'SES_KAFKA_SCHEMA_COMPATIBILITY',
  schemaVersion: 'SES_KAFKA_SCHEMA_VERSION',
  transformsFile: 'SES_KAFKA_TRANSFORMS_FILE',
  transforms: 'SES_KAFKA_TRANSFORMS',
  deadlineMarginMs: 'SES_KAFKA_DEADLINE_MARGIN_MS',
  serviceEventsTopic: 'SES_KAFKA_SERVICE_EVENTS_TOPIC',
} as const;

export const PIPELINE_ENV_VARS: readonly string[] = Object.values(PIPELINE_ENV);

export type RegistrySettings =
  | {
      kind: 'confluent';
      url: string;
      auth?: { username: string; password: string };
      subjectNameStrategy: SubjectNameStrategy;
    }
  | {
      kind: 'glue';
      registryName: string;
      schemaName?: string;
      endpoint?: string;
      compression: 'none' | 'zlib';
      cacheTtlMs: number;
    };

export interface PipelineSettings {
  registry: RegistrySettings;
  autoRegister: boolean;
  compatibility: CompatibilityLevel;
  schemaVersion: BaseSchemaVersion;
  /** Connect-style transform config: a file path, or inline JSON / .properties text. */
  transforms: { file: string } | { inline: string } | undefined;
  /** Kafka must acknowledge this long before the Lambda's own timeout, so the handler can still answer. */
  deadlineMarginMs: number;
  /**
   * Where SES service events from EventBridge (Sending Status Disabled, advisor recommendations) go, as
   * the EventBridge JSON; unset filters them out.
   */
  serviceEventsTopic: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name) ?? fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
}

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const parsed = z.coerce.number().int().min(min).max(max).safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
}

function optionalTopic(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const parsed = topicSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ConfigError(name, `${parsed.error.issues[0]?.message ?? 'not a topic name'}, got "${raw}"`);
}

function readRegistry(env: Env): RegistrySettings {
  const kind = oneOf(env, PIPELINE_ENV.registry, ['confluent', 'glue'] as const, 'confluent');
  if (kind === 'confluent') {
    const url = read(env, PIPELINE_ENV.registryUrl);
    if (url === undefined) {
      throw new ConfigError(
        PIPELINE_ENV.registryUrl,
        'required with SES_KAFKA_REGISTRY=confluent: the registry API root, e.g. https://registry.example.com or http://127.0.0.1:8081/apis/ccompat/v7',
      );
    }
    if (!URL.canParse(url)) throw new ConfigError(PIPELINE_ENV.registryUrl, `not a URL: "${url}"`);
    const username = read(env, PIPELINE_ENV.registryUsername);
    const password = env[PIPELINE_ENV.registryPassword];
    if ((username === undefined) !== (password === undefined || password === '')) {
      throw new ConfigError(
        username === undefined ? PIPELINE_ENV.registryUsername : PIPELINE_ENV.registryPassword,
        'registry basic auth needs both SES_KAFKA_REGISTRY_USERNAME and SES_KAFKA_REGISTRY_PASSWORD',
      );
    }
    return {
      kind,
      url,
      ...(username === undefined ? {} : { auth: { username, password: password as string } }),
      subjectNameStrategy: parseSubjectNameStrategy(
        read(env, PIPELINE_ENV.subjectNameStrategy) ?? 'TopicNameStrategy',
        PIPELINE_ENV.subjectNameStrategy,
      ),
    };
  }
  const endpoint = read(env, PIPELINE_ENV.glueEndpoint);
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new ConfigError(PIPELINE_ENV.glueEndpoint, `not a URL: "${endpoint}"`);
  }
  const schemaName = read(env, PIPELINE_ENV.glueSchemaName);
  return {
    kind,
    registryName: read(env, PIPELINE_ENV.glueRegistryName) ?? 'default-registry',
    ...(schemaName === undefined ? {} : { schemaName }),
    ...(endpoint === undefined ? {} : { endpoint }),
    compression: oneOf(env, PIPELINE_ENV.glueCompression, ['none', 'zlib'] as const, 'none'),
    cacheTtlMs: wholeNumber(env, PIPELINE_ENV.glueCacheTtlSeconds, 86_400, 1, 7 * 86_400) * 1000,
  };
}

/** Reads and checks the pipeline settings; a bad value is a ConfigError naming the variable. */
export function loadPipelineSettings(env: Env = process.env): PipelineSettings {
  const file = read(env, PIPELINE_ENV.transformsFile);
  const inline = read(env, PIPELINE_ENV.transforms);
  if (file !== undefined && inline !== undefined) {
    throw new ConfigError(
      PIPELINE_ENV.transforms,
      `set ${PIPELINE_ENV.transformsFile} or ${PIPELINE_ENV.transforms}, not both`,
    );
  }
  return {
    registry: readRegistry(env),
    autoRegister: oneOf(env, PIPELINE_ENV.autoRegister, ['true', 'false'] as const, 'false') === 'true',
    compatibility: oneOf(env, PIPELINE_ENV.compatibility, COMPATIBILITY_LEVELS, 'BACKWARD'),
    schemaVersion: oneOf(env, PIPELINE_ENV.schemaVersion, BASE_SCHEMA_VERSIONS, LATEST_BASE_SCHEMA_VERSION),
    transforms: file !== undefined ? { file } : inline !== undefined ? { inline } : undefined,
    deadlineMarginMs: wholeNumber(env, PIPELINE_ENV.deadlineMarginMs, 2_000, 0, 60_000),
    serviceEventsTopic: optionalTopic(env, PIPELINE_ENV.serviceEventsTopic),
  };
}
