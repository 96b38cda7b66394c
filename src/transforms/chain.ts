/**
 * The transform chain: built once from a Connect-style config and the input schemas, then applied per
 * record. Building validates every key, resolves every type, maps the schemas through each transform
 * (precompiling field access) and checks the output with avsc, so a bad config fails at start-up.
 * Applying never throws for data problems: the outcome says what happened and the pipeline decides.
 */
import avro from 'avsc';
import { ConfigError, describeError, PipelineError } from '../errors.ts';
import { logger, redactEmail } from '../observability/logger.ts';
import type { KafkaHeader, KafkaRecord } from '../record.ts';
import { exactLongOptions } from '../serde/avro-types.ts';
import { defineConfig, nonEmptyString, oneOf, parseConfig } from './config-def.ts';
import { javaTrim } from './java/numbers.ts';
import { resolvePredicate, resolveTransform } from './registry.ts';
import { type AvroSchema, expandSchema, finalizeSchema } from './schema.ts';
import type { Predicate, RecordSchemas, Transform } from './types.ts';

export type TransformOutcome =
  | { kind: 'ok'; record: KafkaRecord }
  /** Dropped by a transform (Filter) or, with `error`, a failure tolerated without a dead-letter topic. */
  | { kind: 'filtered'; error?: PipelineError }
  /** `record` is the ORIGINAL input record, re-addressed to the dead-letter topic, plus context headers. */
  | { kind: 'dead-letter'; record: KafkaRecord; error: PipelineError }
  | { kind: 'failed'; error: PipelineError };

export interface ChainOptions {
  /** The value schema the records arrive in (Avro schema JSON). */
  valueSchema: AvroSchema;
  /** The key schema; null means keys carry no schema ($Key transforms then refuse to start). */
  keySchema?: AvroSchema | null;
  /** Where HashField's key.env and similar look; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Build for the output schema only (schema registration): secrets are not read, and `apply` refuses
   * every record, since a transform built this way has no key to hash with.
   */
  schemaOnly?: boolean;
}

const errorsDefinition = defineConfig({
  'errors.tolerance': {
    type: 'string',
    default: 'none',
    validator: oneOf(['none', 'all']),
    doc: 'none fails, all skips or dead-letters',
  },
  'errors.deadletterqueue.topic.name': {
    type: 'string',
    default: '',
    doc: 'dead-letter topic (with tolerance=all)',
  },
  'errors.deadletterqueue.context.headers.enable': {
    type: 'boolean',
    default: false,
    doc: 'add __connect.errors.* headers to dead-lettered records',
  },
  'errors.deadletterqueue.topic.replication.factor': {
    type: 'int',
    default: 3,
    doc: 'for creating the dead-letter topic',
  },
  'errors.log.enable': { type: 'boolean', default: false, doc: 'log each failure' },
  'errors.log.include.messages': {
    type: 'boolean',
    default: false,
    doc: 'include the record coordinates and key in the log',
  },
  'errors.retry.timeout': {
    type: 'int',
    default: 0,
    doc: 'accepted for Connect compatibility; transforms are not retried',
  },
  'errors.retry.delay.max.ms': { type: 'int', default: 60000, doc: 'accepted for Connect compatibility' },
});

export type ErrorHandlingConfig = ReturnType<typeof parseConfig<typeof errorsDefinition>>;

interface Step {
  alias: string;
  className: string;
  transform: Transform;
  predicate: Predicate | null;
  negate: boolean;
}

const CONTEXT_HEADER_PREFIX = '__connect.errors.';

function parseAliasList(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((alias) => alias.trim());
}

function checkAliases(listKey: string, aliases: string[]): void {
  const seen = new Set<string>();
  for (const alias of aliases) {
    if (alias === '')
      throw new ConfigError(listKey, 'contains an empty alias; use a comma-separated list like a,b');
    if (seen.has(alias)) throw new ConfigError(listKey, `alias "${alias}" is listed twice`);
    seen.add(alias);
  }
}

function subConfig(config: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config))
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  return out;
}

export class TransformChain {
  readonly inputSchemas: RecordSchemas;
  /** The schema to register and encode values with. */
  readonly outputValueSchema: AvroSchema;
  /** The key schema after the chain; differs from the input only when a transform touched keys. */
  readonly outputKeySchema: AvroSchema | null;
  readonly keySchemaChanged: boolean;
  readonly errorHandling: ErrorHandlingConfig;
  /** Connector-level keys the chain does not read (e.g. `name`, `topic`), left for the caller. */
  readonly ignoredKeys: string[];
  private readonly steps: Step[];
  private readonly connectorName: string;
  private readonly schemaOnly: boolean;

