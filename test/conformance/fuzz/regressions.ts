/**
 * Named regression cases: one for each class of difference the issue listed or the differential fuzzer
 * found (shrunk, then written out by hand so each says what it checks). Every case runs through Kafka
 * Connect's own classes and ours; a case naming a deliberate difference must show exactly that one.
 */

import type { AvroSchema } from '../../../src/transforms/schema.ts';
import type { CaseRecord } from '../support/chain-case.ts';
import type { FuzzCase } from './families.ts';

export interface Regression {
  name: string;
  fuzzCase: FuzzCase;
  /** The deliberate difference (support/deliberate.ts) this case shows, if any. */
  deliberate?: string;
}

const T = 'org.apache.kafka.connect.transforms.';

function one(type: string, props: Record<string, string>): Record<string, string> {
  const config: Record<string, string> = { transforms: 't', 'transforms.t.type': `${T}${type}` };
  for (const [key, value] of Object.entries(props)) config[`transforms.t.${key}`] = value;
  return config;
}

function record(value: unknown, extra: Partial<CaseRecord> = {}): CaseRecord {
  return {
    topic: 'ses-events',
    partition: 0,
    offset: 7,
    timestamp: 1_709_214_300_000,
    key: 'k',
    value,
    headers: [],
    ...extra,
  };
}

function chain(
  config: Record<string, string>,
  valueSchema: AvroSchema,
  records: CaseRecord[],
  keySchema: AvroSchema = 'string',
): FuzzCase {
  return { kind: 'chain', case: { config, keySchema, valueSchema, records } };
}

function recordSchema(fields: Array<{ name: string; type: AvroSchema; default?: unknown }>): AvroSchema {
  return { type: 'record', name: 'Event', namespace: 'regression', fields };
}

const TIMESTAMP: AvroSchema = { type: 'long', logicalType: 'timestamp-millis' };
const DATE: AvroSchema = { type: 'int', logicalType: 'date' };

