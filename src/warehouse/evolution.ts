/**
 * Schema evolution into the tables. The fixed columns (model.ts) come from the fields the row mapping
 * knows. A top-level field that a newer writer schema adds, and that the mapping does not know, gets a
 * column of its own, named in snake_case and typed from its Avro type:
 *
 * - string, enum, uuid -> text; int, long -> bigint (so a later int -> long promotion still fits);
 *   float, double -> double; boolean -> boolean; timestamp-millis/-micros -> timestamp; date -> date;
 *   bytes, fixed -> text (base64); record, array, map, a union of several types -> json.
 * - The column appears in the SQL tables (ALTER TABLE ... ADD COLUMN) and in Parquet files written from
 *   then on, the first time a record of that writer schema is loaded; no restart, old rows keep NULL.
 * - A field removed or renamed later keeps its column, which is NULL for newer rows.
 * - A field whose column name is taken by a fixed column is not given one (it stays in raw_value), and
 *   nested fields (mail.newThing) are only in raw_value: the fixed model owns the nested records.
 * - A column keeps the type it was created with; a value that does not fit it is stored as NULL.
 */
import type { AvroSchemaInput } from '../serde/avro-types.ts';
import type { Cell, ColumnType, ExtraColumn } from './model.ts';
import { EVENT_COLUMNS } from './model.ts';

/** The base schema's top-level fields: the row mapping reads these (and their flattened forms). */
export const MAPPED_TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set([
  'eventId',
  'eventType',
  'eventTime',
  'format',
  'mail',
  'bounce',
  'complaint',
  'delivery',
  'send',
  'reject',
  'open',
  'click',
  'failure',
  'deliveryDelay',
  'subscription',
  'metadata',
  'source',
  'unknownFieldsJson',
]);

/** How to read one extra field out of a decoded value. */
export interface ExtraField {
  column: ExtraColumn;
  read(value: unknown): Cell;
}

export interface SchemaExtras {
  fields: readonly ExtraField[];
  /** Fields that would have had a column but whose name a fixed column already has. */
  skipped: readonly string[];
  /** The schema holds bytes or fixed values, which decode as Buffers and need converting for JSON. */
  hasBinary: boolean;
}

const NO_EXTRAS: SchemaExtras = { fields: [], skipped: [], hasBinary: false };
const MAX_IDENTIFIER_LENGTH = 63;

/** eventId -> event_id, unknownFieldsJson -> unknown_fields_json, HTTPCode -> http_code. */
export function columnNameFor(field: string): string {
  const snake = field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const safe = /^[a-z_]/.test(snake) ? snake : `f_${snake}`;
  return safe.slice(0, MAX_IDENTIFIER_LENGTH);
}

/** A flattened field (Flatten with delimiter _ or .) of a mapped record counts as mapped. */
function isMapped(field: string): boolean {
  if (MAPPED_TOP_LEVEL_FIELDS.has(field)) return true;
  const head = /^([^_.]+)[_.]/.exec(field)?.[1];
  return head !== undefined && MAPPED_TOP_LEVEL_FIELDS.has(head);
}

type AvroJson = string | AvroJson[] | { type?: unknown; logicalType?: unknown; [key: string]: unknown };

interface TypeShape {
  column: ColumnType;
  timestampDivisor?: number;
  binary?: boolean;
}

const PRIMITIVES: Readonly<Record<string, TypeShape>> = {
  string: { column: 'text' },
  int: { column: 'bigint' },
  long: { column: 'bigint' },
  float: { column: 'double' },
  double: { column: 'double' },
  boolean: { column: 'boolean' },
  bytes: { column: 'text', binary: true },
};

