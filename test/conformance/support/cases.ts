/**
 * Conformance cases: each runs through Kafka Connect's transforms and ours with the same config and
 * records. A case may name a deliberate difference; the test then checks exactly that difference.
 */
import type { KafkaHeader } from '../../../src/record.ts';
import type { AvroSchema } from '../../../src/transforms/schema.ts';
import type { ChainCase } from './chain-case.ts';

export interface CaseRecord {
  topic?: string;
  key?: unknown;
  value: unknown;
  headers?: KafkaHeader[];
  timestamp?: number | null;
}

export interface ConformanceCase {
  name: string;
  config: Record<string, string>;
  valueSchema?: AvroSchema;
  keySchema?: AvroSchema;
  records: CaseRecord[];
  /**
   * We reject at start-up what Connect accepts, as the named deliberate difference (support/deliberate.ts)
   * says; `connectFailsEveryRecord` also asserts Connect could not process any record of the case.
   */
  deliberate?: { id: string; connectFailsEveryRecord: boolean };
  /** Compare the output schema names too (SetSchemaMetadata). */
  expectValueSchemaName?: string;
}

const Address: AvroSchema = {
  type: 'record',
  name: 'Address',
  fields: [
    { name: 'city', type: 'string' },
    { name: 'zip', type: ['null', 'string'], default: null },
  ],
};

export const Person: AvroSchema = {
  type: 'record',
  name: 'Person',
  namespace: 'conformance',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
    { name: 'score', type: ['null', 'double'], default: null },
    { name: 'active', type: 'boolean' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'address', type: Address },
    // A reference to an already defined named type, as real Avro schemas use.
    { name: 'alt', type: ['null', 'Address'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'big', type: 'long' },
    { name: 'ratio', type: 'float' },
    { name: 'raw', type: ['null', 'bytes'], default: null },
    { name: 'tier', type: ['string', 'null'], default: 'free' },
    { name: 'when', type: ['null', 'string'], default: null },
  ],
};

const full = {
  name: 'Alice',
  age: 42,
  score: 97.25,
  active: true,
  email: 'alice@example.com',
  address: { city: 'Berlin', zip: '10115' },
  alt: { city: 'Paris', zip: null },
  tags: ['a', 'b'],
  createdAt: 1_700_000_123_456,
  big: 1_234_567_890_123,
  ratio: Math.fround(0.1),
  raw: Buffer.from('hello'),
  tier: 'gold',
  when: '2024-02-29 13:45',
};

const sparse = {
  name: 'Bob',
  age: -7,
  score: null,
  active: false,
  email: null,
  address: { city: 'Oslo', zip: null },
  alt: null,
  tags: [],
  createdAt: 86_400_000 * 3,
  big: -5,
  ratio: Math.fround(-2.5),
  raw: null,
  tier: null,
  when: null,
};

const people: CaseRecord[] = [{ value: full }, { value: sparse }];

const WithMap: AvroSchema = {
  type: 'record',
  name: 'WithMap',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'attrs', type: { type: 'map', values: 'string' } },
  ],
};

const T = 'org.apache.kafka.connect.transforms.';
const P = 'org.apache.kafka.connect.transforms.predicates.';

function one(type: string, props: Record<string, string> = {}): Record<string, string> {
  const config: Record<string, string> = { transforms: 't', 'transforms.t.type': type };
  for (const [key, value] of Object.entries(props)) config[`transforms.t.${key}`] = value;
  return config;
}

