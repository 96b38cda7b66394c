import type { KafkaRecord } from '../../record.ts';
import { SideTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import {
  type AvroField,
  type AvroSchema,
  avroSchemaFor,
  copyRecordBasics,
  fieldDefault,
  isValidAvroName,
  newField,
  withOptionality,
} from '../schema.ts';
import { TransformDataError } from '../types.ts';

const definition = defineConfig({
  'topic.field': {
    type: 'string',
    default: null,
    doc: 'field for the topic; suffix ! = required, ? = optional',
  },
  'partition.field': { type: 'string', default: null, doc: 'field for the partition' },
  'offset.field': { type: 'string', default: null, doc: 'field for the offset' },
  'timestamp.field': { type: 'string', default: null, doc: 'field for the record timestamp' },
  'static.field': { type: 'string', default: null, doc: 'field for static.value' },
  'static.value': { type: 'string', default: null, doc: 'the static value to insert' },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

interface InsertionSpec {
  name: string;
  optional: boolean;
}

/** `name!` is required, `name?` and plain `name` are optional, as in Connect (an empty name is a name). */
function parseSpec(spec: string | null): InsertionSpec | null {
  if (spec === null) return null;
  if (spec.endsWith('?')) return { name: spec.slice(0, -1), optional: true };
  if (spec.endsWith('!')) return { name: spec.slice(0, -1), optional: false };
  return { name: spec, optional: true };
}

type Inserter = (record: KafkaRecord) => unknown;

export class InsertField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private inserts: Array<{ key: string; spec: InsertionSpec; schema: AvroSchema; value: Inserter }> = [];
  private copyFields: Array<{ name: string; fallback: unknown }> = [];

  protected override validate(): void {
    const c = this.config;
    const keys = [
      'topic.field',
      'partition.field',
      'offset.field',
      'timestamp.field',
      'static.field',
    ] as const;
    if (keys.every((key) => c[key] === null)) {
      throw this.configError(
        'topic.field',
        'set at least one of topic.field, partition.field, offset.field, timestamp.field, static.field',
      );
    }
    if (c['static.field'] !== null && c['static.value'] === null) {
      throw this.configError('static.value', 'required when static.field is set');
    }
    const candidates: Array<[string, string | null, AvroSchema, Inserter]> = [
      ['topic.field', c['topic.field'], 'string', (r) => r.topic],
      ['partition.field', c['partition.field'], 'int', (r) => r.partition ?? null],
      ['offset.field', c['offset.field'], 'long', (r) => this.offsetOf(r)],
      ['timestamp.field', c['timestamp.field'], avroSchemaFor('timestamp'), (r) => r.timestamp ?? null],
      ['static.field', c['static.field'], 'string', () => c['static.value']],
    ];
    this.inserts = [];
    for (const [key, raw, schema, value] of candidates) {
      const spec = parseSpec(raw);
      if (!spec) continue;
      // Avro names are stricter than Connect's; a bad one would only fail at registration time.
      if (!isValidAvroName(spec.name)) {
        throw this.configError(key, `"${spec.name}" is not a valid Avro field name ([A-Za-z_][A-Za-z0-9_]*)`);
      }
      this.inserts.push({ key, spec, schema: withOptionality(schema, spec.optional), value });
    }
  }

  private offsetOf(record: KafkaRecord): number {
    if (record.offset === undefined) {
      throw new TransformDataError(
        'InsertField offset.field needs the record offset, which this record has not got',
      );
    }
    return record.offset;
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const record = this.requireRecord(schema, 'InsertField');
    const fields: AvroField[] = [...record.fields];
    for (const { key, spec, schema: fieldSchema } of this.inserts) {
      if (fields.some((field) => field.name === spec.name)) {
        throw this.failsEveryRecord(key, `field "${spec.name}" already exists in record ${record.name}`);
      }
      fields.push(newField(spec.name, fieldSchema));
    }
    const replaceNull = this.config['replace.null.with.default'];
    this.copyFields = record.fields.map((field) => ({
      name: field.name,
      fallback: replaceNull ? fieldDefault(field) : null,
    }));
    return copyRecordBasics(record, fields);
  }

  protected mapValue(value: unknown, record: KafkaRecord): unknown {
    if (value === null || value === undefined) return value;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { name, fallback } of this.copyFields) {
      const fieldValue = source[name];
      out[name] = fieldValue === null || fieldValue === undefined ? fallback : fieldValue;
    }
    for (const { spec, value: insert } of this.inserts) {
      const inserted = insert(record);
      if (inserted === null && !spec.optional) {
        throw new TransformDataError(
          `InsertField: required field "${spec.name}" has no value in this record`,
        );
      }
      out[spec.name] = inserted;
    }
    return out;
  }
}
