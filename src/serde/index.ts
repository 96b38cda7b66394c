/** The serde surface the pipeline, the consumers and the registration script use. */
import { ConfluentSerializer, type ConfluentSerializerOptions } from './confluent-serializer.ts';
import { GlueSerializer, type GlueSerializerOptions } from './glue-serializer.ts';
import type { Serializer } from './types.ts';

export { type AvroSchemaInput, AvroTypeCache, defaultTypeCache } from './avro-types.ts';
export {
  COMPATIBILITY_LEVELS,
  type CompatibilityLevel,
  parseCompatibilityLevel,
} from './compatibility-level.ts';
export { type ConfluentConnectionOptions, ConfluentRegistryClient } from './confluent-registry.ts';
export { ConfluentSerializer, type ConfluentSerializerOptions } from './confluent-serializer.ts';
export { AvroDecoder, type DecodeOptions, type DecoderOptions } from './decoder.ts';
export { type GlueConnectionOptions, GlueSchemaRegistry } from './glue-registry.ts';
export { GlueSerializer, type GlueSerializerOptions } from './glue-serializer.ts';
export { parseSubjectNameStrategy, type SubjectNameStrategy } from './subject-name.ts';
export type { DecodeResult, EncodeContext, EncodeResult, SchemaRef, Serializer } from './types.ts';
export { detectWireFormat, type WireFormat } from './wire-format.ts';

export type SerializerConfig =
  | ({ format: 'confluent' } & ConfluentSerializerOptions)
  | ({ format: 'glue' } & GlueSerializerOptions);

export function createSerializer(config: SerializerConfig): Serializer {
  return config.format === 'confluent' ? new ConfluentSerializer(config) : new GlueSerializer(config);
}