/** Named types defined anywhere in the schema, so a reference by name can be resolved. */
function collectNamedTypes(schema: AvroJson, names: Map<string, AvroJson>, namespace?: string): void {
  if (Array.isArray(schema)) {
    for (const branch of schema) collectNamedTypes(branch, names, namespace);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const ownNamespace = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  if (typeof schema.name === 'string' && ['record', 'enum', 'fixed', 'error'].includes(String(schema.type))) {
    const short = schema.name.includes('.')
      ? schema.name.slice(schema.name.lastIndexOf('.') + 1)
      : schema.name;
    names.set(short, schema);
    names.set(
      schema.name.includes('.') ? schema.name : `${ownNamespace ? `${ownNamespace}.` : ''}${schema.name}`,
      schema,
    );
  }
  if (Array.isArray(schema.fields)) {
    for (const field of schema.fields as Array<{ type?: AvroJson }>) {
      if (field.type !== undefined) collectNamedTypes(field.type, names, ownNamespace);
    }
  }
  for (const key of ['items', 'values', 'type'] as const) {
    const inner = schema[key];
    if (inner !== undefined && typeof inner === 'object')
      collectNamedTypes(inner as AvroJson, names, ownNamespace);
  }
}

function shapeOf(type: AvroJson, names: Map<string, AvroJson>, depth = 0): TypeShape | undefined {
  if (depth > 20) return { column: 'json' };
  if (typeof type === 'string') {
    if (type === 'null') return undefined;
    const primitive = PRIMITIVES[type];
    if (primitive) return primitive;
    const named = names.get(type) ?? names.get(type.slice(type.lastIndexOf('.') + 1));
    return named === undefined ? { column: 'json' } : shapeOf(named, names, depth + 1);
  }
  if (Array.isArray(type)) {
    const branches = type.filter((branch) => branch !== 'null');
    if (branches.length === 1) return shapeOf(branches[0] as AvroJson, names, depth + 1);
    return { column: 'json', binary: branches.some((branch) => shapeOf(branch, names, depth + 1)?.binary) };
  }
  const logical = type.logicalType;
  if (logical === 'timestamp-millis' || logical === 'local-timestamp-millis') {
    return { column: 'timestamp', timestampDivisor: 1 };
  }
  if (logical === 'timestamp-micros' || logical === 'local-timestamp-micros') {
    return { column: 'timestamp', timestampDivisor: 1000 };
  }
  if (logical === 'date' && type.type === 'int') return { column: 'date' };
  switch (type.type) {
    case 'record':
    case 'error':
    case 'array':
    case 'map':
      return { column: 'json', binary: JSON.stringify(type).match(/"(bytes|fixed)"/) !== null };
    case 'enum':
      return { column: 'text' };
    case 'fixed':
      return { column: 'text', binary: true };
    default:
      return typeof type.type === 'string' || Array.isArray(type.type) || typeof type.type === 'object'
        ? shapeOf(type.type as AvroJson, names, depth + 1)
        : { column: 'json' };
  }
}

const DAY_MS = 86_400_000;

/** Reads a decoded value into a cell of this column's type; a value that does not fit becomes NULL. */
export function cellReader(shape: TypeShape): (value: unknown) => Cell {
  switch (shape.column) {
    case 'text':
      return (value) => {
        if (typeof value === 'string') return value;
        if (Buffer.isBuffer(value)) return value.toString('base64');
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
          return String(value);
        return null;
      };
    case 'integer':
    case 'bigint':
      return (value) =>
        typeof value === 'number' && Number.isFinite(value)
          ? Math.trunc(value)
          : typeof value === 'bigint'
            ? Number(value)
            : null;
    case 'double':
      return (value) => (typeof value === 'number' ? value : null);
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? value : null);
    case 'timestamp': {
      const divisor = shape.timestampDivisor ?? 1;
      return (value) => {
        const raw = typeof value === 'bigint' ? Number(value) : value;
        if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
        if (typeof raw !== 'number' || !Number.isFinite(raw)) return null;
        const date = new Date(Math.floor(raw / divisor));
        return Number.isNaN(date.getTime()) ? null : date.toISOString();
      };
    }
    case 'date':
      return (value) =>
        typeof value === 'number' && Number.isInteger(value)
          ? new Date(value * DAY_MS).toISOString().slice(0, 10)
          : null;
    case 'json':
    case 'document':
      return (value) => (value === undefined ? null : (jsonSafe(value) as Cell));
  }
}

