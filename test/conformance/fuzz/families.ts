/**
 * The fuzzer's families: one per Connect SMT (configs generated from its ConfigDef: every key, valid
 * values that refer to the generated schema's real fields, and invalid ones), plus one per piece of
 * Java behaviour the SMTs expose (SimpleDateFormat, java.util.regex, Values.parseString).
 */
import fc from 'fast-check';
import type { ChainCase } from '../support/chain-case.ts';
import {
  caseRecords,
  type FieldNode,
  fieldsOf,
  HEADER_NAMES,
  keyType,
  recordNode,
  type TypeNode,
  textValue,
  timestampValue,
  toAvroSchema,
} from './arbitraries.ts';
import {
  connectLiteral,
  datePatternTokens,
  javaRegex,
  javaReplacement,
  renderDatePattern,
  textForPattern,
} from './java-arbitraries.ts';

export type FuzzCase =
  | { kind: 'chain'; case: ChainCase }
  | { kind: 'dateFormat'; pattern: string; format: Array<number | bigint>; parse: string[] }
  | { kind: 'regex'; pattern: string; replacement?: string; inputs: string[] }
  | { kind: 'parseString'; inputs: string[] };

export interface Family {
  name: string;
  arbitrary: fc.Arbitrary<FuzzCase>;
}

const T = 'org.apache.kafka.connect.transforms.';
const P = 'org.apache.kafka.connect.transforms.predicates.';

interface Context {
  key: TypeNode;
  value: TypeNode;
}

type Props = Record<string, string | undefined>;

/** The key is left out once in `freq` cases (fast-check's option frequency). */
const absent = <V>(arbitrary: fc.Arbitrary<V>, freq = 3) => fc.option(arbitrary, { freq, nil: undefined });

/** A config value that is usually meaningful and sometimes junk, as users type it. */
const noisy = (arbitrary: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 12, arbitrary },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x', 'true', '-1', ',', 'a,,b', ' a ') },
  );

const booleanText = absent(fc.constantFrom('true', 'false', 'TRUE', ' false ', 'yes'));

function typeName(base: string, side?: 'Key' | 'Value'): fc.Arbitrary<string> {
  const short = side ? `${base}$${side}` : base;
  return fc.constantFrom(`${T}${short}`, short);
}

function sideFor(context: Context): fc.Arbitrary<'Key' | 'Value'> {
  return context.key.kind === 'record'
    ? fc.constantFrom<'Key' | 'Value'>('Key', 'Value')
    : fc.oneof(
        { weight: 9, arbitrary: fc.constant<'Value'>('Value') },
        { weight: 1, arbitrary: fc.constant<'Key'>('Key') },
      );
}

function sideNode(context: Context, side: 'Key' | 'Value'): TypeNode {
  return side === 'Key' ? context.key : context.value;
}

/** Builds the flat connector config for one transform under alias t (plus extra keys). */
function transformConfig(
  type: string,
  props: Props,
  extra: Record<string, string> = {},
): Record<string, string> {
  const config: Record<string, string> = { transforms: 't', 'transforms.t.type': type, ...extra };
  for (const [key, value] of Object.entries(props))
    if (value !== undefined) config[`transforms.t.${key}`] = value;
  return config;
}

/** Now and then a key the transform does not define (Connect ignores it; we refuse it). */
const strayKey: fc.Arbitrary<Record<string, string> | undefined> = fc.oneof(
  { weight: 30, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { 'transforms.t.fields.typo': 'x' },
      { 'transforms.t.replace.null.with.defaults': 'true' },
    ),
  },
);

const NEW_NAMES = ['topic', 'part', 'off', 'stamp', 'pipeline', 'extra', 'payload'];
const ODD_NAMES = ['a.b', '1x', 'x y', 'é', '', '$x'];

function existingName(fields: FieldNode[]): fc.Arbitrary<string> {
  return fields.length > 0 ? fc.constantFrom(...fields.map((field) => field.name)) : fc.constant('a');
}