export const CASES: ConformanceCase[] = [
  // InsertField
  {
    name: 'InsertField$Value adds topic, partition, offset, timestamp and static fields',
    config: one(`${T}InsertField$Value`, {
      'topic.field': 'topic',
      'partition.field': 'partition!',
      'offset.field': 'offset?',
      'timestamp.field': 'ts',
      'static.field': 'pipeline',
      'static.value': 'ses',
    }),
    records: people,
  },
  {
    name: 'InsertField$Value passes a tombstone through',
    config: one('InsertField$Value', { 'static.field': 'pipeline', 'static.value': 'ses' }),
    records: [{ value: null }, { value: sparse }],
  },
  {
    name: 'InsertField$Value with a null timestamp into an optional field',
    config: one('InsertField$Value', { 'timestamp.field': 'ts' }),
    records: [{ value: full, timestamp: null }],
  },
  {
    name: 'InsertField without any field is a config error',
    config: one('InsertField$Value'),
    records: people,
  },
  {
    name: 'InsertField static.field without static.value is a config error',
    config: one('InsertField$Value', { 'static.field': 'x' }),
    records: people,
  },
  {
    name: 'InsertField$Key on a string key',
    config: one('InsertField$Key', { 'topic.field': 'topic' }),
    records: people,
    deliberate: { id: 'fails-every-record', connectFailsEveryRecord: true },
  },
  // ReplaceField
  {
    name: 'ReplaceField$Value exclude',
    config: one(`${T}ReplaceField$Value`, { exclude: 'email,raw' }),
    records: people,
  },
  {
    name: 'ReplaceField$Value include',
    config: one('ReplaceField$Value', { include: 'name,age,alt' }),
    records: people,
  },
  {
    name: 'ReplaceField$Value renames and replace.null.with.default=true',
    config: one('ReplaceField$Value', { renames: 'name:fullName,tier:level', include: 'name,tier' }),
    records: people,
  },
  {
    name: 'ReplaceField$Value replace.null.with.default=false keeps nulls',
    config: one('ReplaceField$Value', { include: 'name,tier', 'replace.null.with.default': 'false' }),
    records: people,
  },
  {
    name: 'ReplaceField renames without a colon is a config error',
    config: one('ReplaceField$Value', { renames: 'a' }),
    records: people,
  },
  {
    name: 'ReplaceField exclude of an unknown field',
    config: one('ReplaceField$Value', { exclude: 'nope' }),
    records: people,
    deliberate: { id: 'field-does-not-exist', connectFailsEveryRecord: false },
  },
  // MaskField
  {
    name: 'MaskField$Value masks primitives and arrays with empty values',
    config: one(`${T}MaskField$Value`, { fields: 'name,age,score,active,tags,big,ratio,createdAt' }),
    records: people,
  },
  {
    name: 'MaskField$Value with a string replacement',
    config: one('MaskField$Value', { fields: 'name,email', replacement: '***' }),
    records: people,
  },
  {
    name: 'MaskField$Value with a numeric replacement',
    config: one('MaskField$Value', { fields: 'age,big,score', replacement: '9' }),
    records: people,
  },
  {
    name: 'MaskField$Value numeric replacement that is not a number',
    config: one('MaskField$Value', { fields: 'age', replacement: 'x' }),
    records: people,
    deliberate: { id: 'fails-every-record', connectFailsEveryRecord: true },
  },
  {
    name: 'MaskField$Value of a struct',
    config: one('MaskField$Value', { fields: 'address' }),
    records: people,
    deliberate: { id: 'fails-every-record', connectFailsEveryRecord: true },
  },
  {
    name: 'MaskField without fields is a config error',
    config: one('MaskField$Value', { fields: '' }),
    records: people,
  },
  {
    name: 'MaskField with an empty replacement is a config error',
    config: one('MaskField$Value', { fields: 'name', replacement: '' }),
    records: people,
  },
  {
    name: 'MaskField$Value on a null value fails',
    config: one('MaskField$Value', { fields: 'name' }),
    records: [{ value: null }],
  },
  // ValueToKey
  {
    name: 'ValueToKey builds a struct key',
    config: one(`${T}ValueToKey`, { fields: 'name,age,email' }),
    records: people,
  },
  {
    name: 'ValueToKey on a null value fails',
    config: one('ValueToKey', { fields: 'name' }),
    records: [{ value: null }],
  },
  {
    name: 'ValueToKey with a field that does not exist',
    config: one('ValueToKey', { fields: 'nope' }),
    records: people,
    deliberate: { id: 'field-does-not-exist', connectFailsEveryRecord: true },
  },
  { name: 'ValueToKey without fields is a config error', config: one('ValueToKey'), records: people },
  // ExtractField
  {
    name: 'ExtractField$Value of a string',
    config: one(`${T}ExtractField$Value`, { field: 'name' }),
    records: people,
  },
  {
    name: 'ExtractField$Value of a struct',
    config: one('ExtractField$Value', { field: 'address' }),
    records: people,
  },
  {
    name: 'ExtractField$Value of an optional field',
    config: one('ExtractField$Value', { field: 'email' }),
    records: people,
  },
  {
    name: 'ExtractField$Value of a tombstone is null',
    config: one('ExtractField$Value', { field: 'name' }),
    records: [{ value: null }],
  },
  {
    name: 'ExtractField$Value V2 nested path',
    config: one('ExtractField$Value', { field: 'address.city', 'field.syntax.version': 'V2' }),
    records: people,
  },
  {
    name: 'ExtractField$Value V2 path through an optional struct',
    config: one('ExtractField$Value', { field: 'alt.city', 'field.syntax.version': 'v2' }),
    records: people,
  },
  {
    name: 'ExtractField$Value V1 treats dots literally',
    config: one('ExtractField$Value', { field: 'address.city' }),
    records: people,
    deliberate: { id: 'field-does-not-exist', connectFailsEveryRecord: true },
  },
  {
    name: 'ExtractField with a bad syntax version is a config error',
    config: one('ExtractField$Value', { field: 'a', 'field.syntax.version': 'V3' }),
    records: people,
  },
  {
    name: 'ExtractField without field is a config error',
    config: one('ExtractField$Value'),
    records: people,
  },
  // HoistField
  {
    name: 'HoistField$Value wraps the value',
    config: one(`${T}HoistField$Value`, { field: 'payload' }),
    records: people,
  },
  {
    name: 'HoistField$Key wraps a string key',
    config: one('HoistField$Key', { field: 'id' }),
    records: people,
  },
  { name: 'HoistField without field is a config error', config: one('HoistField$Value'), records: people },
  // Flatten
  {
    name: 'Flatten$Value with delimiter _',
    config: one(`${T}Flatten$Value`, { delimiter: '_' }),
    records: people,
  },
  {
    name: 'Flatten$Value passes a tombstone through',
    config: one('Flatten$Value', { delimiter: '__' }),
    records: [{ value: null }],
  },
  {
    name: 'Flatten$Value with the default "." delimiter',
    config: one('Flatten$Value'),
    records: people,
    deliberate: { id: 'avro-names', connectFailsEveryRecord: false },
  },
  {
    name: 'Flatten$Value of a record with a map',
    config: one('Flatten$Value', { delimiter: '_' }),
    valueSchema: WithMap,
    records: [{ value: { id: 'x', attrs: { a: '1' } } }],
    deliberate: { id: 'fails-every-record', connectFailsEveryRecord: true },
  },
  // Cast
  {
    name: 'Cast$Value numbers to strings and back',
    config: one(`${T}Cast$Value`, { spec: 'age:string,score:int32,active:int8,ratio:string' }),
    records: people,
  },
  {
    name: 'Cast$Value widening, narrowing and booleans',
    config: one('Cast$Value', { spec: 'age:float64,big:int16,score:boolean,active:float32' }),
    records: people,
  },
  {
    name: 'Cast$Value int64 to int8 wraps like Java',
    config: one('Cast$Value', { spec: 'big:int8,ratio:int64' }),
    records: people,
  },
  {
    name: 'Cast$Value timestamp to string and bytes to string',
    config: one('Cast$Value', { spec: 'createdAt:string,raw:string' }),
    records: people,
  },
  {
    name: 'Cast$Value timestamp to int64',
    config: one('Cast$Value', { spec: 'createdAt:int64' }),
    records: people,
  },
  {
    name: 'Cast$Value string that is not a number fails',
    config: one('Cast$Value', { spec: 'name:int32' }),
    records: people,
  },
  {
    name: 'Cast$Key whole value',
    config: one('Cast$Key', { spec: 'int64' }),
    records: [
      { key: '123', value: full },
      { key: '-9', value: sparse },
    ],
  },
  {
    name: 'Cast to an unknown type is a config error',
    config: one('Cast$Value', { spec: 'age:nonsense' }),
    records: people,
  },
  {
    name: 'Cast to bytes is a config error',
    config: one('Cast$Value', { spec: 'name:bytes' }),
    records: people,
  },
  {
    name: 'Cast whole value plus a field is a config error',
    config: one('Cast$Value', { spec: 'int8,age:int8' }),
    records: people,
  },
  {
    name: 'Cast$Value of a struct field',
    config: one('Cast$Value', { spec: 'address:string' }),
    records: people,
    deliberate: { id: 'fails-every-record', connectFailsEveryRecord: true },
  },
  // TimestampConverter
  {
    name: 'TimestampConverter$Value Timestamp to string',
    config: one(`${T}TimestampConverter$Value`, {
      field: 'createdAt',
      'target.type': 'string',
      format: "yyyy-MM-dd'T'HH:mm:ss.SSS",
    }),
    records: people,
  },
  {
    name: 'TimestampConverter$Value Timestamp to Date',
    config: one('TimestampConverter$Value', { field: 'createdAt', 'target.type': 'Date' }),
    records: people,
  },
  {
    name: 'TimestampConverter$Value Timestamp to Time',
    config: one('TimestampConverter$Value', { field: 'createdAt', 'target.type': 'Time' }),
    records: people,
  },
  {
    name: 'TimestampConverter$Value Timestamp to unix seconds',
    config: one('TimestampConverter$Value', {
      field: 'createdAt',
      'target.type': 'unix',
      'unix.precision': 'seconds',
    }),
    records: people,
  },
  {
    name: 'TimestampConverter$Value unix microseconds to Timestamp',
    config: one('TimestampConverter$Value', {
      field: 'big',
      'target.type': 'Timestamp',
      'unix.precision': 'microseconds',
    }),
    records: people,
  },
  {
    name: 'TimestampConverter$Value string to Timestamp, null stays null',
    config: one('TimestampConverter$Value', {
      field: 'when',
      'target.type': 'Timestamp',
      format: 'yyyy-MM-dd HH:mm',
    }),
    records: people,
  },
  {
    name: 'TimestampConverter$Key whole long key to Timestamp',
    config: one('TimestampConverter$Key', { 'target.type': 'Timestamp' }),
    keySchema: 'long',
    records: [{ key: 1_700_000_000_000, value: full }],
  },
  {
    name: 'TimestampConverter to string without format is a config error',
    config: one('TimestampConverter$Value', { field: 'createdAt', 'target.type': 'string' }),
    records: people,
  },
  {
    name: 'TimestampConverter with a bad target.type is a config error',
    config: one('TimestampConverter$Value', { field: 'createdAt', 'target.type': 'date' }),
    records: people,
  },
  {
    name: 'TimestampConverter with a bad unix.precision is a config error',
    config: one('TimestampConverter$Value', { 'target.type': 'unix', 'unix.precision': 'minutes' }),
    records: people,
  },
  // RegexRouter
  {
    name: 'RegexRouter rewrites a matching topic',
    config: one(`${T}RegexRouter`, { regex: '(.*)-events', replacement: '$1-v2' }),
    records: [
      { topic: 'ses-events', value: full },
      { topic: 'other', value: sparse },
    ],
  },
  {
    name: 'RegexRouter needs a full match',
    config: one('RegexRouter', { regex: 'ses', replacement: 'x' }),
    records: [
      { topic: 'ses-events', value: full },
      { topic: 'ses', value: full },
    ],
  },
  {
    name: 'RegexRouter named groups and escaped $',
    config: one('RegexRouter', { regex: '(?<env>[a-z]+)\\.(.*)', replacement: '${env}_\\$_$2' }),
    records: [{ topic: 'prod.ses', value: full }],
  },
  {
    name: 'RegexRouter with an invalid regex is a config error',
    config: one('RegexRouter', { regex: '(', replacement: 'x' }),
    records: people,
  },
  {
    name: 'RegexRouter without replacement is a config error',
    config: one('RegexRouter', { regex: '.*' }),
    records: people,
  },
  // TimestampRouter
  { name: 'TimestampRouter defaults', config: one(`${T}TimestampRouter`), records: people },
  {
    name: 'TimestampRouter custom formats',
    config: one('TimestampRouter', {
      'topic.format': 'events_${timestamp}_${topic}',
      'timestamp.format': 'yyyy-MM',
    }),
    records: people,
  },
  {
    name: 'TimestampRouter without a timestamp fails',
    config: one('TimestampRouter'),
    records: [{ value: full, timestamp: null }],
  },
  // SetSchemaMetadata
  {
    name: 'SetSchemaMetadata$Value name and version',
    config: one(`${T}SetSchemaMetadata$Value`, {
      'schema.name': 'com.example.Renamed',
      'schema.version': '3',
    }),
    records: people,
    expectValueSchemaName: 'com.example.Renamed',
  },
  {
    name: 'SetSchemaMetadata$Value version only',
    config: one('SetSchemaMetadata$Value', { 'schema.version': '7' }),
    records: people,
    expectValueSchemaName: 'conformance.Person',
  },
  {
    name: 'SetSchemaMetadata with a non-integer version is a config error',
    config: one('SetSchemaMetadata$Value', { 'schema.version': 'x' }),
    records: people,
  },
  // Filter and predicates
  {
    name: 'Filter with TopicNameMatches',
    config: {
      ...one(`${T}Filter`, { predicate: 'p' }),
      predicates: 'p',
      'predicates.p.type': `${P}TopicNameMatches`,
      'predicates.p.pattern': 'ses-.*',
    },
    records: [
      { topic: 'ses-a', value: full },
      { topic: 'other', value: sparse },
    ],
  },
  {
    name: 'Filter with negated TopicNameMatches',
    config: {
      ...one('Filter', { predicate: 'p', negate: 'true' }),
      predicates: 'p',
      'predicates.p.type': 'TopicNameMatches',
      'predicates.p.pattern': 'ses-.*',
    },
    records: [
      { topic: 'ses-a', value: full },
      { topic: 'other', value: sparse },
    ],
  },
  {
    name: 'Filter with RecordIsTombstone',
    config: {
      ...one('Filter', { predicate: 't' }),
      predicates: 't',
      'predicates.t.type': `${P}RecordIsTombstone`,
    },
    records: [{ value: null }, { value: full }],
  },
  {
    name: 'Filter with HasHeaderKey',
    config: {
      ...one('Filter', { predicate: 'h' }),
      predicates: 'h',
      'predicates.h.type': 'HasHeaderKey',
      'predicates.h.name': 'skip',
    },
    records: [
      { value: full, headers: [{ key: 'skip', value: null }] },
      { value: sparse, headers: [{ key: 'keep', value: 'x' }] },
    ],
  },
  {
    name: 'TopicNameMatches with an invalid regex is a config error',
    config: {
      ...one('Filter', { predicate: 'p' }),
      predicates: 'p',
      'predicates.p.type': 'TopicNameMatches',
      'predicates.p.pattern': '[',
    },
    records: people,
  },
  {
    name: 'HasHeaderKey with an empty name is a config error',
    config: {
      ...one('Filter', { predicate: 'h' }),
      predicates: 'h',
      'predicates.h.type': 'HasHeaderKey',
      'predicates.h.name': '',
    },
    records: people,
  },
  {
    name: 'A predicate gating a real transform',
    config: {
      ...one('InsertField$Value', { 'static.field': 'gated', 'static.value': 'yes', predicate: 'p' }),
      predicates: 'p',
      'predicates.p.type': 'TopicNameMatches',
      'predicates.p.pattern': 'bounce.*',
    },
    records: [{ topic: 'bounces', value: full }],
  },
  // Headers
  {
    name: 'HeaderFrom$Value copy',
    config: one(`${T}HeaderFrom$Value`, {
      fields: 'name,age,score',
      headers: 'h_name,h_age,h_score',
      operation: 'copy',
    }),
    records: people,
  },
  {
    name: 'HeaderFrom$Value move',
    config: one('HeaderFrom$Value', { fields: 'email,active', headers: 'mail,act', operation: 'move' }),
    records: people,
  },
  {
    name: 'HeaderFrom with mismatched lists is a config error',
    config: one('HeaderFrom$Value', { fields: 'a,b', headers: 'x', operation: 'copy' }),
    records: people,
  },
  {
    name: 'HeaderFrom with a bad operation is a config error',
    config: one('HeaderFrom$Value', { fields: 'a', headers: 'x', operation: 'steal' }),
    records: people,
  },
  {
    name: 'HeaderFrom$Value on a tombstone fails',
    config: one('HeaderFrom$Value', { fields: 'name', headers: 'x', operation: 'copy' }),
    records: [{ value: null }],
  },
  {
    name: 'InsertHeader appends, even next to an existing header',
    config: one(`${T}InsertHeader`, { header: 'source', 'value.literal': 'ses' }),
    records: [{ value: full, headers: [{ key: 'source', value: 'old' }] }],
  },
  {
    name: 'InsertHeader numeric literal',
    config: one('InsertHeader', { header: 'n', 'value.literal': '42' }),
    records: people,
  },
  {
    name: 'InsertHeader without value.literal is a config error',
    config: one('InsertHeader', { header: 'n' }),
    records: people,
  },
  {
    name: 'DropHeaders drops every occurrence and keeps order',
    config: one(`${T}DropHeaders`, { headers: 'a,c' }),
    records: [
      {
        value: full,
        headers: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
          { key: 'a', value: '3' },
          { key: 'd', value: null },
        ],
      },
    ],
  },
  {
    name: 'DropHeaders without headers is a config error',
    config: one('DropHeaders', { headers: '' }),
    records: people,
  },
  // A chain
  {
    name: 'A chain: exclude, mask, flatten, route',
    config: {
      transforms: 'drop,mask,flat,route',
      'transforms.drop.type': 'ReplaceField$Value',
      'transforms.drop.exclude': 'raw',
      'transforms.mask.type': 'MaskField$Value',
      'transforms.mask.fields': 'email',
      'transforms.mask.replacement': 'hidden',
      'transforms.flat.type': 'Flatten$Value',
      'transforms.flat.delimiter': '_',
      'transforms.route.type': 'RegexRouter',
      'transforms.route.regex': 'ses-(.*)',
      'transforms.route.replacement': 'warehouse-$1',
    },
    records: [
      { topic: 'ses-events', value: full },
      { topic: 'ses-events', value: sparse },
    ],
  },
  { name: 'An unknown transform class is a config error', config: one(`${T}Nope$Value`), records: people },
];

const BASE_TIMESTAMP = 1_709_214_300_000;

/** A hand-written case as the comparison runs it: default topic, key, offsets and timestamp filled in. */
export function toChainCase(testCase: ConformanceCase): ChainCase {
  return {
    config: testCase.config,
    keySchema: testCase.keySchema ?? 'string',
    valueSchema: testCase.valueSchema ?? (Person as AvroSchema),
    records: testCase.records.map((record, index) => ({
      topic: record.topic ?? 'ses-events',
      partition: 0,
      offset: 100 + index,
      timestamp: record.timestamp === undefined ? BASE_TIMESTAMP : record.timestamp,
      key: record.key === undefined ? `msg-${index}` : record.key,
      value: record.value,
      headers: (record.headers ?? []).map((header) => ({
        key: header.key,
        value: header.value === null ? null : header.value.toString(),
      })),
    })),
  };
}
