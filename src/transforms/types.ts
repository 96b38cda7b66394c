import type { KafkaRecord } from '../record.ts';
import type { ConfigDef } from './config-def.ts';
import type { AvroSchema } from './schema.ts';

/** The key and value schemas flowing through the chain; a null key schema means "no key schema". */
export interface RecordSchemas {
  key: AvroSchema | null;
  value: AvroSchema;
}

export interface TransformSetup {
  /** Raw config for this transform, with the `transforms.<alias>.` prefix removed. */
  config: Record<string, string>;
  /** `transforms.<alias>.`, used to name keys in errors. */
  prefix: string;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * True when the chain is built only for its output schema (schema registration): secrets such as
   * HashField's key are not needed for that, so they are not read, and the chain refuses records.
   */
  schemaOnly?: boolean;
}

/**
 * One single message transform. Lifecycle: `configure` once, `outputSchema` once (it precompiles the
 * per-record work), then `apply` per record. `apply` returns null to drop the record.
 */
export interface Transform {
  configure(setup: TransformSetup): void;
  outputSchema(input: RecordSchemas): RecordSchemas;
  apply(record: KafkaRecord): KafkaRecord | null;
}

export interface Predicate {
  configure(setup: TransformSetup): void;
  /** Called once with the chain's schemas at the point of use; precompiles field access. */
  prepare?(input: RecordSchemas): void;
  test(record: KafkaRecord): boolean;
}

export interface PluginDescriptor<P> {
  /** Canonical Java-style class name, e.g. `org.apache.kafka.connect.transforms.InsertField$Value`. */
  className: string;
  config: ConfigDef;
  create(): P;
}

/** Raised by `apply`; the chain turns it into an outcome according to `errors.tolerance`. */
export class TransformDataError extends Error {
  override readonly name = 'TransformDataError';
}
