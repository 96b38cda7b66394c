import { PipelineError } from '../errors.ts';
import {
  type AvroSchemaInput,
  type AvroTypeCache,
  type CompiledSchema,
  defaultTypeCache,
  encodeAvroFramed,
} from './avro-types.ts';
import { type CompatibilityLevel, DEFAULT_COMPATIBILITY } from './compatibility-level.ts';
import { type ConfluentConnectionOptions, ConfluentRegistryClient } from './confluent-registry.ts';
import { type SubjectNameStrategy, subjectName } from './subject-name.ts';
import type { BoundEncoder, EncodeContext, EncodeResult, Serializer } from './types.ts';
import { confluentHeader } from './wire-format.ts';

export interface ConfluentSerializerOptions {
  /** Connection settings, or a ready client (shared between serializer and decoder). */
  registry: ConfluentConnectionOptions | ConfluentRegistryClient;
  subjectNameStrategy?: SubjectNameStrategy;
  /** Default topic when encode() is not told one. */
  topic?: string;
  /** Register a schema the subject does not hold yet (Confluent's `auto.register.schemas`, default on). */
  autoRegister?: boolean;
  /** Compatibility set on a subject this serializer creates. */
  compatibility?: CompatibilityLevel;
  typeCache?: AvroTypeCache;
}

export class ConfluentSerializer implements Serializer {
  readonly format = 'confluent' as const;
  private readonly registry: ConfluentRegistryClient;
  private readonly typeCache: AvroTypeCache;
  private readonly options: ConfluentSerializerOptions;
  /** subject + definition -> id. Ids never change, so entries never expire; failures are not kept. */
  private readonly ids = new Map<string, Promise<number>>();

  constructor(options: ConfluentSerializerOptions) {
    this.options = options;
    this.registry =
      options.registry instanceof ConfluentRegistryClient
        ? options.registry
        : new ConfluentRegistryClient(options.registry);
    this.typeCache = options.typeCache ?? defaultTypeCache;
  }

  async encode(value: unknown, schema: AvroSchemaInput, context: EncodeContext = {}): Promise<EncodeResult> {
    const encoder = await this.encoderFor(schema, context);
    return { bytes: encoder.encode(value), schemaRef: { ...encoder.schemaRef } };
  }

  async encoderFor(schema: AvroSchemaInput, context: EncodeContext = {}): Promise<BoundEncoder> {
    const compiled = this.typeCache.compile(schema);
    const subject = subjectName({
      strategy: this.options.subjectNameStrategy ?? 'TopicNameStrategy',
      topic: context.topic ?? this.options.topic,
      recordFullName: compiled.fullName,
    });
    const id = await this.idFor(subject, compiled);
    const header = confluentHeader(id);
    return {
      schemaRef: { format: 'confluent', id: String(id) },
      encode: (value) => encodeAvroFramed(compiled, header, value),
    };
  }

  private idFor(subject: string, compiled: CompiledSchema): Promise<number> {
    const key = `${subject}#${compiled.definitionHash}`;
    const known = this.ids.get(key);
    if (known) return known;
    const lookup = this.lookUp(subject, compiled);
    this.ids.set(key, lookup);
    lookup.catch(() => this.ids.delete(key));
    return lookup;
  }

  private async lookUp(subject: string, compiled: CompiledSchema): Promise<number> {
    const found = await this.registry.findId(subject, compiled.definition);
    if (found !== undefined) return found;
    if (this.options.autoRegister === false) {
      throw new PipelineError(
        'registry',
        'SCHEMA_NOT_REGISTERED',
        `subject "${subject}" at ${this.registry.url} does not hold this schema; run \`ses-kafka register-schemas\` or enable auto-registration`,
      );
    }
    return this.registry.register(
      subject,
      compiled.definition,
      this.options.compatibility ?? DEFAULT_COMPATIBILITY,
    );
  }
}
