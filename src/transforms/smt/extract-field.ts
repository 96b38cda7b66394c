import { SideTransform } from '../base.ts';
import { defineConfig, oneOf } from '../config-def.ts';
import {
  type AvroField,
  type AvroSchema,
  asRecord,
  connectTypeOf,
  fieldDefault,
  makeOptional,
  unwrapOptional,
} from '../schema.ts';

const definition = defineConfig({
  field: { type: 'string', doc: 'the field to extract (a path with field.syntax.version=V2)' },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
  'field.syntax.version': {
    type: 'string',
    default: 'V1',
    validator: oneOf(['V1', 'V2'], { caseInsensitive: true }),
    doc: 'V1: the name is literal; V2: dots separate nested fields, backticks quote names with dots',
  },
});

/** Connect's V2 path syntax: `a.b`, with `` `a.b`.c `` for names holding dots and \` inside quotes. */
export function parseFieldPathV2(path: string): string[] {
  const steps: string[] = [];
  let index = 0;
  while (index < path.length) {
    if (path[index] !== '`') {
      const dot = path.indexOf('.', index);
      steps.push(dot < 0 ? path.slice(index) : path.slice(index, dot));
      if (dot < 0) return steps;
      index = dot + 1;
      continue;
    }
    let name = '';
    let start = index + 1;
    let cursor = start;
    for (;;) {
      const tick = path.indexOf('`', cursor);
      if (tick < 0) throw new Error(`incomplete backtick pair in path "${path}" at position ${index}`);
      const escaped = path[tick - 1] === '\\';
      if (tick >= path.length - 1) {
        if (escaped) throw new Error(`incomplete backtick pair in path "${path}" at position ${index}`);
        steps.push(name + path.slice(start, tick));
        return steps;
      }
      if (path[tick + 1] !== '.') {
        cursor = tick + 1;
        continue;
      }
      if (escaped) {
        name += `${path.slice(start, tick - 1)}\``;
        start = tick + 1;
        cursor = start;
        continue;
      }
      steps.push(name + path.slice(start, tick));
      index = tick + 2;
      break;
    }
  }
  if (path.endsWith('.')) steps.push('');
  return steps;
}

export class ExtractField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private segments: string[] = [];
  private getter: (value: unknown) => unknown = () => null;

  protected override validate(): void {
    const v2 = this.config['field.syntax.version'].toUpperCase() === 'V2';
    try {
      this.segments = v2 ? parseFieldPathV2(this.config.field) : [this.config.field];
    } catch (error) {
      throw this.configError('field', (error as Error).message);
    }
  }

  /**
   * SingleFieldPath.fieldFrom and valueFrom, compiled against the schema: the leaf's own schema, and a
   * getter that returns null when a struct on the way is null and the leaf's default (when replacing
   * nulls) only for a null leaf. Where any struct on the way is optional the Avro schema is made
   * optional, since the value can then be null; Connect keeps the field's own schema.
   */
  protected mapSchema(schema: AvroSchema): AvroSchema {
    this.requireRecord(schema, 'ExtractField');
    if (this.segments.length === 0) {
      throw this.failsEveryRecord('field', `"${this.config.field}" names no field`);
    }
    let current: AvroSchema = schema;
    let anyOptional = false;
    let leaf: AvroField | undefined;
    this.segments.forEach((segment, index) => {
      const record = asRecord(current);
      if (!record) {
        throw this.failsEveryRecord(
          'field',
          `"${this.segments.slice(0, index).join('.')}" is a ${connectTypeOf(current)}, not a record, so it has no field "${segment}"`,
        );
      }
      if (index > 0) anyOptional ||= unwrapOptional(current).optional;
      const field = record.fields.find((candidate) => candidate.name === segment);
      // Deliberately stricter than Connect, which fails every record with "Unknown field".
      if (!field) throw this.configError('field', `no field "${segment}" in record ${record.name}`);
      leaf = field;
      current = field.type;
    });
    const leafField = leaf as AvroField;
    const fallback = this.config['replace.null.with.default'] ? fieldDefault(leafField) : null;
    const segments = [...this.segments];
    const last = segments.pop() as string;
    this.getter = (value) => {
      let struct = value as Record<string, unknown> | null | undefined;
      for (const segment of segments) {
        struct = struct?.[segment] as Record<string, unknown> | null | undefined;
        if (struct === null || struct === undefined) return null;
      }
      const extracted = (struct as Record<string, unknown>)[last];
      return extracted === null || extracted === undefined ? fallback : extracted;
    };
    return anyOptional ? makeOptional(leafField.type) : leafField.type;
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return this.getter(value);
  }
}