/** A copy of `value` that JSON.stringify renders faithfully: Buffers as base64 text, bigints as digits. */
export function jsonSafe(value: unknown): unknown {
  if (value === null || typeof value !== 'object')
    return typeof value === 'bigint' ? value.toString() : value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value instanceof Date) return value.toISOString();
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = jsonSafe((value as Record<string, unknown>)[key]);
  return copy;
}

const byText = new Map<string, SchemaExtras>();
const byObject = new WeakMap<object, SchemaExtras>();

function analyse(schema: AvroJson): SchemaExtras {
  if (typeof schema !== 'object' || Array.isArray(schema) || !Array.isArray(schema.fields)) return NO_EXTRAS;
  const names = new Map<string, AvroJson>();
  collectNamedTypes(schema, names);
  const fields: ExtraField[] = [];
  const skipped: string[] = [];
  for (const field of schema.fields as Array<{ name?: unknown; type?: AvroJson }>) {
    if (typeof field.name !== 'string' || field.type === undefined || isMapped(field.name)) continue;
    const shape = shapeOf(field.type, names);
    if (shape === undefined) continue;
    const name = columnNameFor(field.name);
    if (name in EVENT_COLUMNS) {
      skipped.push(field.name);
      continue;
    }
    const read = cellReader(shape);
    const fieldName = field.name;
    fields.push({
      column: { field: fieldName, name, type: shape.column },
      read: (value) => read((value as Record<string, unknown>)[fieldName]),
    });
  }
  const definition = JSON.stringify(schema);
  return { fields, skipped, hasBinary: /"(bytes|fixed)"/.test(definition) };
}

/** The extra columns a schema (writer's, or the reader schema records were resolved into) brings. */
export function schemaExtras(schema: AvroSchemaInput): SchemaExtras {
  if (typeof schema === 'string') {
    let known = byText.get(schema);
    if (known === undefined) {
      let parsed: AvroJson;
      try {
        parsed = JSON.parse(schema) as AvroJson;
      } catch {
        return NO_EXTRAS;
      }
      known = analyse(parsed);
      byText.set(schema, known);
    }
    return known;
  }
  let known = byObject.get(schema);
  if (known === undefined) {
    known = analyse(schema as AvroJson);
    byObject.set(schema, known);
  }
  return known;
}

/** Every distinct extra column in `columns`, first occurrence wins (a column keeps its first type). */
export function mergeExtraColumns(...lists: ReadonlyArray<readonly ExtraColumn[]>): ExtraColumn[] {
  const merged = new Map<string, ExtraColumn>();
  for (const list of lists)
    for (const column of list) if (!merged.has(column.name)) merged.set(column.name, column);
  return [...merged.values()];
}

/**
 * A cell read for `from` stored in a column created as `to` (an earlier version of the field had
 * another type, e.g. int promoted to double). Values that do not fit become NULL.
 */
export function coerceCell(cell: Cell, from: ColumnType, to: ColumnType): Cell {
  if (cell === null || from === to) return cell;
  switch (to) {
    case 'json':
    case 'document':
      return cell;
    case 'text':
      return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
    case 'integer':
    case 'bigint': {
      const number = typeof cell === 'string' && cell.trim() !== '' ? Number(cell) : cell;
      return typeof number === 'number' && Number.isInteger(number) ? number : null;
    }
    case 'double': {
      const number = typeof cell === 'string' && cell.trim() !== '' ? Number(cell) : cell;
      return typeof number === 'number' && Number.isFinite(number) ? number : null;
    }
    case 'boolean':
      return typeof cell === 'boolean' ? cell : null;
    case 'timestamp':
      return typeof cell === 'string' && !Number.isNaN(Date.parse(cell)) ? cell : null;
    case 'date':
      return typeof cell === 'string' && /^\d{4}-\d{2}-\d{2}/.test(cell) ? cell.slice(0, 10) : null;
  }
}