function anyName(fields: FieldNode[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: existingName(fields) },
    { weight: 1, arbitrary: fc.constantFrom('nope', ...NEW_NAMES) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_NAMES) },
  );
}

function newName(fields: FieldNode[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...NEW_NAMES) },
    { weight: 1, arbitrary: existingName(fields) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_NAMES) },
  );
}

function nameList(fields: FieldNode[], options: { max?: number; min?: number } = {}): fc.Arbitrary<string> {
  return fc
    .array(anyName(fields), { minLength: options.min ?? 1, maxLength: options.max ?? 3 })
    .chain((names) => fc.constantFrom(names.join(','), names.join(' , ')));
}

function chainFamily(
  name: string,
  config: (context: Context) => fc.Arbitrary<Record<string, string>>,
  valueType: fc.Arbitrary<TypeNode> = recordNode(0),
): Family {
  return {
    name,
    arbitrary: fc.record({ value: valueType, key: keyType }).chain((context) =>
      fc.record({ config: config(context), records: caseRecords(context) }).map(
        ({ config: flat, records }): FuzzCase => ({
          kind: 'chain',
          case: {
            config: flat,
            keySchema: toAvroSchema(context.key, 'Key'),
            valueSchema: toAvroSchema(context.value, 'Top'),
            records,
          },
        }),
      ),
    ),
  };
}

// --- the SMT families -----------------------------------------------------------------------------

const insertField = chainFamily('InsertField', (context) =>
  sideFor(context).chain((side) => {
    const fields = fieldsOf(sideNode(context, side));
    const spec = absent(
      fc.tuple(newName(fields), fc.constantFrom('', '', '?', '!')).map(([field, suffix]) => field + suffix),
      2,
    );
    return fc
      .record({
        type: typeName('InsertField', side),
        'topic.field': spec,
        'partition.field': spec,
        'offset.field': spec,
        'timestamp.field': spec,
        'static.field': spec,
        'static.value': absent(textValue, 2),
        'replace.null.with.default': booleanText,
        stray: strayKey,
      })
      .map(({ type, stray, ...props }) => transformConfig(type, props, stray));
  }),
);

const replaceField = chainFamily('ReplaceField', (context) =>
  sideFor(context).chain((side) => {
    const fields = fieldsOf(sideNode(context, side));
    const rename = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.tuple(anyName(fields), newName(fields)).map(([from, to]) => `${from}:${to}`),
      },
      { weight: 1, arbitrary: fc.constantFrom('a', 'a:b:c', ':x', 'x:', '') },
    );
    return fc
      .record({
        type: typeName('ReplaceField', side),
        exclude: absent(nameList(fields)),
        include: absent(nameList(fields)),
        renames: absent(fc.array(rename, { minLength: 1, maxLength: 2 }).map((items) => items.join(','))),
        'replace.null.with.default': booleanText,
        stray: strayKey,
      })
      .map(({ type, stray, ...props }) => transformConfig(type, props, stray));
  }),
);

const MASK_REPLACEMENTS = [
  '***',
  '9',
  '9.5',
  '1e3',
  '-0',
  ' 5 ',
  '0x10',
  '9223372036854775808',
  '1e400',
  'NaN',
  'abc',
  '',
  'true',
  '2147483648',
  '1.7976931348623157E309',
  '-129',
];

const maskField = chainFamily('MaskField', (context) =>
  sideFor(context).chain((side) => {
    const fields = fieldsOf(sideNode(context, side));
    return fc
      .record({
        type: typeName('MaskField', side),
        fields: noisy(nameList(fields)),
        replacement: absent(fc.oneof(fc.constantFrom(...MASK_REPLACEMENTS), textValue), 2),
        'replace.null.with.default': booleanText,
        stray: strayKey,
      })
      .map(({ type, stray, ...props }) => transformConfig(type, props, stray));
  }),
);

const valueToKey = chainFamily('ValueToKey', (context) =>
  fc
    .record({
      type: typeName('ValueToKey'),
      fields: absent(noisy(nameList(fieldsOf(context.value))), 12),
      'replace.null.with.default': booleanText,
      stray: strayKey,
    })
    .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
);

