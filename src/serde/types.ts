import type { AvroSchemaInput } from './avro-types.ts';
import type { WireFormat } from './wire-format.ts';

/** Which registry entry a message was written against. */
export interface SchemaRef {
  format: WireFormat;
  /** Confluent: the global schema id as a decimal string. Glue: the schema-version UUID. */
  id: string;
  /** The subject version (Confluent) or schema version number (Glue), when the registry told us. */
  version?: number;
}

export interface EncodeResult {
  bytes: Buffer;
  schemaRef: SchemaRef;
}

/** Per-record context; the topic names the subject (Confluent) or the schema (Glue) when not fixed. */
export interface EncodeContext {
  topic?: string;
}

export interface Serializer {
  readonly format: WireFormat;
  /**
   * Encodes `value` as Avro against `schema` and frames it for the registry. The schema is compiled
   * and its registry id looked up once, then served from cache.
   */
  encode(value: unknown, schema: AvroSchemaInput, context?: EncodeContext): Promise<EncodeResult>;
  /**
   * The schema compiled and its registry entry looked up (or registered) once, for many records to one
   * topic: the pipeline asks once per batch and topic, then encodes each record synchronously.
   */
  encoderFor(schema: AvroSchemaInput, context?: EncodeContext): Promise<BoundEncoder>;
}

/** Encodes values against one schema whose registry entry is known: no lookup and no promise per record. */
export interface BoundEncoder {
  readonly schemaRef: Readonly<SchemaRef>;
  /** The framed bytes; throws a PipelineError (SERDE_INVALID_VALUE) for a value that does not match. */
  encode(value: unknown): Buffer;
}

export interface DecodeResult {
  value: unknown;
  schemaRef: SchemaRef;
  /** The writer schema as registered (JSON text). */
  writerSchema: string;
}
