import { type JavaValue, javaValueToString } from '../java/connect-values.ts';
import {
  type AvroSchema,
  arrayItems,
  asRecord,
  connectTypeOf,
  expandSchema,
  fieldDefault,
  mapValues,
  unwrapOptional,
} from '../schema.ts';

const MILLIS_PER_DAY = 86_400_000n;

/** Our in-memory value of a schema as the Java object Connect holds (which decides how it prints). */
function toJavaValue(schema: AvroSchema, value: unknown): JavaValue | null {
  if (value === null || value === undefined) return null;
  const { base } = unwrapOptional(schema);
  switch (connectTypeOf(base)) {
    case 'boolean':
      return { kind: 'boolean', value: value as boolean };
    case 'int32':
      return { kind: 'int', value: BigInt(value as number) };
    case 'int64':
      return { kind: 'long', value: BigInt(value as number | bigint) };
    case 'float32':
      return { kind: 'float', value: value as number };
    case 'float64':
      return { kind: 'double', value: value as number };
    case 'string':
      return { kind: 'string', value: String(value) };
    case 'bytes':
      return { kind: 'bytes', value: value as Buffer };
    case 'timestamp':
    case 'time':
      return { kind: 'date', millis: BigInt(value as number | bigint) };
    case 'date':
      return { kind: 'date', millis: BigInt(value as number) * MILLIS_PER_DAY };
    case 'array':
      return { kind: 'list', items: (value as unknown[]).map((item) => toJavaValue(arrayItems(base), item)) };
    case 'map':
      return {
        kind: 'map',
        entries: Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          { kind: 'string', value: key },
          toJavaValue(mapValues(base), item),
        ]),
      };
    case 'struct': {
      const record = asRecord(base);
      const source = value as Record<string, unknown>;
      // Values.convertToString prints a struct through Struct.get, which substitutes field defaults.
      return {
        kind: 'struct',
        fields: (record?.fields ?? []).map((field) => {
          const fieldValue = source[field.name];
          const present = fieldValue === null || fieldValue === undefined ? fieldDefault(field) : fieldValue;
          return [field.name, toJavaValue(field.type, present)];
        }),
      };
    }
    default:
      return { kind: 'string', value: String(value) };
  }
}

/**
 * What Connect's SimpleHeaderConverter writes for a header holding a value of this schema: the text
 * Values.convertToString gives (numbers as Java prints them, dates in ISO form by their instant, bytes
 * as base64, structs as {"field":value}), or null for a null value.
 */
export function headerEncoderFor(schema: AvroSchema): (value: unknown) => string | null {
  const expanded = expandSchema(schema);
  return (value) => {
    const javaValue = toJavaValue(expanded, value);
    return javaValue === null ? null : javaValueToString(javaValue);
  };
}
