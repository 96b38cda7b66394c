import type { KafkaHeader, KafkaRecord } from '../../record.ts';
import { SideTransform } from '../base.ts';
import { defineConfig, nonEmptyList, oneOf } from '../config-def.ts';
import { type AvroSchema, copyRecordBasics, fieldDefault } from '../schema.ts';
import { TransformDataError } from '../types.ts';
import { headerEncoderFor } from './header-value.ts';

const definition = defineConfig({
  fields: { type: 'list', validator: nonEmptyList, doc: 'fields to copy or move into headers' },
  headers: { type: 'list', validator: nonEmptyList, doc: 'header names, one per field, in the same order' },
  operation: {
    type: 'string',
    validator: oneOf(['move', 'copy']),
    doc: 'move removes the fields, copy keeps them',
  },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

export class HeaderFrom extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private extractors: Array<{
    header: string;
    field: string;
    fallback: unknown;
    encode: (v: unknown) => KafkaHeader['value'];
  }> = [];
  private kept: Array<{ name: string; fallback: unknown }> = [];

  protected override validate(): void {
    if (this.config.fields.length !== this.config.headers.length) {
      throw this.configError(
        'headers',
        `needs one header per field: ${this.config.fields.length} fields, ${this.config.headers.length} headers`,
      );
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const record = this.requireRecord(schema, 'HeaderFrom');
    const replaceNull = this.config['replace.null.with.default'];
    this.extractors = this.config.fields.map((name, index) => {
      const field = record.fields.find((candidate) => candidate.name === name);
      if (!field) throw this.configError('fields', `no field "${name}" in record ${record.name}`);
      return {
        header: this.config.headers[index] as string,
        field: name,
        fallback: replaceNull ? fieldDefault(field) : null,
        encode: headerEncoderFor(field.type),
      };
    });
    if (this.config.operation === 'copy') {
      this.kept = [];
      return schema;
    }
    const moved = new Set(this.config.fields);
    const remaining = record.fields.filter((field) => !moved.has(field.name));
    this.kept = remaining.map((field) => ({
      name: field.name,
      fallback: replaceNull ? fieldDefault(field) : null,
    }));
    return copyRecordBasics(record, remaining);
  }

  protected mapValue(value: unknown): unknown {
    if (this.config.operation === 'copy') return value;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { name, fallback } of this.kept) out[name] = source[name] ?? fallback;
    return out;
  }

  override apply(record: KafkaRecord): KafkaRecord {
    const value = this.side === 'key' ? record.key : record.value;
    if (value === null || value === undefined) {
      throw new TransformDataError(`HeaderFrom: the ${this.side} is null, expected a record`);
    }
    const source = value as Record<string, unknown>;
    const headers = [...record.headers];
    for (const { header, field, fallback, encode } of this.extractors) {
      headers.push({ key: header, value: encode(source[field] ?? fallback) });
    }
    const mapped = this.mapValue(value);
    return this.side === 'key' ? { ...record, key: mapped, headers } : { ...record, value: mapped, headers };
  }
}
