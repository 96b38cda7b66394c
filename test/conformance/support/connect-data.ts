/**
 * Maps our Avro view of schemas and values onto Kafka Connect's (the harness's typed JSON form), and
 * reduces both engines' outputs to one comparable form.
 *
 * Avro -> Connect, as Confluent's AvroData does: record -> struct named by its full name, ["null", T] or
 * [T, "null"] -> optional T, a field default -> the field schema's default, long/timestamp-millis ->
 * Timestamp, int/date -> Date, int/time-millis -> Time.
 * Comparable values: int64 and Timestamp are BigInt, float32 is rounded to float32, bytes are base64,
 * structs and maps are plain objects. Shapes: type, optionality, name, version, default, fields in order;
 * int8 and int16 count as int32 because Avro has no narrower integer (the value is still narrowed).
 */
import {
  type AvroField,
  type AvroSchema,
  arrayItems,
  asRecord,
  type ConnectType,
  connectTypeOf,
  expandSchema,
  fullName,
  mapValues,
  unwrapOptional,
} from '../../../src/transforms/schema.ts';
import type { ConnectSchemaJson } from './harness.ts';

const LOGICAL_NAMES = {
  timestamp: 'org.apache.kafka.connect.data.Timestamp',
  date: 'org.apache.kafka.connect.data.Date',
  time: 'org.apache.kafka.connect.data.Time',
} as const;

const CONNECT_PRIMITIVE: Partial<Record<ConnectType, string>> = {
  boolean: 'boolean',
  int32: 'int32',
  int64: 'int64',
  float32: 'float32',
  float64: 'float64',
  string: 'string',
  bytes: 'bytes',
};

/** The Avro JSON default of a field as our in-memory value (bytes defaults are ISO-8859-1 strings). */
export function avroDefaultValue(schema: AvroSchema, json: unknown): unknown {
  if (json === null || json === undefined) return null;
  const branch = Array.isArray(schema) ? (schema[0] as AvroSchema) : schema;
  const type = connectTypeOf(branch);
  switch (type) {
    case 'bytes':
      return typeof json === 'string' ? Buffer.from(json, 'latin1') : json;
    case 'struct': {
      const record = asRecord(branch);
      if (!record) return json;
      const source = json as Record<string, unknown>;
      return Object.fromEntries(
        record.fields.map((field) => [
          field.name,
          avroDefaultValue(field.type, field.name in source ? source[field.name] : field.default),
        ]),
      );
    }
    case 'array':
      return (json as unknown[]).map((item) => avroDefaultValue(arrayItems(branch), item));
    case 'map':
      return Object.fromEntries(
        Object.entries(json as Record<string, unknown>).map(([k, v]) => [
          k,
          avroDefaultValue(mapValues(branch), v),
        ]),
      );
    default:
      return json;
  }
}

export function toConnectSchema(schema: AvroSchema): ConnectSchemaJson {
  return convertSchema(expandSchema(schema));
}

function convertSchema(node: AvroSchema, fieldDefault?: unknown): ConnectSchemaJson {
  const { optional, base } = unwrapOptional(node);
  const type = connectTypeOf(base);
  let out: ConnectSchemaJson;
  if (type === 'timestamp') out = { type: 'int64', name: LOGICAL_NAMES.timestamp, version: 1 };
  else if (type === 'date') out = { type: 'int32', name: LOGICAL_NAMES.date, version: 1 };
  else if (type === 'time') out = { type: 'int32', name: LOGICAL_NAMES.time, version: 1 };
  else if (type === 'struct') {
    const record = asRecord(base);
    if (!record) throw new Error('unreachable: struct without record');
    out = {
      type: 'struct',
      name: fullName(record.name, record.namespace),
      fields: record.fields.map((field: AvroField) => ({
        name: field.name,
        schema: convertSchema(field.type, field.default),
      })),
    };
  } else if (type === 'array') out = { type: 'array', items: convertSchema(arrayItems(base)) };
  else if (type === 'map')
    out = { type: 'map', keys: { type: 'string' }, values: convertSchema(mapValues(base)) };
  else {
    const primitive = CONNECT_PRIMITIVE[type];
    if (!primitive) throw new Error(`Connect has no equivalent of Avro ${JSON.stringify(base)}`);
    out = { type: primitive };
  }
  const name = typeof base === 'object' && !Array.isArray(base) ? base['connect.name'] : undefined;
  if (typeof name === 'string' && out.name === undefined) out.name = name;
  const version = typeof base === 'object' && !Array.isArray(base) ? base['connect.version'] : undefined;
  if (typeof version === 'number') out.version = version;
  out.optional = optional;
  if (fieldDefault !== undefined && fieldDefault !== null) {
    out.default = toConnectValue(node, avroDefaultValue(node, fieldDefault));
  }
  return out;
}

