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

/** One path to update: its segments, the check of its leaf schema at start-up, and the leaf's update. */
export interface UpdateSpec {
  segments: readonly string[];
  /** The config key that named the path, for errors. */
  key: string;
  checkLeaf: (schema: AvroSchema) => void;
  update: (leaf: unknown) => unknown;
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
  return compileUpdaters(root, [{ segments, key, checkLeaf, update }]);
}

/**
 * Several paths merged into one copy-on-write updater: paths that share a prefix share its walk, so each
 * record, array and nested record on the way is copied at most once per value, however many paths pass
 * through it (HashField's nine recipient paths used to copy the top-level record nine times). Leaves
 * reached by more than one path get their updates in the order given, as if the paths ran one by one.
 */
export function compileUpdaters(root: AvroSchema, specs: readonly UpdateSpec[]): (value: unknown) => unknown {
  const build = (
    schema: AvroSchema,
    index: number,
    walked: string,
    group: readonly UpdateSpec[],
  ): ((value: unknown) => unknown) => {
    const { base } = unwrapOptional(schema);
    if (connectTypeOf(base) === 'array') {
      const inner = build(arrayItems(base), index, walked, group);
      return (value) => (Array.isArray(value) ? mapChanged(value, inner) : value);
    }
    const leaves = group.filter((spec) => spec.segments.length === index);
    const deeper = group.filter((spec) => spec.segments.length > index);
    if (leaves.length > 0) {
      for (const spec of leaves) spec.checkLeaf(schema);
      if (deeper.length > 0) {
        // A leaf is a string; nothing can lie below it, so the deeper path names a field of a non-record.
        const [first] = deeper as [UpdateSpec];
        throw new ConfigError(
          first.key,
          `"${walked}" is a ${connectTypeOf(schema)}, not a record, so it has no field "${first.segments[index]}"`,
        );
      }
      const updates = leaves.map((spec) => spec.update);
      if (updates.length === 1) {
        const [update] = updates as [(leaf: unknown) => unknown];
        return (value) => (value === null || value === undefined ? value : update(value));
      }
      return (value) => {
        let current = value;
        for (const update of updates) {
          if (current === null || current === undefined) return current;
          current = update(current);
        }
        return current;
      };
    }
    const record = asRecord(schema);
    const fields: Array<{ name: string; update: (value: unknown) => unknown }> = [];
    const names = [...new Set(group.map((spec) => spec.segments[index] as string))];
    for (const segment of names) {
      const first = group.find((spec) => spec.segments[index] === segment) as UpdateSpec;
      if (!record) {
        throw new ConfigError(
          first.key,
          `"${walked || '(root)'}" is a ${connectTypeOf(schema)}, not a record, so it has no field "${segment}"`,
        );
      }
      const field = record.fields.find((candidate) => candidate.name === segment);
      if (!field) {
        throw new ConfigError(
          first.key,
          `no field "${segment}" in record ${record.name}; fields are: ${record.fields.map((f) => f.name).join(', ')}`,
        );
      }
      const through = group.filter((spec) => spec.segments[index] === segment);
      fields.push({
        name: segment,
        update: build(field.type, index + 1, walked ? `${walked}.${segment}` : segment, through),
      });
    }
    return (value) => {
      if (value === null || value === undefined) return value;
      const object = value as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      for (const { name, update } of fields) {
        const current = object[name];
        const next = update(current);
        if (next !== current) {
          copy ??= { ...object };
          copy[name] = next;
        }
      }
      return copy ?? object;
    };
  };
  return build(root, 0, '', specs);
}

/** `values.map(update)`, but the same array back when no element changed. */
function mapChanged(values: unknown[], update: (value: unknown) => unknown): unknown[] {
  let copy: unknown[] | undefined;
  for (let index = 0; index < values.length; index++) {
    const current = values[index];
    const next = update(current);
    if (next !== current) {
      copy ??= values.slice();
      copy[index] = next;
    }
  }
  return copy ?? values;
}
