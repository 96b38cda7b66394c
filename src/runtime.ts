/**
 * Builds the pipeline from the environment, once per process: the Lambda handlers, CLI replay and the
 * HTTP endpoint share one metadata store (and its warm cache), one transform chain, one serializer (and
 * its schema-id cache) and one Kafka producer across invocations.
 */
import { loadPipelineSettings, type PipelineSettings } from './config/pipeline-settings.ts';
import { readSetting, SETTINGS, settingLabel } from './config/settings.ts';
import { createMetadataStoreFromEnv, type MetadataStore } from './enrich/index.ts';
import { ConfigError, describeError, PipelineError } from './errors.ts';
import { type KafkaSettings, loadKafkaSettings } from './kafka/config.ts';
import { createProducer } from './kafka/create-producer.ts';
import type { ProducerPort } from './kafka/producer.ts';
import type { PipelineMetrics } from './observability/metrics.ts';
import { Pipeline } from './pipeline.ts';
import type { AvroSchemaInput } from './serde/avro-types.ts';
import type { BoundEncoder, EncodeContext, EncodeResult, Serializer } from './serde/types.ts';
import type { WireFormat } from './serde/wire-format.ts';
import { loadBaseSchema } from './ses/base-schema.ts';
import {
  type AvroSchema,
  type FlatConfig,
  loadConfigFile,
  parseJsonConfig,
  parsePropertiesConfig,
  TransformChain,
} from './transforms/index.ts';
import { readPackageVersion } from './version.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface RuntimeOverrides {
  producer?: ProducerPort;
  metadata?: MetadataStore;
  serializer?: Serializer;
  metrics?: PipelineMetrics;
  now?: () => number;
}

export interface Runtime {
  pipeline: Pipeline;
  producer: ProducerPort;
  settings: PipelineSettings;
  chain: TransformChain;
  topic: string;
  dlqTopic: string;
  kafka: KafkaSettings;
}

function transformConfig(settings: PipelineSettings): FlatConfig {
  const source = settings.transforms;
  if (source === undefined) return {};
  if ('file' in source) return loadConfigFile(source.file);
  const text = source.inline;
  return text.trimStart().startsWith('{')
    ? parseJsonConfig(text, 'SES_KAFKA_TRANSFORMS')
    : parsePropertiesConfig(text);
}

export interface ChainBuildOptions {
  /** For the output schema only (registration): no secret is read and records are refused. */
  schemaOnly?: boolean;
  /** A base schema other than the configured version's (register-schemas --schema FILE). */
  baseSchema?: AvroSchema;
}

/**
 * The transform chain over the configured base schema; its output schema is what gets registered and
 * what the serializer encodes with, so registration and the pipeline build it through this one function.
 */
export function buildChain(
  settings: PipelineSettings,
  env: Env = process.env,
  options: ChainBuildOptions = {},
): TransformChain {
  return TransformChain.build(transformConfig(settings), {
    valueSchema: options.baseSchema ?? (loadBaseSchema(settings.schemaVersion) as unknown as AvroSchema),
    // The key is mail.messageId, so ValueToKey and $Key transforms start from a string key schema.
    keySchema: 'string',
    env,
    schemaOnly: options.schemaOnly ?? false,
  });
}

/**
 * A serializer whose implementation (and registry client library) is imported on first use. Only the
 * chosen registry's code is ever loaded: the Glue SDK client and the Confluent client with its JSON
 * Schema/Protobuf support were most of the Lambda's module init time (bench/cold-start.ts profile).
 */
function lazySerializer(format: WireFormat, load: () => Promise<Serializer>): Serializer {
  let loaded: Serializer | undefined;
  let loading: Promise<Serializer> | undefined;
  return {
    format,
    async encode(value: unknown, schema: AvroSchemaInput, context?: EncodeContext): Promise<EncodeResult> {
      return (await ensureLoaded()).encode(value, schema, context);
    },
    async encoderFor(schema: AvroSchemaInput, context?: EncodeContext): Promise<BoundEncoder> {
      return (await ensureLoaded()).encoderFor(schema, context);
    },
  };

  async function ensureLoaded(): Promise<Serializer> {
    if (loaded === undefined) {
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        // Not the input's fault: a failure here must hand events back, never dead-letter them.
        throw error instanceof PipelineError
          ? error
          : new PipelineError(
              'config',
              'SERIALIZER_LOAD_FAILED',
              `cannot load the ${format} serializer: ${describeError(error)}`,
              {
                cause: error,
              },
            );
      });
      loaded = await loading;
    }
    return loaded;
  }
}

