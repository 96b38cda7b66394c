/**
 * fast-check generators for the differential fuzzer: Avro schemas as Connect sees them (records,
 * optionals in both union orders, defaults, arrays, maps, nested records, timestamp/date/time),
 * values for them (nulls, unicode, extreme and boundary numbers, exact longs beyond 2^53) and whole
 * records (topics, partitions, offsets, timestamps, tombstones, repeated and null headers).
 */
import fc from 'fast-check';
import { normalizeLong } from '../../../src/serde/avro-types.ts';
import type { AvroField, AvroSchema } from '../../../src/transforms/schema.ts';
import type { CaseRecord } from '../support/chain-case.ts';

export type Primitive = 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes';
export type Logical = 'timestamp' | 'date' | 'time';

export type TypeNode =
  | { kind: 'primitive'; primitive: Primitive }
  | { kind: 'logical'; logical: Logical }
  | { kind: 'array'; items: TypeNode }
  | { kind: 'map'; values: TypeNode }
  | { kind: 'record'; fields: FieldNode[] };

export interface FieldNode {
  name: string;
  type: TypeNode;
  /** Avro spelling: required, ["null", T] or [T, "null"]. */
  optional: 'no' | 'null-first' | 'null-last';
  /** A default value (our in-memory form) or undefined for none; null-first fields default to null. */
  default?: unknown;
}

const PRIMITIVES: Primitive[] = ['boolean', 'int', 'long', 'float', 'double', 'string', 'bytes'];
const LOGICALS: Logical[] = ['timestamp', 'date', 'time'];

export const FIELD_NAMES = [
  'a',
  'b',
  'c',
  'id',
  'name',
  'ts',
  'n',
  'x1',
  '_u',
  'Z9',
  'value',
  'payload',
  'when',
];

const fieldName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/) },
);

const leafType: fc.Arbitrary<TypeNode> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...PRIMITIVES)
      .map((primitive) => ({ kind: 'primitive', primitive }) as TypeNode),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...LOGICALS).map((logical) => ({ kind: 'logical', logical }) as TypeNode),
  },
);

export function typeNode(depth: number): fc.Arbitrary<TypeNode> {
  if (depth >= 2) return leafType;
  return fc.oneof(
    { weight: 10, arbitrary: leafType },
    { weight: 1, arbitrary: typeNode(depth + 1).map((items) => ({ kind: 'array', items }) as TypeNode) },
    { weight: 1, arbitrary: typeNode(depth + 1).map((values) => ({ kind: 'map', values }) as TypeNode) },
    { weight: 2, arbitrary: recordNode(depth + 1) },
  );
}

function withDefault(type: TypeNode, optional: FieldNode['optional']): fc.Arbitrary<unknown> {
  const simple = type.kind === 'primitive' || type.kind === 'logical';
  if (optional === 'null-first') return fc.constant(null);
  // Avro requires a default on a [T, "null"] field's first branch to be a T; records get none here
  // (Connect cannot take a struct default through the harness's JSON form).
  if (!simple) return fc.constant(undefined);
  const value = valueFor(type, { defaults: true });
  return optional === 'null-last' ? value : fc.option(value, { freq: 4, nil: undefined });
}

function fieldNode(depth: number, name: string): fc.Arbitrary<FieldNode> {
  return fc
    .record({
      type: typeNode(depth),
      optional: fc.constantFrom<FieldNode['optional']>(
        'no',
        'no',
        'no',
        'null-first',
        'null-first',
        'null-last',
      ),
    })
    .chain(({ type, optional }) =>
      withDefault(type, optional).map(
        (defaultValue) => ({ name, type, optional, default: defaultValue }) as FieldNode,
      ),
    );
}

export function recordNode(depth: number): fc.Arbitrary<TypeNode> {
  return fc
    .uniqueArray(fieldName, { minLength: 1, maxLength: depth === 0 ? 6 : 3 })
    .chain((names) => fc.tuple(...names.map((name) => fieldNode(depth, name))))
    .map((fields) => ({ kind: 'record', fields }) as TypeNode);
}

// --- Avro schema ----------------------------------------------------------------------------------

/** Avro JSON default for an in-memory value (bytes defaults are ISO-8859-1 strings in Avro). */
function avroDefaultJson(type: TypeNode, value: unknown): unknown {
  if (value === null) return null;
  if (type.kind === 'primitive' && type.primitive === 'bytes') return (value as Buffer).toString('latin1');
  return value;
}