  private constructor(init: {
    inputSchemas: RecordSchemas;
    outputValueSchema: AvroSchema;
    outputKeySchema: AvroSchema | null;
    keySchemaChanged: boolean;
    errorHandling: ErrorHandlingConfig;
    ignoredKeys: string[];
    steps: Step[];
    connectorName: string;
    schemaOnly: boolean;
  }) {
    this.schemaOnly = init.schemaOnly;
    this.inputSchemas = init.inputSchemas;
    this.outputValueSchema = init.outputValueSchema;
    this.outputKeySchema = init.outputKeySchema;
    this.keySchemaChanged = init.keySchemaChanged;
    this.errorHandling = init.errorHandling;
    this.ignoredKeys = init.ignoredKeys;
    this.steps = init.steps;
    this.connectorName = init.connectorName;
  }

  /** Validates `config` and maps the schemas through every transform. Throws ConfigError. */
  static build(config: Record<string, string>, options: ChainOptions): TransformChain {
    const env = options.env ?? process.env;
    const transformAliases = parseAliasList(config.transforms);
    const predicateAliases = parseAliasList(config.predicates);
    checkAliases('transforms', transformAliases);
    checkAliases('predicates', predicateAliases);

    const ignoredKeys: string[] = [];
    const errorKeys: Record<string, string> = {};
    for (const key of Object.keys(config)) {
      const [head, alias] = key.split('.');
      if (key === 'transforms' || key === 'predicates') continue;
      if (head === 'transforms' && !transformAliases.includes(alias ?? '')) {
        throw new ConfigError(key, `alias "${alias}" is not listed in transforms=${config.transforms ?? ''}`);
      }
      if (head === 'predicates' && !predicateAliases.includes(alias ?? '')) {
        throw new ConfigError(key, `alias "${alias}" is not listed in predicates=${config.predicates ?? ''}`);
      }
      if (head === 'errors') errorKeys[key] = config[key] as string;
      else if (head !== 'transforms' && head !== 'predicates') ignoredKeys.push(key);
    }
    const errorHandling = parseConfig(errorsDefinition, errorKeys, '', []);

    const predicates = new Map<string, { predicate: Predicate; className: string }>();
    for (const alias of predicateAliases) {
      const prefix = `predicates.${alias}.`;
      const raw = subConfig(config, prefix);
      if (!raw.type)
        throw new ConfigError(`${prefix}type`, 'missing required key (the predicate class or short name)');
      const resolved = resolvePredicate(raw.type.trim(), `${prefix}type`);
      const predicate = resolved.create();
      predicate.configure({ config: raw, prefix, env, schemaOnly: options.schemaOnly ?? false });
      predicates.set(alias, { predicate, className: resolved.className });
    }

    const steps: Step[] = [];
    for (const alias of transformAliases) {
      const prefix = `transforms.${alias}.`;
      const raw = subConfig(config, prefix);
      if (!raw.type)
        throw new ConfigError(`${prefix}type`, 'missing required key (the transform class or short name)');
      const resolved = resolveTransform(raw.type.trim(), `${prefix}type`);
      const predicateAlias = raw.predicate?.trim() || undefined;
      const negateRaw = raw.negate === undefined ? undefined : javaTrim(raw.negate).toLowerCase();
      if (negateRaw !== undefined && negateRaw !== 'true' && negateRaw !== 'false') {
        throw new ConfigError(`${prefix}negate`, `expected true or false, got "${raw.negate}"`);
      }
      if (negateRaw !== undefined && !predicateAlias) {
        throw new ConfigError(
          `${prefix}negate`,
          'only meaningful together with a predicate; set transforms.<alias>.predicate',
        );
      }
      let predicate: Predicate | null = null;
      if (predicateAlias) {
        const found = predicates.get(predicateAlias);
        if (!found) {
          throw new ConfigError(
            `${prefix}predicate`,
            `predicate "${predicateAlias}" is not defined; list it in predicates= and set predicates.${predicateAlias}.type`,
          );
        }
        predicate = found.predicate;
      }
      const transform = resolved.create();
      transform.configure({ config: raw, prefix, env, schemaOnly: options.schemaOnly ?? false });
      steps.push({
        alias,
        className: resolved.className,
        transform,
        predicate,
        // As Connect's worker: validated trimmed, then read with Boolean.parseBoolean on the raw text.
        negate: raw.negate?.toLowerCase() === 'true',
      });
    }

    if (
      errorHandling['errors.deadletterqueue.topic.name'] !== '' &&
      errorHandling['errors.tolerance'] !== 'all'
    ) {
      throw new ConfigError(
        'errors.deadletterqueue.topic.name',
        'a dead-letter topic needs errors.tolerance=all (with none, the first failure stops the pipeline)',
      );
    }
    const connectorName = config.name?.trim() || 'ses-kafka-producer';
    nonEmptyString(connectorName);

    const inputSchemas: RecordSchemas = {
      key:
        options.keySchema === undefined
          ? 'string'
          : options.keySchema === null
            ? null
            : expandSchema(options.keySchema),
      value: expandSchema(options.valueSchema),
    };
    let schemas = inputSchemas;
    for (const step of steps) {
      // A predicate may skip the transform, so it sees the schemas the transform would see.
      step.predicate?.prepare?.(schemas);
      schemas = step.transform.outputSchema(schemas);
    }
    const outputValueSchema = checkAvro(finalizeSchema(schemas.value), 'value');
    const keySchemaChanged = schemas.key !== inputSchemas.key;
    const outputKeySchema = schemas.key === null ? null : checkAvro(finalizeSchema(schemas.key), 'key');
    return new TransformChain({
      inputSchemas,
      outputValueSchema,
      outputKeySchema,
      keySchemaChanged,
      errorHandling,
      ignoredKeys,
      steps,
      connectorName,
      schemaOnly: options.schemaOnly ?? false,
    });
  }

