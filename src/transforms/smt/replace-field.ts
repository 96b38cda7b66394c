import { SideTransform } from '../base.ts';
import { colonPairs, defineConfig, javaSplit } from '../config-def.ts';
import {
  type AvroField,
  type AvroSchema,
  connectTypeOf,
  copyField,
  copyRecordBasics,
  fieldDefault,
  isOptional,
  isValidAvroName,
  unwrapOptional,
} from '../schema.ts';
import { TransformDataError } from '../types.ts';

const definition = defineConfig({
  exclude: { type: 'list', default: [], doc: 'fields to drop' },
  include: { type: 'list', default: [], doc: 'fields to keep (all when empty)' },
  renames: { type: 'list', default: [], validator: colonPairs, doc: 'renames as old:new pairs' },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

/**
 * Connect's ReplaceField: keep (include), drop (exclude) and rename top-level fields. As in Connect, each
 * output field takes its value from the field its NEW name was renamed from (the inverted renames).
 */
export class ReplaceField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private renames = new Map<string, string>();
  private reverse = new Map<string, string>();
  private copies: Array<{ to: string; from: string; fallback: unknown; required: boolean }> = [];

  protected override validate(): void {
    this.renames = new Map();
    for (const pair of this.config.renames) {
      const [from = '', to = ''] = javaSplit(pair, ':');
      if (!isValidAvroName(to)) {
        throw this.configError('renames', `"${to}" is not a valid Avro field name ([A-Za-z_][A-Za-z0-9_]*)`);
      }
      this.renames.set(from, to);
    }
    this.reverse = new Map();
    for (const [from, to] of this.renames) {
      // Connect inverts the renames through a HashMap, whose iteration order picks the winner here.
      if (this.reverse.has(to)) {
        throw this.configError(
          'renames',
          `two fields are renamed to "${to}" ("${this.reverse.get(to)}" and "${from}"); rename one field to each name`,
        );
      }
      this.reverse.set(to, from);
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const record = this.requireRecord(schema, 'ReplaceField');
    const byName = new Map(record.fields.map((field) => [field.name, field]));
    // Deliberately stricter than Connect: a misspelt field name would silently keep data we meant to drop.
    for (const key of ['exclude', 'include'] as const) {
      for (const name of this.config[key]) {
        if (!byName.has(name)) throw this.configError(key, `no field "${name}" in record ${record.name}`);
      }
    }
    for (const from of this.renames.keys()) {
      if (!byName.has(from)) throw this.configError('renames', `no field "${from}" in record ${record.name}`);
    }
    const { exclude, include } = this.config;
    const kept = record.fields.filter(
      (field) => !exclude.includes(field.name) && (include.length === 0 || include.includes(field.name)),
    );
    const fields = kept.map((field) => copyField(field, this.renames.get(field.name) ?? field.name));
    const seen = new Set<string>();
    for (const field of fields) {
      if (seen.has(field.name)) {
        throw this.failsEveryRecord('renames', `two fields would be named "${field.name}"`);
      }
      seen.add(field.name);
    }
    const replaceNull = this.config['replace.null.with.default'];
    this.copies = fields.map((field) => {
      const from = this.reverse.get(field.name) ?? field.name;
      const source = byName.get(from) as AvroField;
      if (from !== field.name && JSON.stringify(source.type) !== JSON.stringify(field.type)) {
        // Connect's Struct.put checks each value against the output field's schema: a value of the same
        // type passes whatever the optionality, and a null fails a required field (see mapValue). Any
        // other pairing is refused: Connect's check lets some through (a Date into a Timestamp field, an
        // empty list into a list of another type) and its converter then writes them in the other encoding.
        const sourceBase = unwrapOptional(source.type).base;
        const targetBase = unwrapOptional(field.type).base;
        const sameType =
          JSON.stringify(sourceBase) === JSON.stringify(targetBase) && connectTypeOf(targetBase) !== 'struct';
        if (!sameType) {
          throw this.configError(
            'renames',
            `field "${from}" would fill output field "${field.name}", which has another type (Connect reads output fields through the inverted renames); rename into a field of the same type or exclude "${field.name}" differently`,
          );
        }
      }
      return {
        to: field.name,
        from,
        fallback: replaceNull ? fieldDefault(source) : null,
        required: !isOptional(field.type),
      };
    });
    return copyRecordBasics(record, fields);
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { from, to, fallback, required } of this.copies) {
      const fieldValue = source[from];
      const copied = fieldValue === null || fieldValue === undefined ? fallback : fieldValue;
      if (copied === null && required) {
        throw new TransformDataError(
          `ReplaceField: field "${to}" is required but its value, read from "${from}", is null`,
        );
      }
      out[to] = copied;
    }
    return out;
  }
}
