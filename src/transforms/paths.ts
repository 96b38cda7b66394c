/**
 * Nested field access compiled against a schema once: a dotted path (`mail.commonHeaders.subject`)
 * becomes a chain of property reads, so the per-record path does no parsing and no schema lookups.
 */
import { ConfigError } from '../errors.ts';
import {
  type AvroSchema,
  arrayItems,
  asRecord,
  connectTypeOf,
  makeOptional,
  unwrapOptional,
} from './schema.ts';

export function splitDottedPath(path: string): string[] {
  return path.split('.');
}

export interface CompiledGetter {
  /** The leaf's schema; optional when the leaf or any struct on the way may be null. */
  schema: AvroSchema;
  get(value: unknown): unknown;
}

/** A getter through records only (arrays and maps are not traversed). */
export function compileGetter(root: AvroSchema, segments: readonly string[], key: string): CompiledGetter {
  let schema: AvroSchema = root;
  let anyOptional = false;
  segments.forEach((segment, index) => {
    const record = asRecord(schema);
    if (!record) {
      throw new ConfigError(
        key,
        `"${segments.slice(0, index).join('.') || '(root)'}" is a ${connectTypeOf(schema)}, not a record, so it has no field "${segment}"`,
      );
    }
    if (index > 0) anyOptional ||= unwrapOptional(schema).optional;
    const field = record.fields.find((candidate) => candidate.name === segment);
    if (!field) {
      throw new ConfigError(
        key,
        `no field "${segment}" in record ${record.name}; fields are: ${record.fields.map((f) => f.name).join(', ')}`,
      );
    }
    schema = field.type;
  });
  const leaf = anyOptional ? makeOptional(schema) : schema;
  const names = [...segments];
  const get = (value: unknown): unknown => {
    let current = value;
    for (const name of names) {
      if (current === null || current === undefined) return null;
      current = (current as Record<string, unknown>)[name];
    }
    return current === undefined ? null : current;
  };
  return { schema: leaf, get };
}

/**
 * A copy-on-write updater for a path that may cross arrays (each element is visited) and nullable
 * records. `checkLeaf` validates the leaf schema at start-up; `update` maps each leaf value.
 */
export function compileUpdater(
  root: AvroSchema,
  segments: readonly string[],
  key: string,
  checkLeaf: (schema: AvroSchema) => void,
  update: (leaf: unknown) => unknown,
): (value: unknown) => unknown {
  const build = (schema: AvroSchema, index: number, walked: string): ((value: unknown) => unknown) => {
    const { base } = unwrapOptional(schema);
    if (connectTypeOf(base) === 'array') {
      const items = arrayItems(base);
      const inner = build(items, index, walked);
      return (value) => (Array.isArray(value) ? value.map(inner) : value);
    }
    if (index === segments.length) {
      checkLeaf(schema);
      return (value) => (value === null || value === undefined ? value : update(value));
    }
    const segment = segments[index] as string;
    const record = asRecord(schema);
    if (!record) {
      throw new ConfigError(
        key,
        `"${walked || '(root)'}" is a ${connectTypeOf(schema)}, not a record, so it has no field "${segment}"`,
      );
    }
    const field = record.fields.find((candidate) => candidate.name === segment);
    if (!field) {
      throw new ConfigError(
        key,
        `no field "${segment}" in record ${record.name}; fields are: ${record.fields.map((f) => f.name).join(', ')}`,
      );
    }
    const inner = build(field.type, index + 1, walked ? `${walked}.${segment}` : segment);
    return (value) => {
      if (value === null || value === undefined) return value;
      const object = value as Record<string, unknown>;
      const current = object[segment];
      const next = inner(current);
      return next === current ? object : { ...object, [segment]: next };
    };
  };
  return build(root, 0, '');
}
