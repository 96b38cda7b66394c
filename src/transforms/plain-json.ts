/**
 * Records as plain JSON for the CLI and files: unions unwrapped, bytes as base64 strings, timestamps
 * as epoch millis. Conversion follows the schema, so only real bytes fields are decoded.
 * A long beyond ±(2^53 - 1) (a BigInt here, see src/serde/avro-types.ts) is written as a string of
 * digits, since a JSON number that large would be rounded by most readers (JSON.parse included); such
 * a string is read back into a long field exactly.
 */
import { normalizeLong } from '../serde/avro-types.ts';
import {
  type AvroSchema,
  arrayItems,
  asRecord,
  connectTypeOf,
  expandSchema,
  mapValues,
  unwrapOptional,
} from './schema.ts';

type Direction = 'in' | 'out';

function convert(schema: AvroSchema, value: unknown, direction: Direction): unknown {
  if (value === null || value === undefined) return value ?? null;
  const { base } = unwrapOptional(schema);
  const type = connectTypeOf(base);
  switch (type) {
    case 'int64':
    case 'timestamp':
      if (direction === 'in')
        return typeof value === 'string' && /^-?\d+$/.test(value) ? normalizeLong(BigInt(value)) : value;
      return typeof value === 'bigint' ? value.toString() : value;
    case 'bytes':
      if (direction === 'in') return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
      return Buffer.isBuffer(value) ? value.toString('base64') : value;
    case 'struct': {
      const record = asRecord(base);
      if (!record || typeof value !== 'object') return value;
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const field of record.fields) {
        if (field.name in source) out[field.name] = convert(field.type, source[field.name], direction);
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item) => convert(arrayItems(base), item, direction)) : value;
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          convert(mapValues(base), v, direction),
        ]),
      );
    default:
      return value;
  }
}

/** A converter pair for one schema; the schema is expanded once. */
export function plainJsonCodec(schema: AvroSchema | null): {
  fromJson(value: unknown): unknown;
  toJson(value: unknown): unknown;
} {
  if (schema === null)
    return { fromJson: (v) => v, toJson: (v) => (Buffer.isBuffer(v) ? v.toString('base64') : v) };
  const expanded = expandSchema(schema);
  return {
    fromJson: (value) => convert(expanded, value, 'in'),
    toJson: (value) => convert(expanded, value, 'out'),
  };
}