/** A path into nested records: V1 names, V2 dotted paths, backticks. */
function fieldPath(node: TypeNode): fc.Arbitrary<string> {
  const fields = fieldsOf(node);
  const nested = fields.filter((field) => field.type.kind === 'record');
  const paths = nested.flatMap((field) => fieldsOf(field.type).map((inner) => `${field.name}.${inner.name}`));
  return fc.oneof(
    { weight: 5, arbitrary: anyName(fields) },
    {
      weight: paths.length > 0 ? 4 : 0,
      arbitrary: paths.length > 0 ? fc.constantFrom(...paths) : fc.constant('a'),
    },
    { weight: 1, arbitrary: fc.constantFrom('`a`', '`a.b`.c', 'a.', '.a', '`a', 'a\\`.b', 'a..b') },
  );
}

const extractField = chainFamily('ExtractField', (context) =>
  sideFor(context).chain((side) =>
    fc
      .record({
        type: typeName('ExtractField', side),
        field: absent(fieldPath(sideNode(context, side)), 20),
        'field.syntax.version': absent(fc.constantFrom('V1', 'V2', 'v2', 'V3'), 2),
        'replace.null.with.default': booleanText,
        stray: strayKey,
      })
      .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
  ),
);

const hoistField = chainFamily(
  'HoistField',
  (context) =>
    sideFor(context).chain((side) =>
      fc
        .record({
          type: typeName('HoistField', side),
          field: absent(newName(fieldsOf(sideNode(context, side))), 20),
          stray: strayKey,
        })
        .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
    ),
  fc.oneof({ weight: 3, arbitrary: recordNode(0) }, { weight: 1, arbitrary: keyType }),
);

const flatten = chainFamily('Flatten', (context) =>
  sideFor(context).chain((side) =>
    fc
      .record({
        type: typeName('Flatten', side),
        delimiter: absent(fc.constantFrom('_', '_', '__', '.', '', '-', '$', 'x', 'é'), 4),
        stray: strayKey,
      })
      .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
  ),
);

const CAST_TYPES = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'];
const castType = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...CAST_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('INT32', ' int64 ', 'Boolean', 'bytes', 'struct', 'nonsense', '') },
);

const cast = chainFamily(
  'Cast',
  (context) =>
    sideFor(context).chain((side) => {
      const node = sideNode(context, side);
      const fields = fieldsOf(node);
      const spec = fc.oneof(
        { weight: node.kind === 'record' ? 1 : 6, arbitrary: castType },
        {
          weight: node.kind === 'record' ? 8 : 1,
          arbitrary: fc
            .array(
              fc.tuple(anyName(fields), castType).map(([field, target]) => `${field}:${target}`),
              { minLength: 1, maxLength: 3 },
            )
            .map((items) => items.join(',')),
        },
        { weight: 1, arbitrary: fc.constantFrom('a:b:c', 'int8,a:int8', '', ',') },
      );
      return fc
        .record({
          type: typeName('Cast', side),
          spec: absent(spec, 20),
          'replace.null.with.default': booleanText,
          stray: strayKey,
        })
        .map(({ type, stray, ...props }) => transformConfig(type, props, stray));
    }),
  fc.oneof({ weight: 3, arbitrary: recordNode(0) }, { weight: 1, arbitrary: keyType }),
);