export function buildSerializer(settings: PipelineSettings, topic: string): Serializer {
  const registry = settings.registry;
  if (registry.kind === 'confluent') {
    return lazySerializer('confluent', async () => {
      const { ConfluentSerializer } = await import('./serde/confluent-serializer.ts');
      return new ConfluentSerializer({
        registry: { url: registry.url, ...(registry.auth ? { auth: registry.auth } : {}) },
        subjectNameStrategy: registry.subjectNameStrategy,
        topic,
        autoRegister: settings.autoRegister,
        compatibility: settings.compatibility,
      });
    });
  }
  // Credentials come from the SDK's default chain everywhere (`--local` sets the stack's at the CLI edge).
  return lazySerializer('glue', async () => {
    const { GlueSerializer } = await import('./serde/glue-serializer.ts');
    return new GlueSerializer({
      registry: {
        ...(registry.region === undefined ? {} : { region: registry.region }),
        ...(registry.endpoint === undefined ? {} : { endpoint: registry.endpoint }),
      },
      registryName: registry.registryName,
      ...(registry.schemaName === undefined ? {} : { schemaName: registry.schemaName }),
      topic,
      autoRegister: settings.autoRegister,
      compatibility: settings.compatibility,
      compression: registry.compression,
      cacheTtlMs: registry.cacheTtlMs,
    });
  });
}

/** Reads every setting (ConfigError names the bad variable) and wires the pipeline. */
export function buildRuntime(env: Env = process.env, overrides: RuntimeOverrides = {}): Runtime {
  const settings = loadPipelineSettings(env);
  const kafka = loadKafkaSettings(env);
  const chain = buildChain(settings, env);
  const serviceEventsTopic = settings.serviceEventsTopic;
  if (serviceEventsTopic !== undefined && [kafka.topic, kafka.dlqTopic].includes(serviceEventsTopic)) {
    // Service events are JSON; sharing a topic with the Avro events or dead letters breaks its readers.
    throw new ConfigError(
      settingLabel('serviceEventsTopic'),
      `must differ from ${SETTINGS.topic.env} and ${SETTINGS.dlqTopic.env} ("${serviceEventsTopic}")`,
    );
  }
  const producer = overrides.producer ?? createProducer(kafka, readSetting(env, 'kafkaClient') ?? 'kafkajs');
  const pipeline = new Pipeline({
    metadata: overrides.metadata ?? createMetadataStoreFromEnv(env),
    chain,
    serializer: overrides.serializer ?? buildSerializer(settings, kafka.topic),
    producer,
    topic: kafka.topic,
    dlqTopic: kafka.dlqTopic,
    ...(serviceEventsTopic === undefined ? {} : { serviceEventsTopic }),
    schemaVersion: settings.schemaVersion,
    producerVersion: readPackageVersion(),
    ...(overrides.metrics === undefined ? {} : { metrics: overrides.metrics }),
    ...(overrides.now === undefined ? {} : { now: overrides.now }),
  });
  return { pipeline, producer, settings, chain, topic: kafka.topic, dlqTopic: kafka.dlqTopic, kafka };
}

let shared: Runtime | undefined;

/** The process-wide runtime, built on first use. A ConfigError is thrown again on every call until fixed. */
export function sharedRuntime(overrides: RuntimeOverrides = {}, env: Env = process.env): Runtime {
  shared ??= buildRuntime(env, overrides);
  return shared;
}

/** Forgets the shared runtime (tests, or after closing its producer). */
export async function resetSharedRuntime(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.producer.close();
}
