import { SideTransform } from '../base.ts';
import { defineConfig, nonEmptyList, nonEmptyString } from '../config-def.ts';
import { convertTextToNumber } from '../java/connect-values.ts';
import { type AvroSchema, connectTypeOf, fieldDefault } from '../schema.ts';
import { TransformDataError } from '../types.ts';

const definition = defineConfig({
  fields: { type: 'list', validator: nonEmptyList, doc: 'fields to mask' },
  replacement: {
    type: 'string',
    default: null,
    validator: nonEmptyString,
    doc: "replacement value (else the type's empty value)",
  },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

type Masker = (value: unknown) => unknown;

export class MaskField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private maskers = new Map<string, Masker>();
  private fallbacks = new Map<string, unknown>();

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const record = this.requireRecord(schema, 'MaskField');
    this.maskers = new Map();
    for (const name of this.config.fields) {
      const field = record.fields.find((candidate) => candidate.name === name);
      // Deliberately stricter than Connect, which ignores unknown names: a typo would leak the data.
      if (!field) throw this.configError('fields', `no field "${name}" in record ${record.name}`);
      this.maskers.set(name, this.maskerFor(connectTypeOf(field.type), name));
    }
    const replaceNull = this.config['replace.null.with.default'];
    this.fallbacks = new Map(
      record.fields.map((field) => [field.name, replaceNull ? fieldDefault(field) : null]),
    );
    return schema;
  }

  /**
   * As Connect masks by the value's Java class: the type's empty value, or the replacement converted
   * with Values.convertToX (so "9.5" masks an int as 9 and "1e3" as 1000). A combination Connect fails
   * on for every value is refused here at start-up.
   */
  private maskerFor(type: ReturnType<typeof connectTypeOf>, name: string): Masker {
    const replacement = this.config.replacement;
    const unsupported = (what: string) =>
      this.failsEveryRecord('fields', `field "${name}" is ${type}; MaskField cannot mask it ${what}`);
    if (replacement === null) {
      switch (type) {
        case 'boolean':
          return () => false;
        case 'int32':
        case 'int64':
        case 'float32':
        case 'float64':
        case 'timestamp':
        case 'date':
        case 'time':
          return () => 0;
        case 'string':
          return () => '';
        case 'array':
          return () => [];
        case 'map':
          return () => ({});
        default:
          throw unsupported('(Connect masks only primitives, dates, lists and maps)');
      }
    }
    switch (type) {
      case 'string':
        return () => replacement;
      case 'int32':
      case 'int64':
      case 'float32':
      case 'float64': {
        const converted = convertTextToNumber(replacement, type);
        if (converted === null) {
          throw this.failsEveryRecord(
            'replacement',
            `"${replacement}" is not a decimal number, so it cannot replace ${type} field "${name}"`,
          );
        }
        return () => converted;
      }
      default:
        throw unsupported('with a custom replacement (only strings and numbers)');
    }
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) {
      throw new TransformDataError('MaskField: the value is null, expected a record');
    }
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [name, fallback] of this.fallbacks) {
      if (out[name] === null || out[name] === undefined) out[name] = fallback;
    }
    for (const [name, mask] of this.maskers) {
      const current = out[name];
      if (current !== null && current !== undefined) out[name] = mask(current);
    }
    return out;
  }
}
