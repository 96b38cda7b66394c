import { SideTransform } from '../base.ts';
import { defineConfig, javaSplit, nonEmptyList } from '../config-def.ts';
import { connectDateToString } from '../java/connect-values.ts';
import {
  doubleToLong,
  type ExactLong,
  javaDoubleToString,
  javaFloatToString,
  javaLongToString,
  javaNarrow,
  javaParseDouble,
  javaParseFloat,
  javaParseInteger,
  longToDouble,
  longToFloat,
  normalizeLong,
} from '../java/numbers.ts';
import {
  type AvroField,
  type AvroSchema,
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
/** Every Connect Schema.Type name: other names are "invalid", these but not OUTPUT_TYPES "unsupported". */
const SCHEMA_TYPES = [...OUTPUT_TYPES, 'bytes', 'array', 'map', 'struct'];
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

const MILLIS_PER_DAY = 86_400_000n;

type Caster = (value: unknown) => unknown;

const fail = (target: CastTarget, value: unknown): never => {
  // The value itself stays out of the message: it may be personal data and messages reach logs and DLQ headers.
  throw new TransformDataError(
    `Cast: a ${Buffer.isBuffer(value) ? 'bytes' : typeof value} value cannot be converted to ${target} (not a number, or out of range)`,
  );
};

/**
 * A converter from one Connect type to a cast target, as Connect's Cast does it: Number.xValue()
 * narrowing (integers wrap, floating point truncates and saturates), Byte/Short/Integer/Long.parseX and
 * Float/Double.parseX for strings, booleans as 1/0, logical dates as their integer form, and strings
 * as Java prints each type. Longs are exact (a BigInt beyond 2^53).
 */
export function compileCaster(from: ConnectType, target: CastTarget): Caster {
  if (from === 'timestamp' || from === 'date' || from === 'time') {
    if (target === 'string') {
      // Values.dateFormatFor: the format depends on the instant, not the schema.
      return (value) =>
        connectDateToString(
          from === 'date' ? normalizeLong(BigInt(value as number) * MILLIS_PER_DAY) : (value as ExactLong),
        );
    }
    return compileCaster(from === 'timestamp' ? 'int64' : 'int32', target);
  }
  const integer = from === 'int32' || from === 'int64';
  const numberKind = integer ? 'integer' : 'floating';
  switch (target) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': {
      const bits = { int8: 8, int16: 16, int32: 32, int64: 64 } as const;
      const width = bits[target];
      return (value) => {
        if (typeof value === 'number' || typeof value === 'bigint')
          return javaNarrow(value, numberKind, width);
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string') return javaParseInteger(value, width) ?? fail(target, value);
        return fail(target, value);
      };
    }
    case 'float32':
      return (value) => {
        if (typeof value === 'bigint' || (typeof value === 'number' && integer)) return longToFloat(value);
        if (typeof value === 'number') return Math.fround(value);
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string') return javaParseFloat(value) ?? fail(target, value);
        return fail(target, value);
      };
    case 'float64':
      return (value) => {
        if (typeof value === 'bigint') return longToDouble(value);
        if (typeof value === 'number') return value;
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string') return javaParseDouble(value) ?? fail(target, value);
        return fail(target, value);
      };
    case 'boolean':
      return (value) => {
        if (typeof value === 'bigint') return value !== 0n;
        if (typeof value === 'number') return (integer ? value : Number(doubleToLong(value))) !== 0;
        if (typeof value === 'boolean') return value;
        if (typeof value === 'string') return value.toLowerCase() === 'true';
        return fail(target, value);
      };
    case 'string':
      return (value) => {
        if (typeof value === 'string') return value;
        if (typeof value === 'boolean') return String(value);
        if (Buffer.isBuffer(value)) return value.toString('base64');
        if (typeof value === 'bigint') return value.toString();
        if (typeof value === 'number') {
          if (integer) return javaLongToString(value);
          return from === 'float32' ? javaFloatToString(value) : javaDoubleToString(value);
        }
        return fail(target, value);
      };
  }
}

