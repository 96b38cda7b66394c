import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { defineConfig, nonEmptyList } from '../config-def.ts';
import { type AvroRecordSchema, asRecord, fieldDefault } from '../schema.ts';
import type { RecordSchemas } from '../types.ts';
import { TransformDataError } from '../types.ts';

const definition = defineConfig({
  fields: { type: 'list', validator: nonEmptyList, doc: 'value fields that make up the new key' },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

export class ValueToKey extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private picks: Array<{ name: string; fallback: unknown }> = [];

  outputSchema(input: RecordSchemas): RecordSchemas {
    const record = asRecord(input.value);
    if (!record) {
      throw this.failsEveryRecord(
        'type',
        `ValueToKey needs a record value schema, got ${JSON.stringify(input.value)}`,
      );
    }
    const replaceNull = this.config['replace.null.with.default'];
    this.picks = [];
    const seen = new Set<string>();
    const fields = this.config.fields.map((name) => {
      const field = record.fields.find((candidate) => candidate.name === name);
      if (!field) throw this.configError('fields', `no field "${name}" in record ${record.name}`);
      if (seen.has(name)) throw this.failsEveryRecord('fields', `field "${name}" is listed twice`);
      seen.add(name);
      this.picks.push({ name, fallback: replaceNull ? fieldDefault(field) : null });
      // The key field keeps the value field's whole schema, default included, as Connect's does.
      return { ...field };
    });
    // Connect's key struct is unnamed; Avro needs a name, so it is derived from the value record's.
    const key: AvroRecordSchema = { type: 'record', name: `${record.name}Key`, fields };
    if (record.namespace) key.namespace = record.namespace;
    return { key, value: input.value };
  }

  apply(record: KafkaRecord): KafkaRecord {
    if (record.value === null || record.value === undefined) {
      throw new TransformDataError('ValueToKey: the value is null, expected a record');
    }
    const source = record.value as Record<string, unknown>;
    const key: Record<string, unknown> = {};
    for (const { name, fallback } of this.picks) {
      const fieldValue = source[name];
      key[name] = fieldValue === null || fieldValue === undefined ? fallback : fieldValue;
    }
    return { ...record, key };
  }
}