const timestampConverter = chainFamily(
  'TimestampConverter',
  (context) =>
    sideFor(context).chain((side) => {
      const node = sideNode(context, side);
      const fields = fieldsOf(node);
      const preferred = fields.filter(
        (field) =>
          field.type.kind === 'logical' ||
          (field.type.kind === 'primitive' && ['long', 'string'].includes(field.type.primitive)),
      );
      const field = fc.oneof(
        { weight: node.kind === 'record' ? 1 : 6, arbitrary: fc.constant('') },
        {
          weight: preferred.length > 0 ? 6 : 0,
          arbitrary: preferred.length > 0 ? existingName(preferred) : fc.constant(''),
        },
        { weight: 2, arbitrary: anyName(fields) },
      );
      return datePatternTokens.chain((tokens) =>
        fc
          .record({
            type: typeName('TimestampConverter', side),
            field: absent(field, 8),
            'target.type': absent(
              fc.oneof(
                { weight: 10, arbitrary: fc.constantFrom('string', 'unix', 'Date', 'Time', 'Timestamp') },
                { weight: 1, arbitrary: fc.constantFrom('date', 'x', '') },
              ),
              20,
            ),
            format: absent(fc.constant(renderDatePattern(tokens)), 4),
            'unix.precision': absent(
              fc.constantFrom('seconds', 'milliseconds', 'microseconds', 'nanoseconds', 'minutes'),
              2,
            ),
            'replace.null.with.default': booleanText,
            stray: strayKey,
          })
          .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
      );
    }),
  fc.oneof({ weight: 4, arbitrary: recordNode(0) }, { weight: 1, arbitrary: keyType }),
);

const regexRouter = chainFamily('RegexRouter', () =>
  fc
    .record({
      type: typeName('RegexRouter'),
      regex: absent(
        javaRegex.map((regex) => regex.pattern),
        20,
      ),
      replacement: absent(javaReplacement, 20),
      stray: strayKey,
    })
    .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
);

const timestampRouter = chainFamily('TimestampRouter', () =>
  datePatternTokens.chain((tokens) =>
    fc
      .record({
        type: typeName('TimestampRouter'),
        'topic.format': absent(
          fc
            .array(fc.constantFrom('${topic}', '${timestamp}', '-', '_', 'x', '$', '${other}', '\\', '$1'), {
              minLength: 1,
              maxLength: 4,
            })
            .map((parts) => parts.join('')),
          2,
        ),
        'timestamp.format': absent(fc.constant(renderDatePattern(tokens)), 4),
        stray: strayKey,
      })
      .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
  ),
);

const setSchemaMetadata = chainFamily(
  'SetSchemaMetadata',
  (context) =>
    sideFor(context).chain((side) =>
      fc
        .record({
          type: typeName('SetSchemaMetadata', side),
          'schema.name': absent(
            fc.constantFrom('com.example.Renamed', 'Renamed', 'a.b.C', '_x', 'a..b', '1x', '', 'x y'),
            2,
          ),
          'schema.version': absent(
            fc.constantFrom('1', '3', '0', '-1', '2147483647', '2147483648', 'x', ' 7 ', '1.5'),
            2,
          ),
          'replace.null.with.default': booleanText,
          stray: strayKey,
        })
        .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
    ),
  fc.oneof({ weight: 3, arbitrary: recordNode(0) }, { weight: 1, arbitrary: keyType }),
);

const predicateConfig = fc.oneof(
  javaRegex.map((regex) => ({
    'predicates.p.type': `${P}TopicNameMatches`,
    'predicates.p.pattern': regex.pattern,
  })),
  fc
    .constantFrom('.*', 'ses-.*', 'a\\.b', '(?i)ORDERS', '\\p{Lower}+', 'prod\\..*', '[', '')
    .map((pattern) => ({
      'predicates.p.type': 'TopicNameMatches',
      'predicates.p.pattern': pattern,
    })),
  fc
    .constantFrom(...HEADER_NAMES, '')
    .map((name) => ({ 'predicates.p.type': 'HasHeaderKey', 'predicates.p.name': name })),
  fc.constant({ 'predicates.p.type': `${P}RecordIsTombstone` }),
);

const filter = chainFamily('Filter', () =>
  fc
    .record({
      predicate: predicateConfig,
      negate: absent(fc.constantFrom('true', 'false', 'TRUE', 'x'), 2),
      gated: fc.constantFrom('Filter', 'Filter', 'InsertHeader'),
      unpredicated: fc.boolean(),
    })
    .map(({ predicate, negate, gated, unpredicated }) => {
      const config: Record<string, string> = {
        transforms: 't',
        'transforms.t.type': gated,
        predicates: 'p',
        ...predicate,
      };
      if (gated === 'InsertHeader') {
        config['transforms.t.header'] = 'gated';
        config['transforms.t.value.literal'] = 'yes';
      }
      if (!unpredicated) config['transforms.t.predicate'] = 'p';
      if (negate !== undefined) config['transforms.t.negate'] = negate;
      return config;
    }),
);

