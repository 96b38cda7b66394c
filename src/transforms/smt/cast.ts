import { SideTransform } from '../base.ts';
import { defineConfig, nonEmptyList } from '../config-def.ts';
import {
  compileDateFormat,
  javaDoubleToString,
  javaFloatToString,
  javaNarrow,
  javaParseFloating,
  javaParseInteger,
} from '../java.ts';
import {
  type AvroSchema,
  asRecord,
  avroSchemaFor,
  type ConnectType,
  connectTypeOf,
  copyField,
  copyRecordBasics,
  fieldDefault,
  isOptional,
  withOptionality,
} from '../schema.ts';
import { TransformDataError } from '../types.ts';

const definition = defineConfig({
  spec: {
    type: 'list',
    validator: nonEmptyList,
    doc: 'field:type pairs, or one type to cast the whole value',
  },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

const OUTPUT_TYPES = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'] as const;
type CastTarget = (typeof OUTPUT_TYPES)[number];
const INPUT_TYPES: readonly ConnectType[] = [
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
];

/** Avro has no int8/int16: those casts produce an Avro int holding the narrowed value. */
function avroTargetSchema(target: CastTarget): AvroSchema {
  return target === 'int8' || target === 'int16' ? 'int' : avroSchemaFor(target);
}

const ISO_DATE = compileDateFormat('yyyy-MM-dd');
const ISO_TIME = compileDateFormat("HH:mm:ss.SSS'Z'");
const ISO_TIMESTAMP = compileDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
const MILLIS_PER_DAY = 86_400_000;

type Caster = (value: unknown) => unknown;

/** A converter from one Connect type to a cast target, following Connect's Cast rules. */
export function compileCaster(from: ConnectType, target: CastTarget): Caster {
  if (from === 'timestamp' || from === 'date' || from === 'time') {
    const toMillis = (value: number) => (from === 'date' ? value * MILLIS_PER_DAY : value);
    if (target === 'string') {
      // Values.dateFormatFor: the format depends on the instant, not the schema.
      return (value) => {
        const millis = toMillis(value as number);
        if (millis < MILLIS_PER_DAY) return ISO_TIME.format(millis);
        return millis % MILLIS_PER_DAY === 0 ? ISO_DATE.format(millis) : ISO_TIMESTAMP.format(millis);
      };
    }
    return compileCaster(from === 'timestamp' ? 'int64' : 'int32', target);
  }
  const integer = from === 'int32' || from === 'int64';
  const kind = integer ? 'integer' : 'floating';
  const bits = { int8: 8, int16: 16, int32: 32, int64: 64 } as const;
  // The value itself stays out of the message: it may be personal data and messages reach logs and DLQ headers.
  const fail = (value: unknown): never => {
    throw new TransformDataError(
      `Cast: a ${typeof value} value cannot be converted to ${target} (not a number, or out of range)`,
    );
  };
  switch (target) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': {
      const width = bits[target];
      return (value) => {
        if (typeof value === 'number') return javaNarrow(value, kind, width);
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string') return javaParseInteger(value, width) ?? fail(value);
        return fail(value);
      };
    }
    case 'float32':
    case 'float64': {
      const round = target === 'float32' ? Math.fround : (n: number) => n;
      return (value) => {
        if (typeof value === 'number') return round(value);
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string') {
          const parsed = javaParseFloating(value);
          return parsed === null ? fail(value) : round(parsed);
        }
        return fail(value);
      };
    }
    case 'boolean':
      return (value) => {
        if (typeof value === 'number') return javaNarrow(value, kind, 64) !== 0;
        if (typeof value === 'boolean') return value;
        if (typeof value === 'string') return value.toLowerCase() === 'true';
        return fail(value);
      };
    case 'string':
      return (value) => {
        if (typeof value === 'string') return value;
        if (typeof value === 'boolean') return String(value);
        if (Buffer.isBuffer(value)) return value.toString('base64');
        if (typeof value === 'number') {
          if (integer) return String(Math.trunc(value));
          return from === 'float32' ? javaFloatToString(value) : javaDoubleToString(value);
        }
        return fail(value);
      };
  }
}

