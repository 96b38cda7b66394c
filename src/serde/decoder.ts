import { inflateSync } from 'node:zlib';
import type avro from 'avsc';
import { ConfigError, isRetriable, PipelineError } from '../errors.ts';
import {
  type AvroSchemaInput,
  type AvroTypeCache,
  type CompiledSchema,
  defaultTypeCache,
} from './avro-types.ts';
import { type ConfluentConnectionOptions, ConfluentRegistryClient } from './confluent-registry.ts';
import { type GlueConnectionOptions, GlueSchemaRegistry } from './glue-registry.ts';
import { awsErrorName, httpStatusOf } from './registry-errors.ts';
import type { DecodeResult, SchemaRef } from './types.ts';
import { detectWireFormat, parseConfluentFrame, parseGlueFrame, type WireFormat } from './wire-format.ts';

export interface DecoderOptions {
  /** Needed to decode Confluent-framed (0x00) messages. */
  confluent?: ConfluentConnectionOptions | ConfluentRegistryClient;
  /** Needed to decode Glue-framed (0x03) messages. */
  glue?: GlueConnectionOptions | GlueSchemaRegistry;
  typeCache?: AvroTypeCache;
  /**
   * Largest Avro body a zlib-compressed Glue record may inflate to. Kafka records are at most a few MiB,
   * but zlib compresses a run of zeros over 1000:1, so without a bound one hostile record could make the
   * consumer allocate gigabytes.
   */
  maxInflatedBytes?: number;
}

/** SES events are a few KiB of Avro; 16 MiB leaves room for anything real and stops a zip bomb. */
export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/**
 * Why a record did not decode, which decides what the consumer does with it:
 * - `record`: its own bytes are bad (unknown framing, a frame or body that does not decode, a body that
 *   inflates past the bound, a schema that is not Avro). Only these are filed as undecodable rows.
 * - `unknown-schema`: the registry answered that it does not hold the record's schema id. Usually the
 *   consumer is pointed at the wrong registry; it can also be a schema deleted after the record was
 *   written.
 * - `unavailable`: the registry could not be asked (down, throttling, 5xx); a later attempt may work.
 * - `setup`: this consumer's own configuration: no registry configured for that framing, credentials
 *   missing or refused (401/403), a URL that is not a registry API. Fixing the setting fixes the record.
 */
export type DecodeFailure = 'record' | 'unknown-schema' | 'unavailable' | 'setup';

const RECORD_FAULT_CODES = new Set([
  'SERDE_UNKNOWN_FORMAT',
  'SERDE_MALFORMED_FRAME',
  'SERDE_DECODE_FAILED',
  'SERDE_INFLATE_TOO_LARGE',
  'SERDE_UNSUPPORTED_FORMAT',
  'SERDE_SCHEMA_MISMATCH',
  'SERDE_INVALID_SCHEMA',
]);

export function classifyDecodeFailure(error: unknown): DecodeFailure {
  if (isRetriable(error)) return 'unavailable';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === SCHEMA_NOT_FOUND) return 'unknown-schema';
  if (typeof code === 'string' && RECORD_FAULT_CODES.has(code)) return 'record';
  return 'setup';
}

export const SCHEMA_NOT_FOUND = 'REGISTRY_SCHEMA_NOT_FOUND';

/** A registry look-up that failed; says which framing, so the caller can name the setting to fix. */
export class SchemaLookupError extends PipelineError {
  override readonly name = 'SchemaLookupError';
  readonly wireFormat: WireFormat;

  constructor(
    wireFormat: WireFormat,
    code: string,
    message: string,
    options: { retriable: boolean; cause: unknown },
  ) {
    super('registry', code, message, options);
    this.wireFormat = wireFormat;
  }
}

/**
 * Confluent: a registry answers an unknown id with 404 and an error body {error_code: 40403, message};
 * a URL that is not a registry API also answers 404, but without that body, and the client library then
 * reports "Error, status 404" instead of the registry's message. Glue: EntityNotFoundException.
 */
function isSchemaNotFound(error: unknown): boolean {
  for (let link: unknown = error, depth = 0; link && depth < 5; depth += 1) {
    if (awsErrorName(link) === 'EntityNotFoundException') return true;
    const message = String((link as { message?: unknown }).message ?? '');
    if (httpStatusOf(link) === 404 && !/Error, status 404/.test(message)) return true;
    link = (link as { cause?: unknown }).cause;
  }
  return false;
}