/** Our in-memory value (avsc's plain form) as the harness's typed JSON. */
export function toConnectValue(schema: AvroSchema, value: unknown): unknown {
  return convertValue(expandSchema(schema), value);
}

/** JSON has no NaN or Infinity, and JSON.stringify writes -0 as 0: those travel as Java's spelling. */
function convertFloating(value: number): number | string {
  if (Object.is(value, -0)) return '-0.0';
  return Number.isFinite(value) ? value : String(value);
}

function convertValue(node: AvroSchema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const { base } = unwrapOptional(node);
  switch (connectTypeOf(base)) {
    case 'int64':
    case 'timestamp':
      return BigInt(value as number | bigint).toString();
    case 'float32':
    case 'float64':
      return convertFloating(value as number);
    case 'bytes':
      return (value as Buffer).toString('base64');
    case 'struct': {
      const record = asRecord(base);
      const source = value as Record<string, unknown>;
      return Object.fromEntries(
        (record?.fields ?? []).map((field) => [field.name, convertValue(field.type, source[field.name])]),
      );
    }
    case 'array':
      return (value as unknown[]).map((item) => convertValue(arrayItems(base), item));
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          convertValue(mapValues(base), v),
        ]),
      );
    default:
      return value;
  }
}

// --- comparable values ----------------------------------------------------------------------------

/** Marks a value that does not fit the schema it claims; it never equals a well-formed value. */
export interface Misfit {
  misfit: string;
}

function misfit(expected: string, value: unknown): Misfit {
  return { misfit: `expected ${expected}, got ${Buffer.isBuffer(value) ? 'Buffer' : typeof value}` };
}

function floatingFromJson(json: unknown): number {
  if (typeof json === 'number') return json;
  if (json === '-0.0') return -0;
  if (json === 'NaN') return Number.NaN;
  if (json === 'Infinity') return Number.POSITIVE_INFINITY;
  if (json === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

/** Connect's output (typed JSON + schema) in comparable form. */
export function comparableFromConnect(schema: ConnectSchemaJson | null, json: unknown): unknown {
  if (json === null || json === undefined) return null;
  if (schema === null) return json;
  if (schema.name === LOGICAL_NAMES.timestamp) return BigInt(json as string);
  switch (schema.type) {
    case 'int64':
      return BigInt(json as string);
    case 'float32':
      return Math.fround(floatingFromJson(json));
    case 'float64':
      return floatingFromJson(json);
    case 'struct': {
      const source = json as Record<string, unknown>;
      return Object.fromEntries(
        (schema.fields ?? []).map((field) => [
          field.name,
          comparableFromConnect(field.schema, source[field.name]),
        ]),
      );
    }
    case 'array':
      return (json as unknown[]).map((item) => comparableFromConnect(schema.items ?? null, item));
    case 'map':
      return Object.fromEntries(
        Object.entries(json as Record<string, unknown>).map(([k, v]) => [
          k,
          comparableFromConnect(schema.values ?? null, v),
        ]),
      );
    default:
      return json;
  }
}

const expanded = new WeakMap<object, AvroSchema>();

/** expandSchema, once per schema object (each chain's output schema is compared for every record). */
function expandOnce(schema: AvroSchema): AvroSchema {
  if (typeof schema !== 'object' || schema === null) return expandSchema(schema);
  let known = expanded.get(schema);
  if (known === undefined) {
    known = expandSchema(schema);
    expanded.set(schema, known);
  }
  return known;
}

/** Our output (avsc plain value + Avro schema) in comparable form; misfits are marked, never thrown. */
export function comparableFromAvro(schema: AvroSchema, value: unknown): unknown {
  return comparable(expandOnce(schema), value);
}

function comparable(node: AvroSchema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const { base } = unwrapOptional(node);
  const type = connectTypeOf(base);
  switch (type) {
    case 'int64':
    case 'timestamp':
      return typeof value === 'number' && Number.isInteger(value)
        ? BigInt(value)
        : typeof value === 'bigint'
          ? value
          : misfit('a long', value);
    case 'int32':
    case 'date':
    case 'time':
      return typeof value === 'number' && Number.isInteger(value) ? value : misfit('an int', value);
    case 'float32':
      return typeof value === 'number' ? Math.fround(value) : misfit('a float', value);
    case 'float64':
      return typeof value === 'number' ? value : misfit('a double', value);
    case 'boolean':
      return typeof value === 'boolean' ? value : misfit('a boolean', value);
    case 'string':
      return typeof value === 'string' ? value : misfit('a string', value);
    case 'bytes':
      return Buffer.isBuffer(value) ? value.toString('base64') : misfit('bytes', value);
    case 'struct': {
      const record = asRecord(base);
      if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value))
        return misfit('a record', value);
      const source = value as Record<string, unknown>;
      return Object.fromEntries(
        (record?.fields ?? []).map((field) => [field.name, comparable(field.type, source[field.name])]),
      );
    }
    case 'array':
      return Array.isArray(value)
        ? value.map((item) => comparable(arrayItems(base), item))
        : misfit('an array', value);
    case 'map':
      return typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>).map(([k, v]) => [
              k,
              comparable(mapValues(base), v),
            ]),
          )
        : misfit('a map', value);
    default:
      return value;
  }
}

