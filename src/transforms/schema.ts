/**
 * Avro schema JSON as the transforms see it. Connect's schema model (struct, optional, int8..float64,
 * logical Timestamp/Date/Time) maps onto Avro like this:
 *   struct -> record, optional T -> ["null", T] with default null, int8/int16/int32 -> int,
 *   int64 -> long, float32 -> float, float64 -> double, Timestamp -> long/timestamp-millis,
 *   Date -> int/date, Time -> int/time-millis; enums behave as strings.
 * Transforms work on the "expanded" form (every named-type reference replaced by its definition), and
 * `finalizeSchema` turns repeated definitions back into references so avsc accepts the result.
 */
import { ConfigError } from '../errors.ts';

export type AvroSchema = string | AvroSchema[] | AvroComplexSchema;

export interface AvroComplexSchema {
  type: string | AvroSchema[] | AvroComplexSchema;
  [attribute: string]: unknown;
}

export interface AvroField {
  name: string;
  type: AvroSchema;
  default?: unknown;
  doc?: string;
  [attribute: string]: unknown;
}

export interface AvroRecordSchema extends AvroComplexSchema {
  type: 'record';
  name: string;
  namespace?: string;
  fields: AvroField[];
}

/** Connect's view of a schema's type, which is what transforms reason about. */
export type ConnectType =
  | 'null'
  | 'boolean'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'struct'
  | 'array'
  | 'map'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'union';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export function isRecordSchema(schema: AvroSchema): schema is AvroRecordSchema {
  return typeof schema === 'object' && !Array.isArray(schema) && schema.type === 'record';
}

/** `["null", T]` (either order) is an optional T; anything else is itself, required. */
export function unwrapOptional(schema: AvroSchema): { optional: boolean; base: AvroSchema } {
  if (Array.isArray(schema)) {
    const nonNull = schema.filter((branch) => branch !== 'null');
    const hasNull = nonNull.length !== schema.length;
    if (hasNull && nonNull.length === 1) return { optional: true, base: nonNull[0] as AvroSchema };
    return { optional: hasNull, base: hasNull ? nonNull : schema };
  }
  return { optional: schema === 'null', base: schema };
}

export function makeOptional(schema: AvroSchema): AvroSchema {
  if (Array.isArray(schema)) return schema.includes('null') ? schema : ['null', ...schema];
  return schema === 'null' ? schema : ['null', schema];
}

export function makeRequired(schema: AvroSchema): AvroSchema {
  return unwrapOptional(schema).base;
}

export function withOptionality(schema: AvroSchema, optional: boolean): AvroSchema {
  return optional ? makeOptional(schema) : makeRequired(schema);
}

export function isOptional(schema: AvroSchema): boolean {
  return unwrapOptional(schema).optional;
}

/** The Connect type of a (non-optional) schema. */
export function connectTypeOf(schema: AvroSchema): ConnectType {
  const { base } = unwrapOptional(schema);
  if (Array.isArray(base)) return 'union';
  if (typeof base === 'string') return primitiveConnectType(base);
  const logical = base.logicalType;
  const type = base.type;
  if (typeof type !== 'string') return connectTypeOf(type);
  if (logical === 'timestamp-millis' && type === 'long') return 'timestamp';
  if (logical === 'date' && type === 'int') return 'date';
  if (logical === 'time-millis' && type === 'int') return 'time';
  switch (type) {
    case 'record':
    case 'error':
      return 'struct';
    case 'array':
      return 'array';
    case 'map':
      return 'map';
    case 'enum':
      return 'string';
    case 'fixed':
      return 'bytes';
    default:
      return primitiveConnectType(type);
  }
}

function primitiveConnectType(name: string): ConnectType {
  switch (name) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'int32';
    case 'long':
      return 'int64';
    case 'float':
      return 'float32';
    case 'double':
      return 'float64';
    case 'bytes':
      return 'bytes';
    case 'string':
      return 'string';
    default:
      throw new Error(`unresolved Avro type reference "${name}"`);
  }
}

