import { SideTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import {
  type AvroField,
  type AvroSchema,
  asRecord,
  connectTypeOf,
  copyRecordBasics,
  fieldDefault,
  isOptional,
  isValidAvroName,
  makeOptional,
  unwrapOptional,
} from '../schema.ts';

const definition = defineConfig({
  delimiter: { type: 'string', default: '.', doc: 'joins parent and child field names' },
});

/** How to fill one flattened field: the path of source property names and the leaf's own default. */
interface Leaf {
  path: string[];
  fallback: unknown;
}

/**
 * Connect's Flatten: nested record fields become top-level fields named by the delimiter. A field is
 * optional when it or any record above it is (a top-level optional record makes every field optional),
 * and keeps its own default or else the one its parent's default gives it. Values read through the
 * nested records: a null record on the way gives null, a null leaf its own default.
 */
export class Flatten extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private leaves: Array<{ name: string; leaf: Leaf }> = [];

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const record = this.requireRecord(schema, 'Flatten');
    const delimiter = this.config.delimiter;
    const fields: AvroField[] = [];
    this.leaves = [];
    const walk = (
      fieldsIn: AvroField[],
      prefix: string,
      path: string[],
      parentOptional: boolean,
      parentDefault: Record<string, unknown> | null,
    ) => {
      for (const field of fieldsIn) {
        const name = prefix === '' ? field.name : `${prefix}${delimiter}${field.name}`;
        const type = connectTypeOf(field.type);
        const optional = parentOptional || isOptional(field.type);
        const fieldPath = [...path, field.name];
        const ownDefault = fieldDefault(field);
        const inherited =
          ownDefault !== null ? ownDefault : parentDefault ? (parentDefault[field.name] ?? null) : null;
        if (type === 'struct') {
          walk(
            (asRecord(field.type) as { fields: AvroField[] }).fields,
            name,
            fieldPath,
            optional,
            inherited as Record<string, unknown> | null,
          );
          continue;
        }
        if (type === 'map' || type === 'union' || type === 'null') {
          throw this.failsEveryRecord(
            'type',
            `Flatten does not support ${type} fields with schemas (field "${name}")`,
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
          throw this.failsEveryRecord('delimiter', `two flattened fields would be named "${name}"`);
        }
        fields.push(flattenedField(field, name, optional, inherited));
        this.leaves.push({ name, leaf: { path: fieldPath, fallback: ownDefault } });
      }
    };
    walk(record.fields, '', [], isOptional(schema), null);
    return copyRecordBasics(record, fields);
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    const out: Record<string, unknown> = {};
    for (const { name, leaf } of this.leaves) {
      let current: unknown = value;
      const last = leaf.path.length - 1;
      let parentNull = false;
      for (let i = 0; i < last; i++) {
        current = (current as Record<string, unknown>)[leaf.path[i] as string];
        if (current === null || current === undefined) {
          parentNull = true;
          break;
        }
      }
      if (parentNull) {
        out[name] = null;
        continue;
      }
      const leafValue = (current as Record<string, unknown>)[leaf.path[last] as string];
      out[name] = leafValue === null || leafValue === undefined ? leaf.fallback : leafValue;
    }
    return out;
  }
}

/** The flattened field: the leaf's schema, optional as its path is, with its own or inherited default. */
function flattenedField(field: AvroField, name: string, optional: boolean, defaultValue: unknown): AvroField {
  const base = unwrapOptional(field.type).base;
  const { default: _dropped, ...rest } = field;
  if (!optional) {
    return defaultValue === null
      ? { ...rest, name, type: base }
      : { ...rest, name, type: base, default: toAvroDefault(base, defaultValue) };
  }
  // Avro puts a union's default on its first branch: null first for no default, the value's type first otherwise.
  if (defaultValue === null) return { ...rest, name, type: makeOptional(base), default: null };
  return { ...rest, name, type: [base, 'null'], default: toAvroDefault(base, defaultValue) };
}

/** An in-memory default back in Avro JSON (bytes as ISO-8859-1 text). */
function toAvroDefault(schema: AvroSchema, value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (Array.isArray(value)) return value.map((item) => toAvroDefault(schema, item));
  return value;
}