/** Schema.Type.valueOf(name.trim().toUpperCase()), then Cast's list of output types. */
function parseTarget(raw: string): { target: CastTarget } | { error: string } {
  const name = raw.trim().toUpperCase();
  const known = SCHEMA_TYPES.find((type) => type.toUpperCase() === name);
  if (!known) return { error: `invalid type "${raw.trim()}"` };
  if (!(OUTPUT_TYPES as readonly string[]).includes(known)) return { error: `Cast cannot cast to ${known}` };
  return { target: known as CastTarget };
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
      const parts = javaSplit(entry, ':');
      if (parts.length > 2)
        throw this.configError('spec', `invalid entry "${entry}"; expected field:type or type`);
      const typeName = (parts.length === 1 ? parts[0] : parts[1]) as string;
      const parsed = parseTarget(typeName);
      if ('error' in parsed) {
        throw this.configError(
          'spec',
          `${parsed.error} (in "${entry}"); supported types are ${OUTPUT_TYPES.join(', ')}`,
        );
      }
      if (parts.length === 1) this.wholeValue = parsed.target;
      else this.fieldCasts.set((parts[0] as string).trim(), parsed.target);
    }
    if (this.wholeValue && spec.length > 1) {
      throw this.configError(
        'spec',
        'a cast of the whole value (a bare type) must be the only entry in spec',
      );
    }
  }

  /** A caster for a value of this schema, or a start-up refusal where Connect fails every value. */
  private casterFor(schema: AvroSchema, target: CastTarget, what: string): Caster {
    const type = connectTypeOf(schema);
    const logical = type === 'timestamp' || type === 'date' || type === 'time';
    if (!INPUT_TYPES.includes(type) && !logical) {
      throw this.failsEveryRecord(
        'spec',
        `${what} is ${type}; Cast supports ${INPUT_TYPES.join(', ')} and timestamps`,
      );
    }
    if (type === 'bytes' && target !== 'string') {
      throw this.failsEveryRecord('spec', `${what} is bytes, which Cast can only cast to string`);
    }
    return compileCaster(type, target);
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    if (this.wholeValue) {
      const type = connectTypeOf(schema);
      if (type === 'timestamp' || type === 'date' || type === 'time') {
        // Connect copies the logical type's name onto the cast schema, so its converter then fails.
        throw this.failsEveryRecord(
          'spec',
          `the whole ${this.side} is a ${type}; Connect keeps the logical name on the cast schema, which no converter can write`,
        );
      }
      this.wholeCaster = this.casterFor(schema, this.wholeValue, 'the whole value');
      return withOptionality(avroTargetSchema(this.wholeValue), isOptional(schema));
    }
    const record = this.requireRecord(schema, 'Cast');
    for (const name of this.fieldCasts.keys()) {
      // Deliberately stricter than Connect, which ignores a cast of a field that does not exist.
      if (!record.fields.some((field) => field.name === name)) {
        throw this.configError('spec', `no field "${name}" in record ${record.name}`);
      }
    }
    const replaceNull = this.config['replace.null.with.default'];
    this.fieldPlan = [];
    const fields = record.fields.map((field): AvroField => {
      const target = this.fieldCasts.get(field.name);
      const fallback = replaceNull ? fieldDefault(field) : null;
      if (!target) {
        this.fieldPlan.push({ name: field.name, cast: null, fallback });
        return field;
      }
      const cast = this.casterFor(field.type, target, `field "${field.name}"`);
      const defaultValue = fieldDefault(field);
      let castDefault: unknown = null;
      if (defaultValue !== null) {
        // Connect casts the default while building the schema, so a default it cannot cast fails every record.
        try {
          castDefault = cast(defaultValue);
        } catch (error) {
          throw this.failsEveryRecord(
            'spec',
            `the default of field "${field.name}" cannot be cast to ${target}: ${(error as Error).message}`,
          );
        }
      }
      this.fieldPlan.push({ name: field.name, cast, fallback: fallback === null ? null : castDefault });
      const copy = copyField(
        field,
        field.name,
        withOptionality(avroTargetSchema(target), isOptional(field.type)),
      );
      if (typeof castDefault === 'bigint') {
        throw this.configError(
          'spec',
          `the default of field "${field.name}" cast to ${target} is ${castDefault}, beyond ±(2^53 - 1): the schema's JSON text cannot carry that default exactly`,
        );
      }
      if (castDefault !== null) {
        copy.default = castDefault;
        if (isOptional(copy.type)) copy.type = [avroTargetSchema(target), 'null'];
      }
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