/** The Avro schema for a Connect primitive or logical type. */
export function avroSchemaFor(type: ConnectType): AvroSchema {
  switch (type) {
    case 'int32':
      return 'int';
    case 'int64':
      return 'long';
    case 'float32':
      return 'float';
    case 'float64':
      return 'double';
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-millis' };
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'int', logicalType: 'time-millis' };
    case 'boolean':
    case 'string':
    case 'bytes':
    case 'null':
      return type;
    default:
      throw new Error(`no primitive Avro schema for Connect type ${type}`);
  }
}

/** Record schema (after unwrapping optionality), or undefined. */
export function asRecord(schema: AvroSchema): AvroRecordSchema | undefined {
  const { base } = unwrapOptional(schema);
  return isRecordSchema(base) ? base : undefined;
}

export function fullName(name: string, namespace: string | undefined): string {
  if (name.includes('.')) return name;
  return namespace ? `${namespace}.${name}` : name;
}

function splitFullName(name: string): { name: string; namespace: string | undefined } {
  const dot = name.lastIndexOf('.');
  return dot < 0
    ? { name, namespace: undefined }
    : { name: name.slice(dot + 1), namespace: name.slice(0, dot) };
}

/**
 * Replaces every named-type reference with its definition and gives every named type an explicit,
 * fully qualified name, so transforms can treat each schema node on its own.
 */
export function expandSchema(schema: AvroSchema): AvroSchema {
  const named = new Map<string, AvroComplexSchema>();
  const inProgress = new Set<string>();

  const visit = (node: AvroSchema, namespace: string | undefined): AvroSchema => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node)) return node;
      const found = named.get(fullName(node, namespace)) ?? named.get(node);
      if (found) return found;
      if (inProgress.has(fullName(node, namespace)) || inProgress.has(node)) {
        throw new ConfigError('schema', `recursive type "${node}" is not supported by the transform chain`);
      }
      throw new ConfigError('schema', `unknown Avro type "${node}"`);
    }
    if (Array.isArray(node)) return node.map((branch) => visit(branch, namespace));
    const type = node.type;
    if (typeof type !== 'string') return visit(type, namespace);
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const rawName = String(node.name ?? '');
      const ownNamespace = rawName.includes('.')
        ? splitFullName(rawName).namespace
        : typeof node.namespace === 'string' && node.namespace !== ''
          ? node.namespace
          : namespace;
      const { name } = splitFullName(rawName);
      const qualified = fullName(name, ownNamespace);
      const copy: AvroComplexSchema = { ...node, type, name };
      if (ownNamespace) copy.namespace = ownNamespace;
      else delete copy.namespace;
      if (type === 'record' || type === 'error') {
        inProgress.add(qualified);
        copy.type = 'record';
        copy.fields = (node.fields as AvroField[]).map((field) => ({
          ...field,
          type: visit(field.type, ownNamespace),
        }));
        inProgress.delete(qualified);
      }
      named.set(qualified, copy);
      return copy;
    }
    if (type === 'array') return { ...node, items: visit(node.items as AvroSchema, namespace) };
    if (type === 'map') return { ...node, values: visit(node.values as AvroSchema, namespace) };
    if (PRIMITIVES.has(type) && node.logicalType === undefined) return type;
    return node;
  };
  return visit(schema, undefined);
}

/**
 * Turns an expanded schema back into one avsc accepts: the first definition of a name stays, an
 * identical later one becomes a reference, and a different one with the same name is renamed
 * (`Name_2`), since transforms such as Flatten or ReplaceField may leave two shapes under one name.
 */