export const REGRESSIONS: Regression[] = [
  // --- Java regular expressions (issue) ---
  {
    name: 'regex: \\p{Lower} matches lower-case letters (it never matched before)',
    fuzzCase: { kind: 'regex', pattern: '\\p{Lower}+', inputs: ['abc', 'aBc', 'é'] },
  },
  {
    name: 'TopicNameMatches: the inline flag (?i) is honoured, not refused',
    fuzzCase: chain(
      {
        ...one('Filter', { predicate: 'p' }),
        predicates: 'p',
        'predicates.p.type': 'TopicNameMatches',
        'predicates.p.pattern': '(?i)ORDERS',
      },
      'string',
      [record('a', { topic: 'orders' }), record('b', { topic: 'ORDERS' }), record('c', { topic: 'orders2' })],
    ),
  },
  {
    name: 'regex: possessive quantifiers and atomic groups never give back',
    fuzzCase: { kind: 'regex', pattern: '(?:a++b|(?>x|xy)z)', inputs: ['aab', 'xyz', 'xz', 'ab'] },
  },
  {
    name: 'RegexRouter: \\Q..\\E quotes and $1 takes the rest',
    fuzzCase: chain(one('RegexRouter', { regex: '\\Qses.\\E(.*)', replacement: 'archive-$1' }), 'string', [
      record('a', { topic: 'ses.events' }),
      record('b', { topic: 'sesXevents' }),
    ]),
  },
  {
    name: 'regex: a backreference to a group the pattern never defines never matches',
    fuzzCase: { kind: 'regex', pattern: '\\2|a', inputs: ['a', ''] },
  },
  {
    name: 'regex: a repeated group that can match empty is refused by name (Java and JavaScript repeat it differently)',
    fuzzCase: { kind: 'regex', pattern: '(a*)+b', inputs: ['aab'] },
    deliberate: 'regex-unsupported',
  },
  {
    name: 'regex: \\R repeated never backs off inside an iteration (Java Curly)',
    fuzzCase: { kind: 'regex', pattern: '(?:\\R{2}|x)', inputs: ['\r\n', '\n\n', 'x'] },
  },
  {
    name: 'regex: \\R alone backs off from \\r\\n to \\r',
    fuzzCase: { kind: 'regex', pattern: '\\R\\n', inputs: ['\r\n'] },
  },
  {
    name: 'regex: each iteration of a possessive repeat is atomic',
    fuzzCase: { kind: 'regex', pattern: '(?:#{2,}){2}+', inputs: ['########', '####'] },
  },
  {
    name: 'regex: a lazy unbounded repeat in a lookbehind compiles, as in Java',
    fuzzCase: { kind: 'regex', pattern: 'x(?<!\\H*?)', inputs: ['x'] },
  },
  {
    name: 'regex: a capture that sits out a later iteration keeps Java semantics or is refused in the replacement',
    fuzzCase: { kind: 'regex', pattern: '(?:(_)|x)+', inputs: ['_x'], replacement: '<$1>' },
    deliberate: 'regex-unsupported',
  },

  // --- exact int64 (issue) ---
  {
    name: 'Cast: "1234567890123456789" to int64 stays exact',
    fuzzCase: chain(one('Cast$Value', { spec: 'n:int64' }), recordSchema([{ name: 'n', type: 'string' }]), [
      record({ n: '1234567890123456789' }),
      record({ n: '-9223372036854775808' }),
    ]),
  },
  {
    name: 'Cast: a double beyond the long range saturates at Long.MAX_VALUE exactly',
    fuzzCase: chain(one('Cast$Value', { spec: 'n:int64' }), recordSchema([{ name: 'n', type: 'double' }]), [
      record({ n: 1e20 }),
      record({ n: -1e30 }),
    ]),
  },
  {
    name: 'TimestampConverter: Timestamp to unix nanoseconds beyond 2^53, and back from microseconds',
    fuzzCase: chain(
      {
        transforms: 'ns,us',
        'transforms.ns.type': `${T}TimestampConverter$Value`,
        'transforms.ns.field': 'at',
        'transforms.ns.target.type': 'unix',
        'transforms.ns.unix.precision': 'nanoseconds',
        'transforms.us.type': `${T}TimestampConverter$Value`,
        'transforms.us.field': 'micros',
        'transforms.us.target.type': 'Timestamp',
        'transforms.us.unix.precision': 'microseconds',
      },
      recordSchema([
        { name: 'at', type: TIMESTAMP },
        { name: 'micros', type: 'long' },
      ]),
      [
        record({ at: 1_709_214_300_123, micros: 1_709_214_300_123_456_789n }),
        record({ at: 9_223_372_036_854, micros: -1 }),
      ],
    ),
  },
  {
    name: 'InsertField: an offset beyond 2^31 into an int64 field',
    fuzzCase: chain(
      one('InsertField$Value', { 'offset.field': 'offset' }),
      recordSchema([{ name: 'a', type: 'int' }]),
      [record({ a: 1 }, { offset: 2 ** 31 + 5 })],
    ),
  },

  // --- SimpleDateFormat (issue) ---
  {
    name: 'SimpleDateFormat: the two-digit-year pivot (yy 99 is 1999, 30 is 2030)',
    fuzzCase: { kind: 'dateFormat', pattern: 'yy', format: [0], parse: ['99', '30', '00', '5', '123'] },
  },
  {
    name: "TimestampRouter: weekly topics with YYYY-'W'ww across a year boundary",
    fuzzCase: chain(
      one('TimestampRouter', { 'topic.format': '${topic}-${timestamp}', 'timestamp.format': "YYYY-'W'ww" }),
      'string',
      [
        record('a', { timestamp: 1_704_067_199_999 }),
        record('b', { timestamp: 1_704_067_200_000 }),
        record('c', { timestamp: 1_735_603_200_000 }),
      ],
    ),
  },
  {
    name: 'SimpleDateFormat: quotes and doubled quotes',
    fuzzCase: {
      kind: 'dateFormat',
      pattern: "''yy'' 'o''clock' h",
      format: [1_709_214_300_000],
      parse: ["'24' o'clock 3"],
    },
  },
  {
    name: 'SimpleDateFormat: week year of a BC date (Java sets YEAR+1 in the BC era)',
    fuzzCase: { kind: 'dateFormat', pattern: 'DZZYYYYYY.', format: [-6_614_121_280_989_955_617n], parse: [] },
  },
  {
    name: 'SimpleDateFormat: a week date beyond the long range wraps as in Java',
    fuzzCase: { kind: 'dateFormat', pattern: '/YYHYYYYY', format: [], parse: ['/333317461999'] },
  },
  {
    name: 'SimpleDateFormat: the UTC zone name after an offset keeps the offset',
    fuzzCase: {
      kind: 'dateFormat',
      pattern: "hhhhZZkkk'T'DDddzzzzz",
      format: [],
      parse: ['0015-0530017T15601UTC'],
    },
  },
  {
    name: 'SimpleDateFormat: DecimalFormat reads NaN and the infinity sign',
    fuzzCase: { kind: 'dateFormat', pattern: 'u', format: [], parse: ['NaN', '-∞', '∞'] },
  },
  {
    name: 'SimpleDateFormat: Julian dates before 15 October 1582',
    fuzzCase: {
      kind: 'dateFormat',
      pattern: 'MMM d, y G',
      format: [-12_219_292_800_001, -62_135_596_800_000],
      parse: ['Oct 4, 1582 AD'],
    },
  },
  {
    name: 'SimpleDateFormat: a zone name Java would switch to fails the record here',
    fuzzCase: { kind: 'dateFormat', pattern: 'z', format: [], parse: ['PST'] },
    deliberate: 'zone-names',
  },

  // --- header values (issue) ---
  {
    name: 'HeaderFrom: Timestamp and Date fields become ISO strings, bytes become base64',
    fuzzCase: chain(
      one('HeaderFrom$Value', { fields: 'at,day,raw', headers: 'at,day,raw', operation: 'copy' }),
      recordSchema([
        { name: 'at', type: TIMESTAMP },
        { name: 'day', type: DATE },
        { name: 'raw', type: 'bytes' },
      ]),
      [
        record({ at: 1_709_214_300_123, day: 19_782, raw: Buffer.from('hello') }),
        record({ at: 5, day: 0, raw: Buffer.alloc(0) }),
      ],
    ),
  },
  {
    name: 'InsertHeader: literals go through Values.parseString (1.50 is 1.5, 007 is 7, [1, 2 ,3] is [1,2,3])',
    fuzzCase: chain(
      {
        transforms: 'a,b,c,d',
        'transforms.a.type': 'InsertHeader',
        'transforms.a.header': 'a',
        'transforms.a.value.literal': '1.50',
        'transforms.b.type': 'InsertHeader',
        'transforms.b.header': 'b',
        'transforms.b.value.literal': '007',
        'transforms.c.type': 'InsertHeader',
        'transforms.c.header': 'c',
        'transforms.c.value.literal': '[1, 2 ,3]',
        'transforms.d.type': 'InsertHeader',
        'transforms.d.header': 'd',
        'transforms.d.value.literal': 'null',
      },
      'string',
      [record('x')],
    ),
  },
  {
    name: 'Values.parseString: a non-embedded value stops after its first token',
    fuzzCase: { kind: 'parseString', inputs: ['12:34', 'true}', '1970-01-01', '[1, null]', '{"a":1}'] },
  },

  // --- tombstones and nulls (issue) ---
  {
    name: 'HoistField: a null value under a required schema fails, as Connect refuses it',
    fuzzCase: chain(
      one('HoistField$Value', { field: 'payload' }),
      recordSchema([{ name: 'a', type: 'int' }]),
      [record(null), record({ a: 1 })],
    ),
  },
  {
    name: 'Flatten: a null record on the way gives null, not the leaf default',
    fuzzCase: chain(
      one('Flatten$Value', { delimiter: '_' }),
      recordSchema([
        {
          name: 'inner',
          type: [
            'null',
            {
              type: 'record',
              name: 'Inner',
              fields: [{ name: 'x', type: ['string', 'null'], default: 'd' }],
            },
          ],
          default: null,
        },
      ]),
      [record({ inner: null }), record({ inner: { x: null } }), record(null)],
    ),
  },
  {
    name: 'ExtractField V2: a null record on the way gives null, a null leaf its default',
    fuzzCase: chain(
      one('ExtractField$Value', { field: 'inner.x', 'field.syntax.version': 'V2' }),
      recordSchema([
        {
          name: 'inner',
          type: [
            'null',
            {
              type: 'record',
              name: 'Inner',
              fields: [{ name: 'x', type: ['string', 'null'], default: 'd' }],
            },
          ],
          default: null,
        },
      ]),
      [record({ inner: null }), record({ inner: { x: null } }), record(null)],
    ),
  },
  {
    name: 'InsertField: a required inserted field left null fails, as Connect fails the struct',
    fuzzCase: chain(
      one('InsertField$Value', { 'timestamp.field': 'ts!' }),
      recordSchema([{ name: 'a', type: 'int' }]),
      [record({ a: 1 }, { timestamp: null })],
    ),
  },
  {
    name: 'MaskField and ValueToKey on a tombstone fail, InsertField and Cast pass it',
    fuzzCase: chain(
      {
        transforms: 'i,c',
        'transforms.i.type': `${T}InsertField$Value`,
        'transforms.i.static.field': 'pipeline',
        'transforms.i.static.value': 'ses',
        'transforms.c.type': `${T}Cast$Value`,
        'transforms.c.spec': 'a:string',
      },
      recordSchema([{ name: 'a', type: 'int' }]),
      [record(null)],
    ),
  },

  // --- small ones (issue) ---
  {
    name: 'ValueToKey: key fields keep their defaults',
    fuzzCase: chain(
      one('ValueToKey', { fields: 'tier,n' }),
      recordSchema([
        { name: 'tier', type: ['string', 'null'], default: 'free' },
        { name: 'n', type: 'int', default: 3 },
      ]),
      [record({ tier: null, n: 1 })],
    ),
  },
  {
    name: 'Cast: Java float literals such as 0x1p3 and 1f parse',
    fuzzCase: chain(
      one('Cast$Value', { spec: 'a:float64,b:float32' }),
      recordSchema([
        { name: 'a', type: 'string' },
        { name: 'b', type: 'string' },
      ]),
      [record({ a: '0x1p3', b: '1f' }), record({ a: ' 2.5d ', b: '-0x1.8p1' })],
    ),
  },
  {
    name: 'MaskField: numeric replacements 9.5 and 1e3 become 9 and 1000',
    fuzzCase: chain(
      {
        transforms: 'int,long',
        'transforms.int.type': `${T}MaskField$Value`,
        'transforms.int.fields': 'a',
        'transforms.int.replacement': '9.5',
        'transforms.long.type': `${T}MaskField$Value`,
        'transforms.long.fields': 'b',
        'transforms.long.replacement': '1e3',
      },
      recordSchema([
        { name: 'a', type: 'int' },
        { name: 'b', type: 'long' },
      ]),
      [record({ a: 5, b: 6 })],
    ),
  },
  {
    name: 'MaskField: a timestamp masks to the epoch',
    fuzzCase: chain(
      one('MaskField$Value', { fields: 'at' }),
      recordSchema([{ name: 'at', type: TIMESTAMP }]),
      [record({ at: 1_709_214_300_123 })],
    ),
  },

  // --- found by the fuzzer ---
  {
    name: 'ReplaceField: each output field reads through the inverted renames (a renamed over an excluded b)',
    fuzzCase: chain(
      one('ReplaceField$Value', { exclude: 'a', renames: 'a:b' }),
      recordSchema([
        { name: 'a', type: 'int' },
        { name: 'b', type: 'int' },
      ]),
      [record({ a: 1, b: 2 })],
    ),
  },
  {
    name: 'ReplaceField: a value read through an inverted rename fits if only optionality differs; a null then fails the required field',
    fuzzCase: chain(
      one('ReplaceField$Value', { exclude: 'a', renames: 'a:b' }),
      recordSchema([
        { name: 'a', type: ['null', 'string'], default: null },
        { name: 'b', type: 'string' },
      ]),
      [record({ a: 'x', b: 'y' }), record({ a: null, b: 'y' }), record(null)],
    ),
  },
  {
    name: 'RegexRouter: a replacement naming a missing group is refused; Connect fails the topics it matches',
    fuzzCase: chain(one('RegexRouter', { regex: 'ses-(.*)', replacement: '$2' }), 'string', [
      record('a', { topic: 'ses-x' }),
      record('b', { topic: 'other' }),
    ]),
    deliberate: 'fails-every-record',
  },
  {
    name: 'ReplaceField: a Date renamed into a Timestamp field through the inverted renames is refused (Connect lets it through)',
    fuzzCase: chain(
      one('ReplaceField$Value', { exclude: 'day', renames: 'day:at' }),
      recordSchema([
        { name: 'at', type: TIMESTAMP },
        { name: 'day', type: DATE },
      ]),
      [record({ at: 5, day: 1 })],
    ),
    deliberate: 'inverted-rename-type',
  },
  {
    name: 'ReplaceField: two renames to one name are refused (Connect picks by hash order)',
    fuzzCase: chain(
      one('ReplaceField$Value', { renames: 'a:c,b:c', exclude: 'b' }),
      recordSchema([
        { name: 'a', type: 'int' },
        { name: 'b', type: 'int' },
      ]),
      [record({ a: 1, b: 2 })],
    ),
    deliberate: 'ambiguous-renames',
  },
  {
    name: "Cast: a whole-value cast of a logical type is refused (Connect's converter cannot write the result)",
    fuzzCase: chain(one('Cast$Key', { spec: 'int8' }), 'string', [record('x', { key: 5 })], {
      type: 'int',
      logicalType: 'time-millis',
    }),
    deliberate: 'fails-every-record',
  },
  {
    name: 'TimestampConverter: the Date of an instant near Long.MIN_VALUE fails as in Connect',
    fuzzCase: chain(
      one('TimestampConverter$Value', { field: 'at', 'target.type': 'Date' }),
      recordSchema([{ name: 'at', type: TIMESTAMP }]),
      [record({ at: -(2n ** 63n) }), record({ at: -1 })],
    ),
  },
  {
    name: 'TimestampConverter: the converted field drops its default',
    fuzzCase: chain(
      one('TimestampConverter$Value', { field: 'n', 'target.type': 'unix' }),
      recordSchema([{ name: 'n', type: 'long', default: 40 }]),
      [record({ n: 1 })],
    ),
  },
  {
    name: 'Cast: Double.MIN_VALUE prints as 4.9E-324',
    fuzzCase: chain(one('Cast$Value', { spec: 'd:string' }), recordSchema([{ name: 'd', type: 'double' }]), [
      record({ d: 5e-324 }),
      record({ d: -0 }),
    ]),
  },
  {
    name: 'Cast: doubles print as Java 19+ does (Java 17 prints 1e23 as 9.999999999999999E22)',
    fuzzCase: chain(one('Cast$Value', { spec: 'd:string' }), recordSchema([{ name: 'd', type: 'double' }]), [
      record({ d: 1e23 }),
    ]),
    deliberate: 'java17-float-digits',
  },
  {
    name: 'Cast: floats print as Java 19+ does (Java 17 prints 1.23456792E8)',
    fuzzCase: chain(one('Cast$Value', { spec: 'f:string' }), recordSchema([{ name: 'f', type: 'float' }]), [
      record({ f: Math.fround(123_456_792) }),
    ]),
    deliberate: 'java17-float-digits',
  },
  {
    name: 'SetSchemaMetadata on a primitive is refused (Connect can only rebuild structs)',
    fuzzCase: chain(one('SetSchemaMetadata$Value', { 'schema.version': '2' }), 'string', [record('x')]),
    deliberate: 'fails-every-record',
  },
  {
    name: 'Filter: negate is validated trimmed but read with Boolean.parseBoolean on the raw text',
    fuzzCase: chain(
      {
        ...one('Filter', { predicate: 'p', negate: ' TRUE' }),
        predicates: 'p',
        'predicates.p.type': 'HasHeaderKey',
        'predicates.p.name': 'h',
      },
      'string',
      [record('a', { headers: [{ key: 'h', value: 'x' }] }), record('b')],
    ),
  },
  {
    name: 'Cast: the whole value -0.0 cast to int8 is 0',
    fuzzCase: chain(one('Cast$Value', { spec: 'int8' }), 'float', [record(-0), record(-0.5)]),
  },
  {
    name: 'HeaderFrom: a float halfway between two shortest decimals prints with the even digit (3777570.25 is 3777570.2)',
    fuzzCase: chain(
      one('HeaderFrom$Value', { fields: 'm,f', headers: 'm,f', operation: 'copy' }),
      recordSchema([
        { name: 'm', type: { type: 'map', values: 'float' } },
        { name: 'f', type: 'float' },
      ]),
      [record({ m: { k: 3_777_570.25 }, f: 3_891_929.25 })],
    ),
  },
  {
    name: 'unknown keys are refused, Connect ignores them',
    fuzzCase: chain(
      one('MaskField$Value', { fields: 'a', 'fields.typo': 'x' }),
      recordSchema([{ name: 'a', type: 'int' }]),
      [record({ a: 1 })],
    ),
    deliberate: 'unknown-key',
  },
];
