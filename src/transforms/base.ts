/**
 * Shared plumbing for transforms: config parsing against the transform's ConfigDef, and the
 * `$Key`/`$Value` split (a transform written once operates on whichever side it was created for).
 */
import { ConfigError } from '../errors.ts';
import type { KafkaRecord } from '../record.ts';
import { CHAIN_TRANSFORM_KEYS, type ConfigDef, type ParsedConfig, parseConfig } from './config-def.ts';
import { type AvroRecordSchema, type AvroSchema, asRecord } from './schema.ts';
import type { RecordSchemas, Transform, TransformSetup } from './types.ts';

export type Side = 'key' | 'value';

/** The wording every "Connect would fail each record" refusal ends with. */
export const FAILS_EVERY_RECORD =
  ' (Kafka Connect accepts this and then fails each record it applies to, so it is refused at start-up)';

export abstract class ConfiguredTransform<D extends ConfigDef> implements Transform {
  protected config!: ParsedConfig<D>;
  protected prefix = '';
  protected env: Readonly<Record<string, string | undefined>> = {};
  /** See TransformSetup.schemaOnly: secrets are not read. */
  protected schemaOnly = false;

  protected abstract readonly definition: D;

  configure(setup: TransformSetup): void {
    this.prefix = setup.prefix;
    this.env = setup.env;
    this.schemaOnly = setup.schemaOnly ?? false;
    this.config = parseConfig(this.definition, setup.config, setup.prefix, CHAIN_TRANSFORM_KEYS);
    this.validate();
  }

  /** Cross-key checks that a single key's validator cannot do. */
  protected validate(): void {}

  protected configError(key: string, message: string): ConfigError {
    return new ConfigError(`${this.prefix}${key}`, message);
  }

  /**
   * A config the schema shows cannot work: Connect accepts it and then fails each record it applies to, so
   * we refuse it at start-up instead (a deliberate difference, listed in the README).
   */
  protected failsEveryRecord(key: string, message: string): ConfigError {
    return this.configError(key, `${message}${FAILS_EVERY_RECORD}`);
  }

  abstract outputSchema(input: RecordSchemas): RecordSchemas;
  abstract apply(record: KafkaRecord): KafkaRecord | null;
}

/** A transform that maps one side's schema once and that side's value per record. */
export abstract class SideTransform<D extends ConfigDef> extends ConfiguredTransform<D> {
  constructor(readonly side: Side) {
    super();
  }

  protected abstract mapSchema(schema: AvroSchema): AvroSchema;
  protected abstract mapValue(value: unknown, record: KafkaRecord): unknown;

  outputSchema(input: RecordSchemas): RecordSchemas {
    const schema = this.sideSchema(input);
    const mapped = this.mapSchema(schema);
    return this.side === 'key' ? { ...input, key: mapped } : { ...input, value: mapped };
  }

  apply(record: KafkaRecord): KafkaRecord {
    const value = this.side === 'key' ? record.key : record.value;
    const mapped = this.mapValue(value, record);
    // Object.is: a cast of -0.0 to an integer gives 0, which === would take for no change.
    if (Object.is(mapped, value)) return record;
    return this.side === 'key' ? { ...record, key: mapped } : { ...record, value: mapped };
  }

  protected sideSchema(input: RecordSchemas): AvroSchema {
    const schema = this.side === 'key' ? input.key : input.value;
    if (schema === null) {
      throw this.configError('type', 'this $Key transform needs a key schema, but the chain was given none');
    }
    return schema;
  }

  /** The side's schema as a record, or a start-up refusal naming the transform (Connect's requireStruct). */
  protected requireRecord(schema: AvroSchema, transform: string): AvroRecordSchema {
    const record = asRecord(schema);
    if (!record) {
      throw this.failsEveryRecord(
        'type',
        `${transform} needs a record ${this.side} schema, got ${JSON.stringify(schema)}`,
      );
    }
    return record;
  }
}