const headerFrom = chainFamily('HeaderFrom', (context) =>
  sideFor(context).chain((side) => {
    const fields = fieldsOf(sideNode(context, side));
    return fc.integer({ min: 1, max: 3 }).chain((count) =>
      fc
        .record({
          type: typeName('HeaderFrom', side),
          fields: fc
            .array(anyName(fields), { minLength: count, maxLength: count })
            .map((items) => items.join(',')),
          headers: fc
            .oneof(
              {
                weight: 8,
                arbitrary: fc.array(fc.constantFrom(...HEADER_NAMES), { minLength: count, maxLength: count }),
              },
              {
                weight: 1,
                arbitrary: fc.array(fc.constantFrom(...HEADER_NAMES), { minLength: 1, maxLength: 4 }),
              },
            )
            .map((items) => items.join(',')),
          operation: absent(
            fc.oneof(
              { weight: 8, arbitrary: fc.constantFrom('move', 'copy') },
              { weight: 1, arbitrary: fc.constantFrom('MOVE', 'steal') },
            ),
            20,
          ),
          'replace.null.with.default': booleanText,
          stray: strayKey,
        })
        .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
    );
  }),
);

const insertHeader = chainFamily('InsertHeader', () =>
  fc
    .record({
      type: typeName('InsertHeader'),
      header: absent(fc.constantFrom(...HEADER_NAMES, ''), 20),
      'value.literal': absent(connectLiteral, 20),
      stray: strayKey,
    })
    .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
);

const dropHeaders = chainFamily('DropHeaders', () =>
  fc
    .record({
      type: typeName('DropHeaders'),
      headers: absent(
        noisy(
          fc
            .array(fc.constantFrom(...HEADER_NAMES), { minLength: 1, maxLength: 3 })
            .map((items) => items.join(',')),
        ),
        20,
      ),
      stray: strayKey,
    })
    .map(({ type, stray, ...props }) => transformConfig(type, props, stray)),
);

// --- the Java behaviour families ------------------------------------------------------------------

const dateFormat: Family = {
  name: 'SimpleDateFormat',
  arbitrary: datePatternTokens.chain((tokens) =>
    fc
      .record({
        format: fc.array(timestampValue, { minLength: 1, maxLength: 8 }),
        parse: fc.array(textForPattern(tokens), { minLength: 1, maxLength: 8 }),
      })
      .map(
        ({ format, parse }): FuzzCase => ({
          kind: 'dateFormat',
          pattern: renderDatePattern(tokens),
          format,
          parse,
        }),
      ),
  ),
};

const regex: Family = {
  name: 'java.util.regex',
  arbitrary: fc
    .record({ regex: javaRegex, replacement: absent(javaReplacement, 2) })
    .map(
      ({ regex: { pattern, inputs }, replacement }): FuzzCase =>
        replacement === undefined
          ? { kind: 'regex', pattern, inputs }
          : { kind: 'regex', pattern, inputs, replacement },
    ),
};

const parseString: Family = {
  name: 'Values.parseString',
  arbitrary: fc
    .array(connectLiteral, { minLength: 1, maxLength: 8 })
    .map((inputs): FuzzCase => ({ kind: 'parseString', inputs })),
};

export const FAMILIES: Family[] = [
  insertField,
  replaceField,
  maskField,
  valueToKey,
  extractField,
  hoistField,
  flatten,
  cast,
  timestampConverter,
  regexRouter,
  timestampRouter,
  setSchemaMetadata,
  filter,
  headerFrom,
  insertHeader,
  dropHeaders,
  dateFormat,
  regex,
  parseString,
];
