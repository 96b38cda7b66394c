/**
 * Shared plumbing for transforms: config parsing against the transform's ConfigDef, and the
 * `$Key`/`$Value` split (a transform written once operates on whichever side it was created for).
 */
import { ConfigError } from '../errors.ts';
import type { KafkaRecord } from '../record.ts';
import { CHAIN_TRANSFORM_KEYS, type ConfigDef, type ParsedConfig, parseConfig } from './config-def.ts';
import type { AvroSchema } from './schema.ts';
import type { RecordSchemas, Transform, TransformSetup } from './types.ts';

export type Side = 'key' | 'value';

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
    if (mapped === value) return record;
    return this.side === 'key' ? { ...record, key: mapped } : { ...record, value: mapped };
  }

  protected sideSchema(input: RecordSchemas): AvroSchema {
    const schema = this.side === 'key' ? input.key : input.value;
    if (schema === null) {
      throw this.configError('type', 'this $Key transform needs a key schema, but the chain was given none');
    }
    return schema;
  }
}
