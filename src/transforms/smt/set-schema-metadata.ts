import { SideTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import {
  type AvroRecordSchema,
  type AvroSchema,
  fieldDefault,
  isRecordSchema,
  unwrapOptional,
} from '../schema.ts';

const definition = defineConfig({
  'schema.name': { type: 'string', default: null, doc: 'new (full) schema name' },
  'schema.version': { type: 'int', default: null, doc: 'new schema version' },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

/**
 * Connect's SetSchemaMetadata, for record schemas (the only ones Connect can rebuild). Avro has no schema
 * version; like Confluent's AvroData we keep Connect's as the `connect.version` schema attribute.
 */
export class SetSchemaMetadata extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;

  protected override validate(): void {
    const name = this.config['schema.name'];
    if (name === null && this.config['schema.version'] === null) {
      throw this.configError('schema.name', 'set schema.name, schema.version or both');
    }
    if (name !== null && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) {
      throw this.configError(
        'schema.name',
        `"${name}" is not a valid Avro full name (dot-separated [A-Za-z_][A-Za-z0-9_]*)`,
      );
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const { optional, base } = unwrapOptional(schema);
    // Connect rebuilds the schema with schema.fields(), which fails for anything but a struct.
    if (!isRecordSchema(base)) {
      throw this.failsEveryRecord(
        'type',
        `SetSchemaMetadata needs a record ${this.side} schema, got ${JSON.stringify(schema)}`,
      );
    }
    this.defaults = this.config['replace.null.with.default']
      ? base.fields
          .filter((field) => field.default !== undefined && field.default !== null)
          .map((field) => ({ name: field.name, fallback: fieldDefault(field) }))
      : [];
    const name = this.config['schema.name'];
    const version = this.config['schema.version'];
    const node: AvroRecordSchema = { ...base };
    if (name !== null) {
      const dot = name.lastIndexOf('.');
      node.name = dot < 0 ? name : name.slice(dot + 1);
      if (dot < 0) delete node.namespace;
      else node.namespace = name.slice(0, dot);
    }
    if (version !== null) node['connect.version'] = version;
    return optional ? ['null', node] : node;
  }

  /** Connect rebuilds the top-level struct, which fills null fields with their defaults when asked. */
  private defaults: Array<{ name: string; fallback: unknown }> = [];

  protected mapValue(value: unknown): unknown {
    if (this.defaults.length === 0 || value === null || typeof value !== 'object') return value;
    const source = value as Record<string, unknown>;
    if (!this.defaults.some(({ name }) => source[name] === null || source[name] === undefined)) return value;
    const out = { ...source };
    for (const { name, fallback } of this.defaults)
      if (out[name] === null || out[name] === undefined) out[name] = fallback;
    return out;
  }
}
