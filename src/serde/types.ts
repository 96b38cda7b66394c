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
}

export interface DecodeResult {
  value: unknown;
  schemaRef: SchemaRef;
  /** The writer schema as registered (JSON text). */
  writerSchema: string;
}
