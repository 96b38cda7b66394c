import { SideTransform } from '../base.ts';
import { colonPairs, defineConfig } from '../config-def.ts';
import {
  type AvroSchema,
  asRecord,
  copyField,
  copyRecordBasics,
  fieldDefault,
  isValidAvroName,
} from '../schema.ts';

const definition = defineConfig({
  exclude: { type: 'list', default: [], doc: 'fields to drop' },
  include: { type: 'list', default: [], doc: 'fields to keep (all when empty)' },
  renames: { type: 'list', default: [], validator: colonPairs, doc: 'renames as old:new pairs' },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

export class ReplaceField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private renames = new Map<string, string>();
  private copies: Array<{ from: string; to: string; fallback: unknown }> = [];

  protected override validate(): void {
    this.renames = new Map();
    for (const pair of this.config.renames) {
      const [from = '', to = ''] = pair.split(':');
      if (!isValidAvroName(to)) {
        throw this.configError('renames', `"${to}" is not a valid Avro field name ([A-Za-z_][A-Za-z0-9_]*)`);
      }
      this.renames.set(from, to);
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const record = asRecord(schema);
    if (!record)
      throw this.configError('type', `ReplaceField needs a record schema, got ${JSON.stringify(schema)}`);
    const names = new Set(record.fields.map((field) => field.name));
    // Deliberately stricter than Connect: a misspelt field name would silently keep data we meant to drop.
    for (const key of ['exclude', 'include'] as const) {
      for (const name of this.config[key]) {
        if (!names.has(name)) throw this.configError(key, `no field "${name}" in record ${record.name}`);
      }
    }
    for (const from of this.renames.keys()) {
      if (!names.has(from)) throw this.configError('renames', `no field "${from}" in record ${record.name}`);
    }
    const { exclude, include } = this.config;
    const kept = record.fields.filter(
      (field) => !exclude.includes(field.name) && (include.length === 0 || include.includes(field.name)),
    );
    const replaceNull = this.config['replace.null.with.default'];
    this.copies = kept.map((field) => ({
      from: field.name,
      to: this.renames.get(field.name) ?? field.name,
      fallback: replaceNull ? fieldDefault(field) : null,
    }));
    const fields = kept.map((field) => copyField(field, this.renames.get(field.name) ?? field.name));
    const seen = new Set<string>();
    for (const field of fields) {
      if (seen.has(field.name))
        throw this.configError('renames', `two fields would be named "${field.name}"`);
      seen.add(field.name);
    }
    return copyRecordBasics(record, fields);
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { from, to, fallback } of this.copies) {
      const fieldValue = source[from];
      out[to] = fieldValue === null || fieldValue === undefined ? fallback : fieldValue;
    }
    return out;
  }
}
