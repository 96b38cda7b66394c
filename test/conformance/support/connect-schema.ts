/**
 * Maps between our Avro view and Kafka Connect's JSON-converter view (schemas.enable=true), and reduces
 * both to a comparable "shape": type, optionality, field names in order, element types.
 * Deliberate mapping differences: Connect's int8/int16 become Avro int (Avro has no narrower ints),
 * Connect's unnamed structs get generated Avro names, and enums are strings.
 */
import {
  type AvroField,
  type AvroSchema,
  arrayItems,
  asRecord,
  connectTypeOf,
  expandSchema,
  fullName,
  mapValues,
  unwrapOptional,
} from '../../../src/transforms/schema.ts';

export interface ConnectSchema {
  type: string;
  optional?: boolean;
  name?: string;
  version?: number;
  default?: unknown;
  field?: string;
  fields?: ConnectSchema[];
  items?: ConnectSchema;
  keys?: ConnectSchema;
  values?: ConnectSchema;
}

const LOGICAL = {
  timestamp: { type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp' },
  date: { type: 'int32', name: 'org.apache.kafka.connect.data.Date' },
  time: { type: 'int32', name: 'org.apache.kafka.connect.data.Time' },
} as const;

export function avroToConnectSchema(schema: AvroSchema): ConnectSchema {
  const expanded = expandSchema(schema);
  const convert = (node: AvroSchema): ConnectSchema => {
    const { optional, base } = unwrapOptional(node);
    const type = connectTypeOf(base);
    // The JSON converter spells float32/float64 as "float"/"double".
    const jsonType = type === 'float32' ? 'float' : type === 'float64' ? 'double' : type;
    const out: ConnectSchema = { type: jsonType, optional };
    if (type === 'timestamp' || type === 'date' || type === 'time')
      return { ...LOGICAL[type], version: 1, optional };
    if (type === 'struct') {
      const record = asRecord(base);
      if (!record) throw new Error('unreachable');
      out.name = fullName(record.name, record.namespace);
      out.fields = record.fields.map((field: AvroField) => {
        const converted = convert(field.type);
        if (field.default !== undefined && field.default !== null) converted.default = field.default;
        return { ...converted, field: field.name };
      });
    } else if (type === 'array') {
      out.items = convert(arrayItems(base));
    } else if (type === 'map') {
      out.keys = { type: 'string', optional: false };
      out.values = convert(mapValues(base));
    } else if (type === 'union') {
      throw new Error('Connect has no unions; conformance schemas use only ["null", T]');
    }
    return out;
  };
  return convert(expanded);
}

/** Our plain value as the JSON converter's payload: bytes base64, everything else as is. */
export function avroValueToConnectPayload(schema: AvroSchema, value: unknown): unknown {
  return toComparable(schema, value);
}

export type Shape = {
  type: string;
  optional: boolean;
  fields?: Array<[string, Shape]>;
  items?: Shape;
  values?: Shape;
};

const NARROW_INTS = new Set(['int8', 'int16', 'int32']);

export function connectShape(schema: ConnectSchema): Shape {
  const jsonTypes: Record<string, string> = { float: 'float32', double: 'float64' };
  let type = NARROW_INTS.has(schema.type) ? 'int32' : (jsonTypes[schema.type] ?? schema.type);
  if (schema.name === LOGICAL.timestamp.name) type = 'timestamp';
  if (schema.name === LOGICAL.date.name) type = 'date';
  if (schema.name === LOGICAL.time.name) type = 'time';
  const shape: Shape = { type, optional: schema.optional ?? false };
  if (schema.fields) shape.fields = schema.fields.map((field) => [field.field ?? '', connectShape(field)]);
  if (schema.items) shape.items = connectShape(schema.items);
  if (schema.values) shape.values = connectShape(schema.values);
  return shape;
}

export function avroShape(schema: AvroSchema): Shape {
  const expanded = expandSchema(schema);
  const convert = (node: AvroSchema): Shape => {
    const { optional, base } = unwrapOptional(node);
    const type = connectTypeOf(base);
    const shape: Shape = { type, optional };
    const record = asRecord(base);
    if (record) shape.fields = record.fields.map((field) => [field.name, convert(field.type)]);
    if (type === 'array') shape.items = convert(arrayItems(base));
    if (type === 'map') shape.values = convert(mapValues(base));
    return shape;
  };
  return convert(expanded);
}

/** The top-level schema's own optionality is not compared: Connect drops it in several SMTs. */
export function withoutTopOptional(shape: Shape): Shape {
  return { ...shape, optional: false };
}

/**
 * A value in a form both engines agree on: bytes as base64, float32 rounded to float32, records as
 * plain objects. Works from our Avro schema for our values and from Connect's schema for payloads.
 */
export function toComparable(schema: AvroSchema, value: unknown): unknown {
  const expanded = expandSchema(schema);
  const walk = (node: AvroSchema, current: unknown): unknown => {
    if (current === null || current === undefined) return null;
    const { base } = unwrapOptional(node);
    const type = connectTypeOf(base);
    if (type === 'bytes') return Buffer.isBuffer(current) ? current.toString('base64') : current;
    if (type === 'float32') return Math.fround(current as number);
    const record = asRecord(base);
    if (record) {
      const out: Record<string, unknown> = {};
      for (const field of record.fields)
        out[field.name] = walk(field.type, (current as Record<string, unknown>)[field.name]);
      return out;
    }
    if (type === 'array') return (current as unknown[]).map((item) => walk(arrayItems(base), item));
    if (type === 'map') {
      return Object.fromEntries(
        Object.entries(current as Record<string, unknown>).map(([k, v]) => [k, walk(mapValues(base), v)]),
      );
    }
    return current;
  };
  return walk(expanded, value);
}

export function connectComparable(schema: ConnectSchema | null, payload: unknown): unknown {
  if (payload === null || payload === undefined || schema === null) return payload ?? null;
  if (schema.type === 'float') return Math.fround(payload as number);
  if (schema.type === 'struct' && schema.fields) {
    const out: Record<string, unknown> = {};
    for (const field of schema.fields) {
      out[field.field ?? ''] = connectComparable(
        field,
        (payload as Record<string, unknown>)[field.field ?? ''],
      );
    }
    return out;
  }
  if (schema.type === 'array' && schema.items) {
    const items = schema.items;
    return (payload as unknown[]).map((item) => connectComparable(items, item));
  }
  if (schema.type === 'map' && schema.values) {
    const values = schema.values;
    return Object.fromEntries(
      Object.entries(payload as Record<string, unknown>).map(([k, v]) => [k, connectComparable(values, v)]),
    );
  }
  return payload;
}
