import { inflateSync } from 'node:zlib';
import type avro from 'avsc';
import { ConfigError, PipelineError } from '../errors.ts';
import {
  type AvroSchemaInput,
  type AvroTypeCache,
  type CompiledSchema,
  defaultTypeCache,
} from './avro-types.ts';
import { type ConfluentConnectionOptions, ConfluentRegistryClient } from './confluent-registry.ts';
import { type GlueConnectionOptions, GlueSchemaRegistry } from './glue-registry.ts';
import type { DecodeResult, SchemaRef } from './types.ts';
import { detectWireFormat, parseConfluentFrame, parseGlueFrame } from './wire-format.ts';

export interface DecoderOptions {
  /** Needed to decode Confluent-framed (0x00) messages. */
  confluent?: ConfluentConnectionOptions | ConfluentRegistryClient;
  /** Needed to decode Glue-framed (0x03) messages. */
  glue?: GlueConnectionOptions | GlueSchemaRegistry;
  typeCache?: AvroTypeCache;
}

export interface DecodeOptions {
  /** Decode into this schema's shape (Avro schema resolution); the writer schema otherwise. */
  readerSchema?: AvroSchemaInput;
}

interface WriterSchema {
  compiled: CompiledSchema;
  version?: number;
}

/**
 * Decodes either wire format: the first byte says which registry holds the writer schema. Writer
 * schemas are immutable per id, so each is fetched once; resolvers are built once per writer/reader pair.
 */
export class AvroDecoder {
  private readonly confluent: ConfluentRegistryClient | undefined;
  private readonly glue: GlueSchemaRegistry | undefined;
  private readonly typeCache: AvroTypeCache;
  private readonly writers = new Map<string, Promise<WriterSchema>>();
  private readonly resolvers = new Map<string, avro.Resolver>();

  constructor(options: DecoderOptions) {
    this.confluent =
      options.confluent === undefined || options.confluent instanceof ConfluentRegistryClient
        ? options.confluent
        : new ConfluentRegistryClient(options.confluent);
    this.glue =
      options.glue === undefined || options.glue instanceof GlueSchemaRegistry
        ? options.glue
        : new GlueSchemaRegistry(options.glue);
    this.typeCache = options.typeCache ?? defaultTypeCache;
  }

  async decode(bytes: Buffer, options: DecodeOptions = {}): Promise<DecodeResult> {
    const format = detectWireFormat(bytes);
    let body: Buffer;
    let ref: SchemaRef;
    let writer: WriterSchema;
    if (format === 'confluent') {
      const frame = parseConfluentFrame(bytes);
      body = frame.body;
      writer = await this.writer(`confluent:${frame.schemaId}`, () => this.fetchConfluent(frame.schemaId));
      ref = { format, id: String(frame.schemaId) };
    } else {
      const frame = parseGlueFrame(bytes);
      body = frame.compression === 'zlib' ? this.inflate(frame.body) : frame.body;
      writer = await this.writer(`glue:${frame.schemaVersionId}`, () =>
        this.fetchGlue(frame.schemaVersionId),
      );
      ref = {
        format,
        id: frame.schemaVersionId,
        ...(writer.version === undefined ? {} : { version: writer.version }),
      };
    }
    return {
      value: this.read(body, writer.compiled, options.readerSchema),
      schemaRef: ref,
      writerSchema: writer.compiled.definition,
    };
  }

  private read(body: Buffer, writer: CompiledSchema, readerSchema: AvroSchemaInput | undefined): unknown {
    try {
      if (readerSchema === undefined) return writer.type.fromBuffer(body);
      const reader = this.typeCache.compile(readerSchema);
      if (reader.definitionHash === writer.definitionHash) return reader.type.fromBuffer(body);
      return reader.type.fromBuffer(body, this.resolver(reader, writer));
    } catch (error) {
      if (error instanceof PipelineError) throw error;
      throw new PipelineError(
        'serialize',
        'SERDE_DECODE_FAILED',
        `Avro body does not decode with writer schema ${writer.fullName ?? '(unnamed)'}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  private resolver(reader: CompiledSchema, writer: CompiledSchema): avro.Resolver {
    const key = `${writer.definitionHash}>${reader.definitionHash}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      try {
        resolver = reader.type.createResolver(writer.type);
      } catch (error) {
        throw new PipelineError(
          'serialize',
          'SERDE_SCHEMA_MISMATCH',
          `reader schema ${reader.fullName ?? '(unnamed)'} cannot read data written with ${writer.fullName ?? '(unnamed)'}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }

  private writer(key: string, fetch: () => Promise<WriterSchema>): Promise<WriterSchema> {
    const known = this.writers.get(key);
    if (known) return known;
    const loading = fetch();
    this.writers.set(key, loading);
    loading.catch(() => this.writers.delete(key));
    return loading;
  }

  private async fetchConfluent(id: number): Promise<WriterSchema> {
    if (!this.confluent) {
      throw new ConfigError(
        'confluent.url',
        'message is Confluent-framed (0x00) but no Confluent-compatible registry is configured',
      );
    }
    return { compiled: this.typeCache.compile(await this.confluent.getSchemaDefinition(id)) };
  }

  private async fetchGlue(schemaVersionId: string): Promise<WriterSchema> {
    if (!this.glue) {
      throw new ConfigError(
        'glue.region',
        'message is AWS Glue-framed (0x03) but no Glue Schema Registry is configured',
      );
    }
    const version = await this.glue.getVersionById(schemaVersionId);
    if (version.dataFormat !== undefined && version.dataFormat !== 'AVRO') {
      throw new PipelineError(
        'serialize',
        'SERDE_UNSUPPORTED_FORMAT',
        `schema version ${schemaVersionId} is ${version.dataFormat}; only AVRO is supported`,
      );
    }
    return {
      compiled: this.typeCache.compile(version.definition),
      ...(version.versionNumber === undefined ? {} : { version: version.versionNumber }),
    };
  }

  private inflate(body: Buffer): Buffer {
    try {
      return inflateSync(body);
    } catch (error) {
      throw new PipelineError(
        'serialize',
        'SERDE_MALFORMED_FRAME',
        `AWS Glue frame says zlib but the body does not inflate: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}
