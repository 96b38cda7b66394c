import { SideTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import {
  type AvroField,
  type AvroSchema,
  asRecord,
  connectTypeOf,
  copyField,
  copyRecordBasics,
  isOptional,
  isValidAvroName,
  withOptionality,
} from '../schema.ts';

const definition = defineConfig({
  delimiter: { type: 'string', default: '.', doc: 'joins parent and child field names' },
});

/** How to fill one flattened field: the path of source property names and the default for a null. */
interface Leaf {
  path: string[];
  fallback: unknown;
}

export class Flatten extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private leaves: Array<{ name: string; leaf: Leaf }> = [];

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const record = asRecord(schema);
    if (!record)
      throw this.configError('type', `Flatten needs a record schema, got ${JSON.stringify(schema)}`);
    const delimiter = this.config.delimiter;
    const fields: AvroField[] = [];
    this.leaves = [];
    const walk = (fieldsIn: AvroField[], prefix: string, path: string[], parentOptional: boolean) => {
      for (const field of fieldsIn) {
        const name = prefix === '' ? field.name : `${prefix}${delimiter}${field.name}`;
        const type = connectTypeOf(field.type);
        const optional = parentOptional || isOptional(field.type);
        const fieldPath = [...path, field.name];
        if (type === 'struct') {
          walk((asRecord(field.type) as { fields: AvroField[] }).fields, name, fieldPath, optional);
          continue;
        }
        if (type === 'map' || type === 'union' || type === 'null') {
          throw this.configError(
            'type',
            `Flatten (like Connect) does not support ${type} fields with schemas (field "${name}")`,
          );
        }
        // Deliberate difference: Connect's default delimiter "." is not legal in an Avro name.
        if (!isValidAvroName(name)) {
          throw this.configError(
            'delimiter',
            `flattened field name "${name}" is not a valid Avro name; set delimiter=_ (Avro names allow only [A-Za-z0-9_])`,
          );
        }
        if (fields.some((existing) => existing.name === name)) {
          throw this.configError('delimiter', `two flattened fields would be named "${name}"`);
        }
        const fieldSchema = withOptionality(field.type, optional);
        const copy = copyField(field, name, fieldSchema);
        fields.push(copy);
        this.leaves.push({ name, leaf: { path: fieldPath, fallback: field.default ?? null } });
      }
    };
    walk(record.fields, '', [], false);
    return copyRecordBasics(record, fields);
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    const out: Record<string, unknown> = {};
    for (const { name, leaf } of this.leaves) {
      let current: unknown = value;
      for (const segment of leaf.path) {
        if (current === null || current === undefined) break;
        current = (current as Record<string, unknown>)[segment];
      }
      out[name] = current === null || current === undefined ? leaf.fallback : current;
    }
    return out;
  }
}