export function finalizeSchema(schema: AvroSchema): AvroSchema {
  const defined = new Map<string, string>();
  const usedNames = new Set<string>();

  const visit = (node: AvroSchema, namespace: string | undefined): AvroSchema => {
    if (typeof node === 'string') return node;
    if (Array.isArray(node)) return node.map((branch) => visit(branch, namespace));
    const type = node.type;
    if (typeof type !== 'string') return visit(type, namespace);
    if (type === 'record' || type === 'enum' || type === 'fixed') {
      const ownNamespace =
        typeof node.namespace === 'string' && node.namespace !== '' ? node.namespace : namespace;
      let name = String(node.name);
      let body: AvroComplexSchema = { ...node };
      if (type === 'record') {
        body.fields = (node.fields as AvroField[]).map((field) => ({
          ...field,
          type: visit(field.type, ownNamespace),
        }));
      }
      // Compared on the expanded input: nested types inside `body` may already have become references.
      const signature = JSON.stringify({ ...node, name: undefined, namespace: ownNamespace });
      for (let suffix = 2; ; suffix++) {
        const qualified = fullName(name, ownNamespace);
        const existing = defined.get(qualified);
        if (existing === signature) return qualified;
        if (existing === undefined && !usedNames.has(qualified)) {
          defined.set(qualified, signature);
          usedNames.add(qualified);
          break;
        }
        name = `${String(node.name)}_${suffix}`;
      }
      body = { ...body, name };
      if (ownNamespace !== namespace && ownNamespace !== undefined) body.namespace = ownNamespace;
      else if (ownNamespace === undefined && namespace !== undefined) body.namespace = '';
      else delete body.namespace;
      return body;
    }
    if (type === 'array') return { ...node, items: visit(node.items as AvroSchema, namespace) };
    if (type === 'map') return { ...node, values: visit(node.values as AvroSchema, namespace) };
    return node;
  };
  return visit(schema, undefined);
}

/** A new record schema that keeps the source's name, namespace, doc and custom attributes. */
export function copyRecordBasics(source: AvroRecordSchema, fields: AvroField[]): AvroRecordSchema {
  return { ...source, fields };
}

/**
 * A field as Connect would add it: optional fields default to null so BACKWARD evolution holds.
 * `attributes` (doc, custom attributes) are kept; any default in them is not.
 */
export function newField(name: string, schema: AvroSchema, attributes: Partial<AvroField> = {}): AvroField {
  const { default: _dropped, ...kept } = attributes;
  return isOptional(schema) && Array.isArray(schema) && schema[0] === 'null'
    ? { ...kept, name, type: schema, default: null }
    : { ...kept, name, type: schema };
}

/** Copies a field under a (maybe new) name and schema, keeping its default only where it still fits. */
export function copyField(field: AvroField, name: string, schema: AvroSchema = field.type): AvroField {
  const copy: AvroField = { ...field, name, type: schema };
  if (schema !== field.type) {
    delete copy.default;
    if (Array.isArray(schema) && schema[0] === 'null') copy.default = null;
  }
  return copy;
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidAvroName(name: string): boolean {
  return AVRO_NAME.test(name);
}

/**
 * A field's Avro JSON default as an in-memory value of its type (the union's first branch): bytes
 * defaults are ISO-8859-1 strings in Avro JSON and become Buffers; records and collections convert
 * element by element.
 */
export function avroDefaultValue(schema: AvroSchema, json: unknown): unknown {
  if (json === null || json === undefined) return null;
  const branch = Array.isArray(schema) ? (schema[0] as AvroSchema) : schema;
  switch (connectTypeOf(branch)) {
    case 'bytes':
      return typeof json === 'string' ? Buffer.from(json, 'latin1') : json;
    case 'struct': {
      const record = asRecord(branch);
      if (!record || typeof json !== 'object') return json;
      const source = json as Record<string, unknown>;
      return Object.fromEntries(
        record.fields.map((field) => [
          field.name,
          avroDefaultValue(field.type, field.name in source ? source[field.name] : field.default),
        ]),
      );
    }
    case 'array':
      return Array.isArray(json) ? json.map((item) => avroDefaultValue(arrayItems(branch), item)) : json;
    case 'map':
      return Object.fromEntries(
        Object.entries(json as Record<string, unknown>).map(([key, value]) => [
          key,
          avroDefaultValue(mapValues(branch), value),
        ]),
      );
    default:
      return json;
  }
}

/** Default value of a field as Connect's `Struct.get` would substitute it for a null. */
export function fieldDefault(field: AvroField): unknown {
  return field.default === undefined ? null : avroDefaultValue(field.type, field.default);
}

/** Element schema of an (optional) array schema. */
export function arrayItems(schema: AvroSchema): AvroSchema {
  return (unwrapOptional(schema).base as AvroComplexSchema).items as AvroSchema;
}

/** Value schema of an (optional) map schema. */
export function mapValues(schema: AvroSchema): AvroSchema {
  return (unwrapOptional(schema).base as AvroComplexSchema).values as AvroSchema;
}
