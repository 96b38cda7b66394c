/**
 * The one text of an Avro schema that this project ever sends to a registry or compares: the form Avro
 * Java's `Schema.toString()` prints. That is what the AWS Glue Java serde and Confluent's Java
 * serializer send, so a Java producer and this one register and look up the same text, and a
 * registry that compares definitions as text (Apicurio, moto, Glue without normalising) finds one
 * schema, not one per spelling.
 *
 * Why not Avro's Parsing Canonical Form: it drops `default`, `doc`, `aliases` and logical types, so a
 * registry holding it could no longer check BACKWARD compatibility (defaults are what make a new field
 * readable) and readers would lose the logical types. The fingerprint of the Parsing Canonical Form is
 * still what `AvroTypeCache` uses to tell whether two texts are the same schema.
 *
 * The rules, as Avro Java 1.11 applies them (checked against Avro Java itself by
 * test/interop/schema-text.test.ts, on generated schemas):
 * - a primitive without extra attributes is its bare name ("string"); with attributes (logicalType…),
 *   an object whose first key is "type", then the attributes in their original order;
 * - a named type (record, error, enum, fixed) is defined at its first occurrence and referenced by name
 *   afterwards; the reference is the short name when its namespace is the enclosing one, else the full
 *   name; a definition writes "namespace" only when it differs from the enclosing namespace
 *   ("namespace": "" for a null namespace inside a non-null one);
 * - keys in a fixed order: record `type, name, namespace, doc, fields, <attributes>, aliases`; field
 *   `name, type, doc, default, order (unless ascending), aliases, <attributes>`; enum `type, name,
 *   namespace, doc, symbols, default, <attributes>, aliases`; fixed `type, name, namespace, doc, size,
 *   <attributes>, aliases`; array `type, items, <attributes>`; map `type, values, <attributes>`;
 * - no whitespace; strings escaped as Jackson does (short escapes for \b \f \n \r \t, otherwise
 *   \u00XX with upper-case hex for control characters; nothing else escaped).
 *
 * Known limit: JSON numbers are JavaScript numbers here, so a float default spelled `1.0` prints `1`
 * (Java keeps `1.0`). Both spellings mean the same schema to every registry that normalises, and this
 * project never writes such a default itself.
 */
import { PipelineError } from '../errors.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/** Keys that Avro Java gives a meaning of its own; every other key is an attribute kept as written. */
const SCHEMA_RESERVED = new Set([
  'doc',
  'fields',
  'items',
  'name',
  'namespace',
  'size',
  'symbols',
  'values',
  'type',
  'aliases',
]);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

interface FullName {
  name: string;
  /** null: no namespace. */
  space: string | null;
}

function fullNameOf(name: string, space: string | null): FullName {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) return { name: name.slice(dot + 1), space: name.slice(0, dot) || null };
  return { name, space: space === '' ? null : space };
}

function full(name: FullName): string {
  return name.space === null ? name.name : `${name.space}.${name.name}`;
}

/** Avro Java's Name.getQualified: the short name inside its own namespace, the full name elsewhere. */
function qualified(name: FullName, currentSpace: string | null): string {
  return name.space === null || name.space === currentSpace ? name.name : full(name);
}

function invalid(message: string): PipelineError {
  return new PipelineError('serialize', 'SERDE_INVALID_SCHEMA', `schema: ${message}`);
}

/** Jackson's string escaping: the short forms it uses, \u00XX (upper-case hex) for other controls. */
function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += '\\\\';
    else if (code >= 0x20) out += text[i];
    else if (code === 0x08) out += '\\b';
    else if (code === 0x09) out += '\\t';
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0c) out += '\\f';
    else if (code === 0x0d) out += '\\r';
    else out += `\\u00${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${out}"`;
}