  /** Runs the record through every transform; never throws for bad data. */
  apply(record: KafkaRecord): TransformOutcome {
    if (this.schemaOnly) {
      return {
        kind: 'failed',
        error: new PipelineError(
          'config',
          'CHAIN_SCHEMA_ONLY',
          'this transform chain was built for its output schema only (no secrets were read) and cannot transform records',
        ),
      };
    }
    let current = record;
    for (const step of this.steps) {
      try {
        if (step.predicate && step.predicate.test(current) === step.negate) continue;
        const next = step.transform.apply(current);
        if (next === null) return { kind: 'filtered' };
        current = next;
      } catch (cause) {
        return this.onError(record, step, cause);
      }
    }
    return { kind: 'ok', record: current };
  }

  private onError(original: KafkaRecord, step: Step, cause: unknown): TransformOutcome {
    const error = new PipelineError(
      'transform',
      'TRANSFORM_FAILED',
      `transforms.${step.alias} (${step.className}) failed: ${describeError(cause)}`,
      { cause },
    );
    const handling = this.errorHandling;
    if (handling['errors.log.enable']) {
      logger.warn('transform failed', {
        transform: step.alias,
        className: step.className,
        error: redactEmail(error.message),
        ...(handling['errors.log.include.messages']
          ? { topic: original.topic, partition: original.partition, offset: original.offset }
          : {}),
      });
    }
    if (handling['errors.tolerance'] === 'none') return { kind: 'failed', error };
    const dlqTopic = handling['errors.deadletterqueue.topic.name'];
    if (dlqTopic === '') return { kind: 'filtered', error };
    const headers: KafkaHeader[] = [...original.headers];
    if (handling['errors.deadletterqueue.context.headers.enable']) {
      const add = (name: string, value: string | undefined) => {
        if (value !== undefined) headers.push({ key: `${CONTEXT_HEADER_PREFIX}${name}`, value });
      };
      add('topic', original.topic);
      add('partition', original.partition?.toString());
      add('offset', original.offset?.toString());
      add('connector.name', this.connectorName);
      add('task.id', '0');
      add('stage', 'TRANSFORMATION');
      add('class.name', step.className);
      add('exception.class.name', cause instanceof Error ? cause.name : 'Error');
      add('exception.message', redactEmail(describeError(cause)));
      add(
        'exception.stacktrace',
        cause instanceof Error && cause.stack ? redactEmail(cause.stack) : undefined,
      );
    }
    return { kind: 'dead-letter', record: { ...original, topic: dlqTopic, headers }, error };
  }
}

/** The avsc type each checked output schema compiled to, for callers that validate values against it. */
const compiledOutputTypes = new WeakMap<object, avro.Type>();

/** The avsc type (exact longs) of one of this module's output schemas, compiled at most once. */
export function compiledOutputType(schema: AvroSchema): avro.Type {
  if (typeof schema === 'object' && schema !== null) {
    const known = compiledOutputTypes.get(schema);
    if (known) return known;
  }
  const type = avro.Type.forSchema(schema as avro.Schema, exactLongOptions());
  if (typeof schema === 'object' && schema !== null) compiledOutputTypes.set(schema, type);
  return type;
}

function checkAvro(schema: AvroSchema, side: string): AvroSchema {
  try {
    compiledOutputType(schema);
  } catch (error) {
    throw new ConfigError(
      'transforms',
      `the chain's output ${side} schema is not valid Avro: ${describeError(error)}`,
    );
  }
  return schema;
}
