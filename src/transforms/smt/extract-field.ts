import { SideTransform } from '../base.ts';
import { defineConfig, oneOf } from '../config-def.ts';
import { compileGetter } from '../paths.ts';
import { type AvroSchema, asRecord, fieldDefault } from '../schema.ts';

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

  protected mapSchema(schema: AvroSchema): AvroSchema {
    if (!asRecord(schema))
      throw this.configError('type', `ExtractField needs a record schema, got ${JSON.stringify(schema)}`);
    // Where an enclosing struct is optional the extracted value can be null, so the Avro schema is made
    // optional there; Connect keeps the field's own schema and fails later when a null arrives.
    const compiled = compileGetter(schema, this.segments, `${this.prefix}field`);
    let leafField = asRecord(schema);
    for (const segment of this.segments.slice(0, -1)) {
      const next = leafField?.fields.find((field) => field.name === segment);
      leafField = next ? asRecord(next.type) : undefined;
    }
    const last = leafField?.fields.find((field) => field.name === this.segments[this.segments.length - 1]);
    const fallback = last && this.config['replace.null.with.default'] ? fieldDefault(last) : null;
    this.getter = (value) => {
      const extracted = compiled.get(value);
      return extracted === null ? fallback : extracted;
    };
    return compiled.schema;
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return this.getter(value);
  }
}