function lookupError(wireFormat: WireFormat, id: string, error: unknown): PipelineError {
  if (!(error instanceof PipelineError) || error.stage !== 'registry') return error as PipelineError;
  if (isSchemaNotFound(error)) {
    return new SchemaLookupError(
      wireFormat,
      SCHEMA_NOT_FOUND,
      `the registry does not hold schema ${id}: ${error.message}`,
      { retriable: false, cause: error },
    );
  }
  const notAnApi = [error, error.cause].some((link) => httpStatusOf(link) === 404);
  const message = notAnApi
    ? `${error.message} (the URL answers 404 without a registry error body: is it the registry's API root, e.g. http://host:8081/apis/ccompat/v7 for Apicurio?)`
    : error.message;
  return new SchemaLookupError(wireFormat, error.code, message, {
    retriable: error.retriable,
    cause: error,
  });
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
  /** Writer schemas already fetched, for the synchronous path. */
  private readonly known = new Map<string, WriterSchema>();
  private readonly resolvers = new Map<string, avro.Resolver>();
  private readonly maxInflatedBytes: number;

  constructor(options: DecoderOptions) {
    this.maxInflatedBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
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

  /**
   * Decodes without waiting when the record's writer schema has already been fetched (every record but
   * the first of each writer); undefined when it must be fetched first, which `decode` does. Consumers
   * decode tens of thousands of records a second, and the promises of an async call per record showed
   * in their profile. Throws as `decode` rejects.
   */
  decodeKnown(bytes: Buffer, options: DecodeOptions = {}): DecodeResult | undefined {
    const format = detectWireFormat(bytes);
    if (format === 'confluent') {
      const frame = parseConfluentFrame(bytes);
      const writer = this.known.get(`confluent:${frame.schemaId}`);
      if (writer === undefined) return undefined;
      return {
        value: this.read(frame.body, writer.compiled, options.readerSchema),
        schemaRef: { format, id: String(frame.schemaId) },
        writerSchema: writer.compiled.definition,
      };
    }
    const frame = parseGlueFrame(bytes);
    const writer = this.known.get(`glue:${frame.schemaVersionId}`);
    if (writer === undefined) return undefined;
    const body = frame.compression === 'zlib' ? this.inflate(frame.body) : frame.body;
    return {
      value: this.read(body, writer.compiled, options.readerSchema),
      schemaRef: {
        format,
        id: frame.schemaVersionId,
        ...(writer.version === undefined ? {} : { version: writer.version }),
      },
      writerSchema: writer.compiled.definition,
    };
  }

  async decode(bytes: Buffer, options: DecodeOptions = {}): Promise<DecodeResult> {
    const known = this.decodeKnown(bytes, options);
    if (known !== undefined) return known;
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
    loading.then(
      (writer) => this.known.set(key, writer),
      () => this.writers.delete(key),
    );
    return loading;
  }

  private async fetchConfluent(id: number): Promise<WriterSchema> {
    if (!this.confluent) {
      throw new ConfigError(
        'confluent.url',
        'message is Confluent-framed (0x00) but no Confluent-compatible registry is configured',
      );
    }
    let definition: string;
    try {
      definition = await this.confluent.getSchemaDefinition(id);
    } catch (error) {
      throw lookupError('confluent', `id ${id}`, error);
    }
    return { compiled: this.typeCache.compile(definition) };
  }

  private async fetchGlue(schemaVersionId: string): Promise<WriterSchema> {
    if (!this.glue) {
      throw new ConfigError(
        'glue.region',
        'message is AWS Glue-framed (0x03) but no Glue Schema Registry is configured',
      );
    }
    let version: Awaited<ReturnType<GlueSchemaRegistry['getVersionById']>>;
    try {
      version = await this.glue.getVersionById(schemaVersionId);
    } catch (error) {
      throw lookupError('glue', `version ${schemaVersionId}`, error);
    }
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
      return inflateSync(body, { maxOutputLength: this.maxInflatedBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new PipelineError(
          'serialize',
          'SERDE_INFLATE_TOO_LARGE',
          `AWS Glue zlib body inflates past ${this.maxInflatedBytes} bytes; refused so one record cannot exhaust memory`,
          { cause: error },
        );
      }
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