function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON as Jackson writes a tree; `sorted` orders object keys, for identity comparisons. */
function jsonValue(value: Json, sorted = false): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => jsonValue(item, sorted)).join(',')}]`;
  const entries = Object.entries(value);
  if (sorted) entries.sort(byKey);
  return `{${entries.map(([key, item]) => `${quote(key)}:${jsonValue(item, sorted)}`).join(',')}}`;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Writer {
  /** Named types defined so far, by full name. */
  private readonly defined = new Set<string>();

  /** True: attributes in key order, so attribute order is no part of a schema's identity. */
  constructor(private readonly sortAttributes: boolean) {}

  write(schema: Json, space: string | null): string {
    if (typeof schema === 'string') return this.reference(schema, space);
    if (Array.isArray(schema)) return `[${schema.map((branch) => this.write(branch, space)).join(',')}]`;
    if (!isObject(schema))
      throw invalid(`expected a type name, an object or a union, got ${jsonValue(schema)}`);
    const type = schema.type;
    if (typeof type !== 'string') {
      // {"type": {...}} or {"type": [...]}: Avro Java reads the inner schema and drops the wrapper.
      if (type === undefined) throw invalid('an object schema needs a "type"');
      return this.write(type, space);
    }
    if (NAMED.has(type)) return this.named(schema, type, space);
    if (type === 'array') return this.container(schema, 'items', space);
    if (type === 'map') return this.container(schema, 'values', space);
    if (PRIMITIVES.has(type)) {
      const attributes = this.attributes(schema, SCHEMA_RESERVED);
      return attributes === '' ? quote(type) : `{"type":${quote(type)}${attributes}}`;
    }
    // {"type": "SomeRecord"}: a reference to a named type, written like one.
    return this.reference(type, space);
  }

  private reference(name: string, space: string | null): string {
    if (PRIMITIVES.has(name)) return quote(name);
    // Avro Java looks a short name up in the enclosing namespace first, then in the null namespace.
    let target = fullNameOf(name, space);
    if (!this.defined.has(full(target)) && target.space !== null && !name.includes('.')) {
      target = { name, space: null };
    }
    if (!this.defined.has(full(target))) throw invalid(`unknown type "${name}"`);
    return quote(qualified(target, space));
  }

  private attributes(schema: JsonObject, reserved: ReadonlySet<string>): string {
    let out = '';
    const entries = Object.entries(schema).filter(([key]) => !reserved.has(key));
    if (this.sortAttributes) entries.sort(byKey);
    for (const [key, value] of entries) out += `,${quote(key)}:${jsonValue(value, this.sortAttributes)}`;
    return out;
  }

  private container(schema: JsonObject, key: 'items' | 'values', space: string | null): string {
    const inner = schema[key];
    if (inner === undefined) throw invalid(`a ${String(schema.type)} needs "${key}"`);
    return `{"type":${quote(String(schema.type))},"${key}":${this.write(inner, space)}${this.attributes(schema, SCHEMA_RESERVED)}}`;
  }

  private nameAndNamespace(name: FullName, space: string | null): string {
    let out = `,"name":${quote(name.name)}`;
    if (name.space !== null) {
      if (name.space !== space) out += `,"namespace":${quote(name.space)}`;
    } else if (space !== null) {
      out += ',"namespace":""';
    }
    return out;
  }

  private aliases(aliases: Json | undefined, name: FullName): string {
    if (!Array.isArray(aliases) || aliases.length === 0) return '';
    const written = aliases.map((alias) =>
      quote(qualified(fullNameOf(String(alias), name.space), name.space)),
    );
    return `,"aliases":[${[...new Set(written)].join(',')}]`;
  }

  private named(schema: JsonObject, type: string, space: string | null): string {
    if (typeof schema.name !== 'string') throw invalid(`a ${type} needs a "name"`);
    const declaredSpace = typeof schema.namespace === 'string' ? schema.namespace : space;
    const name = fullNameOf(schema.name, declaredSpace);
    const key = full(name);
    if (this.defined.has(key)) throw invalid(`type "${key}" is defined twice`);
    this.defined.add(key);
    const doc = typeof schema.doc === 'string' ? `,"doc":${quote(schema.doc)}` : '';
    let out = `{"type":${quote(type)}${this.nameAndNamespace(name, space)}${doc}`;
    switch (type) {
      case 'record':
      case 'error': {
        const fields = Array.isArray(schema.fields) ? schema.fields : [];
        out += `,"fields":[${fields.map((field) => this.field(field, name.space)).join(',')}]`;
        out += this.attributes(schema, SCHEMA_RESERVED);
        break;
      }
      case 'enum': {
        const symbols = Array.isArray(schema.symbols) ? schema.symbols : [];
        out += `,"symbols":[${symbols.map((symbol) => quote(String(symbol))).join(',')}]`;
        if (typeof schema.default === 'string') out += `,"default":${quote(schema.default)}`;
        out += this.attributes(schema, ENUM_RESERVED);
        break;
      }
      default:
        out += `,"size":${jsonValue(schema.size ?? null)}${this.attributes(schema, SCHEMA_RESERVED)}`;
    }
    return `${out}${this.aliases(schema.aliases, name)}}`;
  }

  private field(field: Json, space: string | null): string {
    if (!isObject(field) || typeof field.name !== 'string') throw invalid('every field needs a "name"');
    if (field.type === undefined) throw invalid(`field "${field.name}" needs a "type"`);
    let out = `{"name":${quote(field.name)},"type":${this.write(field.type, space)}`;
    if (typeof field.doc === 'string') out += `,"doc":${quote(field.doc)}`;
    if (field.default !== undefined) out += `,"default":${jsonValue(field.default, this.sortAttributes)}`;
    if (typeof field.order === 'string' && field.order !== 'ascending')
      out += `,"order":${quote(field.order)}`;
    if (Array.isArray(field.aliases) && field.aliases.length > 0) {
      out += `,"aliases":[${field.aliases.map((alias) => quote(String(alias))).join(',')}]`;
    }
    return `${out}${this.attributes(field, FIELD_RESERVED)}}`;
  }
}

function parse(schema: object | string): Json {
  if (typeof schema !== 'string') return schema as Json;
  try {
    return JSON.parse(schema) as Json;
  } catch (error) {
    throw invalid(`not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The text to register and look up for `schema` (parsed JSON or JSON text): exactly what Avro Java's
 * Schema.toString() prints for it. Whitespace, the order of Avro's own keys, and short or full names
 * make no difference; custom attributes (logicalType, connect.*, …) keep their order, as in Java.
 */
export function schemaText(schema: object | string): string {
  return new Writer(false).write(parse(schema), null);
}

/**
 * A key that is equal for two schemas exactly when they are the same schema however spelled, custom
 * attribute order included. Used to compare what a registry holds with what we would register.
 */
export function schemaIdentity(schema: object | string): string {
  return new Writer(true).write(parse(schema), null);
}

/** Whether two schema texts (or parsed schemas) are the same schema, however each is spelled. */
export function sameSchema(a: object | string, b: object | string): boolean {
  try {
    return schemaIdentity(a) === schemaIdentity(b);
  } catch {
    return false;
  }
}
