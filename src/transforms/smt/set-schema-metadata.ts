import { SideTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import type { AvroSchema } from '../schema.ts';
import { isRecordSchema, unwrapOptional } from '../schema.ts';

const definition = defineConfig({
  'schema.name': { type: 'string', default: null, doc: 'new (full) schema name' },
  'schema.version': { type: 'int', default: null, doc: 'new schema version' },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

/**
 * Avro has no schema version and names only records, enums and fixed; like Confluent's AvroData we keep
 * Connect's metadata as `connect.version` (and `connect.name` on other types) schema attributes.
 */
export class SetSchemaMetadata extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;

  protected override validate(): void {
    const name = this.config['schema.name'];
    if ((name === null || name === '') && this.config['schema.version'] === null) {
      throw this.configError('schema.name', 'set schema.name, schema.version or both');
    }
    if (name && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) {
      throw this.configError(
        'schema.name',
        `"${name}" is not a valid Avro full name (dot-separated [A-Za-z_][A-Za-z0-9_]*)`,
      );
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const { optional, base } = unwrapOptional(schema);
    this.defaults =
      isRecordSchema(base) && this.config['replace.null.with.default']
        ? base.fields
            .filter((field) => field.default !== undefined && field.default !== null)
            .map((field) => ({ name: field.name, fallback: field.default }))
        : [];
    const name = this.config['schema.name'] || null;
    const version = this.config['schema.version'];
    const node = typeof base === 'string' ? { type: base } : Array.isArray(base) ? null : { ...base };
    if (!node) throw this.configError('schema.name', 'cannot name a union schema');
    if (name !== null) {
      if (isRecordSchema(base)) {
        const dot = name.lastIndexOf('.');
        node.name = dot < 0 ? name : name.slice(dot + 1);
        if (dot < 0) delete node.namespace;
        else node.namespace = name.slice(0, dot);
      } else node['connect.name'] = name;
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