/** The Avro schema of a type tree; records are named R0, R1, ... in namespace fz (the top one `top`). */
export function toAvroSchema(root: TypeNode, top = 'Top'): AvroSchema {
  let counter = 0;
  const convert = (node: TypeNode, name?: string): AvroSchema => {
    switch (node.kind) {
      case 'primitive':
        return node.primitive;
      case 'logical':
        return node.logical === 'timestamp'
          ? { type: 'long', logicalType: 'timestamp-millis' }
          : node.logical === 'date'
            ? { type: 'int', logicalType: 'date' }
            : { type: 'int', logicalType: 'time-millis' };
      case 'array':
        return { type: 'array', items: convert(node.items) };
      case 'map':
        return { type: 'map', values: convert(node.values) };
      case 'record':
        return {
          type: 'record',
          name: name ?? `R${counter++}`,
          namespace: 'fz',
          fields: node.fields.map((field): AvroField => {
            const base = convert(field.type);
            const type: AvroSchema =
              field.optional === 'null-first'
                ? ['null', base]
                : field.optional === 'null-last'
                  ? [base, 'null']
                  : base;
            const out: AvroField = { name: field.name, type };
            if (field.default !== undefined) out.default = avroDefaultJson(field.type, field.default);
            return out;
          }),
        };
    }
  };
  return convert(root, top);
}

// --- values ---------------------------------------------------------------------------------------

const INT_EDGES = [
  0, 1, -1, 127, 128, -128, -129, 255, 32767, 32768, -32768, -32769, 2147483647, -2147483648,
];
const LONG_EDGES: Array<number | bigint> = [
  0,
  -1,
  1_709_214_300_000,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2n ** 53n,
  -(2n ** 53n) - 1n,
  1_234_567_890_123_456_789n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2147483648,
  -2147483649,
];
const DOUBLE_EDGES = [
  0,
  -0,
  0.1,
  1.5,
  -2.5,
  1e7,
  1e-3,
  9.999e-4,
  1e21,
  123456789.125,
  2 ** 53,
  1e308,
  5e-324,
  0.3,
];
export const NUMERIC_TEXT = [
  '',
  ' ',
  '0',
  '42',
  '-7',
  '+5',
  '007',
  ' 7 ',
  '1.5',
  '1.50',
  '9.5',
  '-0',
  '1e3',
  '1E3',
  '1e-3',
  '.5',
  '5.',
  '0x1p3',
  '0x10',
  '1e400',
  'NaN',
  '-Infinity',
  'Infinity',
  '1f',
  '2d',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '2147483648',
  '٣',
  '１２',
  'true',
  'TRUE',
  'false',
  'yes',
  'null',
];
const TEXT_EDGES = [
  ...NUMERIC_TEXT,
  'x',
  'ses-events',
  'Ünïcødé',
  '日本語',
  '😀',
  'a"b\\c',
  '[1, 2 ,3]',
  '{a:1}',
  '{"a":1}',
  '2024-02-29',
  '12:30:00.000Z',
  '2024-02-29T13:45:00.000Z',
  '99',
  '31/12/1999 23:59',
];

export const textValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TEXT_EDGES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 10 }) },
);

const longValue: fc.Arbitrary<number | bigint> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -100_000, max: 100_000 }) },
  { weight: 2, arbitrary: fc.constantFrom(...LONG_EDGES) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(normalizeLong) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
);

export const timestampValue: fc.Arbitrary<number | bigint> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<number | bigint>(
      0,
      -1,
      1,
      86_400_000,
      86_399_999,
      1_709_214_300_000,
      951_782_400_000,
      253_402_300_799_999,
      -62_135_596_800_000,
      -12_219_292_800_001,
      -12_219_292_800_000,
      8_640_000_000_000_000,
      -8_640_000_000_000_000,
      2n ** 63n - 1n,
      -(2n ** 63n),
    ),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(normalizeLong) },
);

export interface ValueOptions {
  /** Defaults must be JSON: no NaN/Infinity, no longs beyond 2^53. */
  defaults?: boolean;
}