function parseTarget(raw: string): CastTarget | null {
  const lower = raw.trim().toLowerCase();
  return (OUTPUT_TYPES as readonly string[]).includes(lower) ? (lower as CastTarget) : null;
}

export class Cast extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private wholeValue: CastTarget | null = null;
  private fieldCasts = new Map<string, CastTarget>();
  private wholeCaster: Caster | null = null;
  private fieldPlan: Array<{ name: string; cast: Caster | null; fallback: unknown }> = [];

  protected override validate(): void {
    this.fieldCasts = new Map();
    this.wholeValue = null;
    const spec = this.config.spec;
    for (const entry of spec) {
      const parts = entry.split(':');
      const typeName = parts.length === 1 ? (parts[0] as string) : (parts[1] as string);
      if (parts.length > 2)
        throw this.configError('spec', `invalid entry "${entry}"; expected field:type or type`);
      const target = parseTarget(typeName);
      if (!target) {
        throw this.configError(
          'spec',
          `cannot cast to "${typeName.trim()}" (in "${entry}"); supported types are ${OUTPUT_TYPES.join(', ')}`,
        );
      }
      if (parts.length === 1) this.wholeValue = target;
      else this.fieldCasts.set((parts[0] as string).trim(), target);
    }
    if (this.wholeValue && spec.length > 1) {
      throw this.configError(
        'spec',
        'a cast of the whole value (a bare type) must be the only entry in spec',
      );
    }
  }

  private inputType(schema: AvroSchema, what: string): ConnectType {
    const type = connectTypeOf(schema);
    const logical = type === 'timestamp' || type === 'date' || type === 'time';
    if (!INPUT_TYPES.includes(type) && !logical) {
      throw this.configError(
        'spec',
        `${what} is ${type}; Cast supports ${INPUT_TYPES.join(', ')} and timestamps`,
      );
    }
    return type;
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    if (this.wholeValue) {
      const from = this.inputType(schema, 'the whole value');
      this.wholeCaster = compileCaster(from, this.wholeValue);
      return withOptionality(avroTargetSchema(this.wholeValue), isOptional(schema));
    }
    const record = asRecord(schema);
    if (!record)
      throw this.configError('spec', `field casts need a record schema, got ${JSON.stringify(schema)}`);
    for (const name of this.fieldCasts.keys()) {
      // Deliberately stricter than Connect, which ignores a cast of a field that does not exist.
      if (!record.fields.some((field) => field.name === name)) {
        throw this.configError('spec', `no field "${name}" in record ${record.name}`);
      }
    }
    const replaceNull = this.config['replace.null.with.default'];
    this.fieldPlan = [];
    const fields = record.fields.map((field) => {
      const target = this.fieldCasts.get(field.name);
      const fallback = replaceNull ? fieldDefault(field) : null;
      if (!target) {
        this.fieldPlan.push({ name: field.name, cast: null, fallback });
        return field;
      }
      const cast = compileCaster(this.inputType(field.type, `field "${field.name}"`), target);
      this.fieldPlan.push({ name: field.name, cast, fallback: fallback === null ? null : cast(fallback) });
      const copy = copyField(
        field,
        field.name,
        withOptionality(avroTargetSchema(target), isOptional(field.type)),
      );
      if (field.default !== undefined && field.default !== null) copy.default = cast(field.default);
      return copy;
    });
    return copyRecordBasics(record, fields);
  }

  protected mapValue(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (this.wholeCaster) return this.wholeCaster(value);
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { name, cast, fallback } of this.fieldPlan) {
      const fieldValue = source[name];
      if (fieldValue === null || fieldValue === undefined) out[name] = fallback;
      else out[name] = cast ? cast(fieldValue) : fieldValue;
    }
    return out;
  }
}