// --- shapes ---------------------------------------------------------------------------------------

export interface Shape {
  type: string;
  optional: boolean;
  /** Struct (record) names, or Connect's name for other types; logical types have none here. */
  name: string | null;
  version: number | null;
  default: unknown;
  fields?: Array<[string, Shape]>;
  items?: Shape;
  values?: Shape;
}

const NARROW_INTS = new Set(['int8', 'int16', 'int32']);

export function shapeFromConnect(schema: ConnectSchemaJson): Shape {
  let type = NARROW_INTS.has(schema.type) ? 'int32' : schema.type;
  const logical = Object.entries(LOGICAL_NAMES).find(([, name]) => name === schema.name);
  if (logical) type = logical[0];
  const shape: Shape = {
    type,
    optional: schema.optional ?? false,
    name: logical ? null : (schema.name ?? null),
    version: logical ? null : (schema.version ?? null),
    default: schema.default === undefined ? null : comparableFromConnect(schema, schema.default),
  };
  if (schema.fields)
    shape.fields = schema.fields.map((field) => [field.name, shapeFromConnect(field.schema)]);
  if (schema.items) shape.items = shapeFromConnect(schema.items);
  if (schema.values) shape.values = shapeFromConnect(schema.values);
  return shape;
}

export function shapeFromAvro(schema: AvroSchema): Shape {
  return avroShape(expandOnce(schema), undefined);
}

function avroShape(node: AvroSchema, fieldDefault: unknown): Shape {
  const { optional, base } = unwrapOptional(node);
  const type = connectTypeOf(base);
  const attributes: Record<string, unknown> = typeof base === 'object' && !Array.isArray(base) ? base : {};
  const record = asRecord(base);
  const logical = type === 'timestamp' || type === 'date' || type === 'time';
  const connectName = typeof attributes['connect.name'] === 'string' ? attributes['connect.name'] : null;
  const connectVersion =
    typeof attributes['connect.version'] === 'number' ? attributes['connect.version'] : null;
  const shape: Shape = {
    type,
    optional,
    name: logical ? null : record ? fullName(record.name, record.namespace) : connectName,
    version: logical ? null : connectVersion,
    default:
      fieldDefault === undefined || fieldDefault === null
        ? null
        : comparableFromAvro(node, avroDefaultValue(node, fieldDefault)),
  };
  if (record) shape.fields = record.fields.map((field) => [field.name, avroShape(field.type, field.default)]);
  if (type === 'array') shape.items = avroShape(arrayItems(base), undefined);
  if (type === 'map') shape.values = avroShape(mapValues(base), undefined);
  return shape;
}