export function valueFor(node: TypeNode, options: ValueOptions = {}): fc.Arbitrary<unknown> {
  switch (node.kind) {
    case 'primitive':
      switch (node.primitive) {
        case 'boolean':
          return fc.boolean();
        case 'int':
          return fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(...INT_EDGES), fc.integer());
        case 'long':
          return options.defaults ? fc.integer({ min: -100_000, max: 100_000 }) : longValue;
        case 'float':
          return options.defaults
            ? fc.float({ noDefaultInfinity: true, noNaN: true })
            : fc.oneof(fc.float(), fc.constantFrom(...DOUBLE_EDGES.map(Math.fround)));
        case 'double':
          return options.defaults
            ? fc.double({ noDefaultInfinity: true, noNaN: true })
            : fc.oneof(fc.double(), fc.constantFrom(...DOUBLE_EDGES));
        case 'string':
          return textValue;
        case 'bytes':
          return fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes));
      }
      break;
    case 'logical':
      switch (node.logical) {
        case 'timestamp':
          return options.defaults ? fc.integer({ min: -2e12, max: 4e12 }) : timestampValue;
        case 'date':
          return fc.oneof(
            fc.integer({ min: -800_000, max: 3_000_000 }),
            fc.constantFrom(0, -1, 1, 19_782, 2 ** 31 - 1, -(2 ** 31), -141_428, -141_427),
          );
        case 'time':
          return fc.oneof(
            fc.integer({ min: 0, max: 86_399_999 }),
            fc.constantFrom(0, 86_399_999, 43_200_000),
          );
      }
      break;
    case 'array':
      return fc.array(valueFor(node.items, options), { maxLength: 3 });
    case 'map':
      return fc
        .uniqueArray(
          fc.tuple(fc.constantFrom('k', 'a', 'b', 'x y', 'ü', '1'), valueFor(node.values, options)),
          {
            maxLength: 3,
            selector: ([key]) => key,
          },
        )
        .map((entries) => Object.fromEntries(entries));
    case 'record':
      return fc
        .tuple(
          ...node.fields.map((field) => {
            const value = valueFor(field.type, options);
            return field.optional === 'no' ? value : fc.option(value, { freq: 3, nil: null });
          }),
        )
        .map((values) => Object.fromEntries(node.fields.map((field, index) => [field.name, values[index]])));
  }
  throw new Error('unreachable');
}

// --- records --------------------------------------------------------------------------------------

export const HEADER_NAMES = ['h', 'a', 'b', 'source', 'x-y', 'skip', 'Ü'];
export const TOPICS = [
  'ses-events',
  'orders',
  'a.b',
  't_1',
  'TOPIC',
  'ses-events-2024',
  'prod.ses',
  'bounces',
];

export const topicName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TOPICS) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/) },
);

const recordTimestamp: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      1_709_214_300_000,
      0,
      -1,
      86_400_000,
      951_782_400_000,
      1_704_067_199_999,
      1_704_067_200_000,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, 8_640_000_000_000_000, -62_198_755_200_000, -12_219_292_800_001),
  },
);

const header = fc.record({
  key: fc.constantFrom(...HEADER_NAMES),
  value: fc.option(textValue, { freq: 6, nil: null }),
});

export interface RecordShapes {
  key: TypeNode;
  value: TypeNode;
}

export function caseRecord(shapes: RecordShapes): fc.Arbitrary<CaseRecord> {
  return fc.record({
    topic: topicName,
    partition: fc.integer({ min: 0, max: 5 }),
    offset: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(2 ** 31 + 5)),
    timestamp: recordTimestamp,
    key: fc.option(valueFor(shapes.key), { freq: 12, nil: null }),
    // A tombstone now and then: every SMT's null path is part of the contract.
    value: fc.option(valueFor(shapes.value), { freq: 10, nil: null }),
    headers: fc.array(header, { maxLength: 3 }),
  });
}

export function caseRecords(shapes: RecordShapes): fc.Arbitrary<CaseRecord[]> {
  return fc.array(caseRecord(shapes), { minLength: 1, maxLength: 3 });
}

export const keyType: fc.Arbitrary<TypeNode> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<TypeNode>({ kind: 'primitive', primitive: 'string' }) },
  { weight: 3, arbitrary: recordNode(1) },
  { weight: 1, arbitrary: leafType },
);

/** Fields of a record type node (empty for any other node). */
export function fieldsOf(node: TypeNode): FieldNode[] {
  return node.kind === 'record' ? node.fields : [];
}
