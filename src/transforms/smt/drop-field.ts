import { SideTransform } from '../base.ts';
import { defineConfig, nonEmptyList } from '../config-def.ts';
import { splitDottedPath } from '../paths.ts';
import {
  type AvroSchema,
  arrayItems,
  asRecord,
  connectTypeOf,
  copyRecordBasics,
  unwrapOptional,
} from '../schema.ts';

const definition = defineConfig({
  fields: {
    type: 'list',
    validator: nonEmptyList,
    doc: 'dotted paths of fields to remove, through records and arrays of records, e.g. mail.headers',
  },
});

type Remover = (value: unknown) => unknown;

/**
 * Removes nested fields (schema and value), which Connect's ReplaceField cannot: it only sees the
 * top level. Used to drop SES's raw `mail.headers` list while keeping the rest of `mail`.
 */
export class DropField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private removers: Remover[] = [];

  protected mapSchema(schema: AvroSchema): AvroSchema {
    let current = schema;
    this.removers = this.config.fields.map((path) => {
      const { schema: next, remove } = this.compile(current, splitDottedPath(path), path);
      current = next;
      return remove;
    });
    return current;
  }

  private compile(
    schema: AvroSchema,
    segments: string[],
    path: string,
  ): { schema: AvroSchema; remove: Remover } {
    const { optional, base } = unwrapOptional(schema);
    const rewrap = (inner: AvroSchema): AvroSchema => (optional ? ['null', inner] : inner);
    if (connectTypeOf(base) === 'array') {
      const inner = this.compile(arrayItems(base), segments, path);
      return {
        schema: rewrap({ ...(base as object), type: 'array', items: inner.schema }),
        remove: (value) => (Array.isArray(value) ? value.map(inner.remove) : value),
      };
    }
    const record = asRecord(base);
    const [head, ...rest] = segments as [string, ...string[]];
    const field = record?.fields.find((candidate) => candidate.name === head);
    if (!record || !field) {
      throw this.configError('fields', `"${path}": no field "${head}" at that point of the schema`);
    }
    if (rest.length === 0) {
      return {
        schema: rewrap(
          copyRecordBasics(
            record,
            record.fields.filter((candidate) => candidate !== field),
          ),
        ),
        remove: (value) => {
          if (value === null || value === undefined) return value;
          const { [head]: _dropped, ...others } = value as Record<string, unknown>;
          return others;
        },
      };
    }
    const inner = this.compile(field.type, rest, path);
    return {
      schema: rewrap(
        copyRecordBasics(
          record,
          record.fields.map((candidate) =>
            candidate === field ? { ...candidate, type: inner.schema } : candidate,
          ),
        ),
      ),
      remove: (value) => {
        if (value === null || value === undefined) return value;
        const object = value as Record<string, unknown>;
        return { ...object, [head]: inner.remove(object[head]) };
      },
    };
  }

  protected mapValue(value: unknown): unknown {
    let out = value;
    for (const remove of this.removers) out = remove(out);
    return out;
  }
}
