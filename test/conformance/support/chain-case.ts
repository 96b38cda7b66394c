/**
 * One chain case run through both engines, and the differences between them.
 * A case is a connector-style config, the key and value schemas (Avro) and records (our in-memory
 * form). Both outcomes are reduced to the same normalized form: config error, or per record an error,
 * "filtered", or topic, timestamp, headers (the bytes Kafka gets) and key and value with their schemas.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../../../src/errors.ts';
import type { KafkaRecord } from '../../../src/record.ts';
import { compiledOutputType, TransformChain } from '../../../src/transforms/chain.ts';
import type { AvroSchema } from '../../../src/transforms/schema.ts';
import {
  comparableFromAvro,
  comparableFromConnect,
  type Shape,
  shapeFromAvro,
  shapeFromConnect,
  toConnectSchema,
  toConnectValue,
} from './connect-data.ts';
import type { HarnessChainCase, HarnessChainResult, HarnessOutputRecord } from './harness.ts';

export interface CaseRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Epoch millis, or null for a record without a timestamp. */
  timestamp: number | null;
  key: unknown;
  value: unknown;
  headers: Array<{ key: string; value: string | null }>;
}

export interface ChainCase {
  config: Record<string, string>;
  keySchema: AvroSchema;
  valueSchema: AvroSchema;
  records: CaseRecord[];
}

export function toHarnessCase(testCase: ChainCase): HarnessChainCase {
  return {
    kind: 'chain',
    config: testCase.config,
    keySchema: toConnectSchema(testCase.keySchema),
    valueSchema: toConnectSchema(testCase.valueSchema),
    records: testCase.records.map((record) => ({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp === null ? null : String(record.timestamp),
      key: toConnectValue(testCase.keySchema, record.key),
      value: toConnectValue(testCase.valueSchema, record.value),
      headers: record.headers.map((header) => ({ key: header.key, value: header.value })),
    })),
  };
}

export interface NormalizedRecord {
  topic: string;
  timestamp: bigint | null;
  /** Header values as the base64 of the bytes written to Kafka, or null. */
  headers: Array<{ key: string; value: string | null }>;
  key: unknown;
  keySchema: Shape | null;
  value: unknown;
  valueSchema: Shape | null;
}

export type RecordOutcome =
  | { kind: 'error'; message: string }
  | { kind: 'filtered' }
  | { kind: 'record'; record: NormalizedRecord };

export type CaseOutcome =
  | { kind: 'configError'; message: string }
  | { kind: 'ran'; records: RecordOutcome[] };

export function normalizeConnect(result: HarnessChainResult): CaseOutcome {
  if ('inputError' in result) throw new Error(`the harness could not read the case: ${result.inputError}`);
  if ('configError' in result) return { kind: 'configError', message: result.configError };
  return {
    kind: 'ran',
    records: result.results.map((record): RecordOutcome => {
      if ('inputError' in record)
        throw new Error(`the harness could not read a record: ${record.inputError}`);
      if ('error' in record) return { kind: 'error', message: record.error };
      if ('filtered' in record) return { kind: 'filtered' };
      const output = record as HarnessOutputRecord;
      return {
        kind: 'record',
        record: {
          topic: output.topic,
          timestamp: output.timestamp === null ? null : BigInt(output.timestamp),
          headers: output.headers,
          key: comparableFromConnect(output.keySchema, output.key),
          keySchema: output.keySchema ? shapeFromConnect(output.keySchema) : null,
          value: comparableFromConnect(output.valueSchema, output.value),
          valueSchema: output.valueSchema ? shapeFromConnect(output.valueSchema) : null,
        },
      };
    }),
  };
}

function headerBytes(value: string | Buffer | null): string | null {
  if (value === null) return null;
  return (Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8')).toString('base64');
}

/** Whether our value fits our own output schema, as the encoder will check it (exact longs). */
function fitsSchema(schema: AvroSchema, value: unknown): string | null {
  const paths: string[] = [];
  compiledOutputType(schema).isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(root)') });
  return paths.length === 0 ? null : `does not fit its own output schema at ${paths.slice(0, 3).join(', ')}`;
}

export interface OurRun {
  outcome: CaseOutcome;
  chain: TransformChain | null;
  /** Per record, our output value did not fit our output schema (the encoder would refuse it). */
  misfits: Array<string | null>;
}

export function runOurs(testCase: ChainCase): OurRun {
  let chain: TransformChain;
  try {
    chain = TransformChain.build(testCase.config, {
      valueSchema: testCase.valueSchema,
      keySchema: testCase.keySchema,
      env: {},
    });
  } catch (error) {
    // Anything but a ConfigError escaping start-up is a bug of its own; it shows up as a difference.
    const message =
      error instanceof ConfigError ? error.message : `CRASHED at start-up: ${(error as Error).stack}`;
    return { outcome: { kind: 'configError', message }, chain: null, misfits: [] };
  }
  const misfits: Array<string | null> = [];
  const records = testCase.records.map((input): RecordOutcome => {
    const record: KafkaRecord = {
      topic: input.topic,
      partition: input.partition,
      offset: input.offset,
      key: input.key,
      value: input.value,
      headers: input.headers.map((header) => ({ ...header })),
      timestamp: input.timestamp as number,
    };
    let outcome: ReturnType<TransformChain['apply']>;
    try {
      outcome = chain.apply(record);
    } catch (error) {
      misfits.push(null);
      return { kind: 'error', message: `CRASHED: ${(error as Error).stack}` };
    }
    if (outcome.kind === 'filtered') {
      misfits.push(null);
      return outcome.error ? { kind: 'error', message: outcome.error.message } : { kind: 'filtered' };
    }
    if (outcome.kind !== 'ok') {
      misfits.push(null);
      return { kind: 'error', message: outcome.error.message };
    }
    const out = outcome.record;
    const keySchema = chain.outputKeySchema;
    const valueMisfit = out.value === null ? null : fitsSchema(chain.outputValueSchema, out.value);
    const keyMisfit = keySchema === null || out.key === null ? null : fitsSchema(keySchema, out.key);
    misfits.push(valueMisfit ? `value ${valueMisfit}` : keyMisfit ? `key ${keyMisfit}` : null);
    return {
      kind: 'record',
      record: {
        topic: out.topic,
        timestamp: out.timestamp === null || out.timestamp === undefined ? null : BigInt(out.timestamp),
        headers: out.headers.map((header) => ({ key: header.key, value: headerBytes(header.value) })),
        key: keySchema === null ? out.key : comparableFromAvro(keySchema, out.key),
        keySchema: keySchema === null ? null : shapeFromAvro(keySchema),
        value: comparableFromAvro(chain.outputValueSchema, out.value),
        valueSchema: shapeFromAvro(chain.outputValueSchema),
      },
    };
  });
  return { outcome: { kind: 'ran', records }, chain, misfits };
}

export type Aspect =
  | 'config'
  | 'outcome'
  | 'topic'
  | 'timestamp'
  | 'headers'
  | 'key'
  | 'keySchema'
  | 'value'
  | 'valueSchema'
  | 'validity';

export interface Difference {
  aspect: Aspect;
  record?: number;
  connect: string;
  ours: string;
}

const show = (value: unknown): string => inspect(value, { depth: 8, breakLength: Number.POSITIVE_INFINITY });

/**
 * Schema shapes are compared as Connect sees them, with the differences Avro forces: names are compared
 * only where Connect has one (Avro requires a name on every record), and the top-level schema's own
 * optionality and default are not compared (Connect's copySchemaBasics drops them; Avro has no top-level
 * default).
 */
function shapesDiffer(connect: Shape, ours: Shape, top: boolean): boolean {
  if (connect.type !== ours.type) return true;
  if (!top && (connect.optional !== ours.optional || !isDeepStrictEqual(connect.default, ours.default)))
    return true;
  if (connect.name !== null && connect.name !== ours.name) return true;
  if (connect.version !== ours.version) return true;
  const connectFields = connect.fields ?? [];
  const ourFields = ours.fields ?? [];
  if (connectFields.length !== ourFields.length) return true;
  for (let i = 0; i < connectFields.length; i++) {
    const [connectName, connectField] = connectFields[i] as [string, Shape];
    const [ourName, ourField] = ourFields[i] as [string, Shape];
    if (connectName !== ourName || shapesDiffer(connectField, ourField, false)) return true;
  }
  if (connect.items && (!ours.items || shapesDiffer(connect.items, ours.items, false))) return true;
  if (connect.values && (!ours.values || shapesDiffer(connect.values, ours.values, false))) return true;
  return false;
}

export function compareOutcomes(connect: CaseOutcome, ours: OurRun): Difference[] {
  if (connect.kind === 'configError' || ours.outcome.kind === 'configError') {
    if (connect.kind === ours.outcome.kind) return [];
    return [
      {
        aspect: 'config',
        connect: connect.kind === 'configError' ? `rejected: ${connect.message}` : 'accepted',
        ours: ours.outcome.kind === 'configError' ? `rejected: ${ours.outcome.message}` : 'accepted',
      },
    ];
  }
  const differences: Difference[] = [];
  const ourRecords = ours.outcome.records;
  connect.records.forEach((connectRecord, index) => {
    const ourRecord = ourRecords[index] as RecordOutcome;
    const describe = (outcome: RecordOutcome) =>
      outcome.kind === 'error' ? `error: ${outcome.message}` : outcome.kind;
    if (connectRecord.kind !== ourRecord.kind) {
      differences.push({
        aspect: 'outcome',
        record: index,
        connect: describe(connectRecord),
        ours: describe(ourRecord),
      });
      return;
    }
    if (connectRecord.kind !== 'record' || ourRecord.kind !== 'record') return;
    const theirs = connectRecord.record;
    const mine = ourRecord.record;
    const add = (aspect: Aspect, a: unknown, b: unknown) =>
      differences.push({ aspect, record: index, connect: show(a), ours: show(b) });
    if (theirs.topic !== mine.topic) add('topic', theirs.topic, mine.topic);
    if (theirs.timestamp !== mine.timestamp) add('timestamp', theirs.timestamp, mine.timestamp);
    if (!isDeepStrictEqual(theirs.headers, mine.headers))
      add('headers', decodeHeaders(theirs.headers), decodeHeaders(mine.headers));
    if (!isDeepStrictEqual(theirs.key, mine.key)) add('key', theirs.key, mine.key);
    if (!isDeepStrictEqual(theirs.value, mine.value)) add('value', theirs.value, mine.value);
    // A null key or value (a tombstone) carries no schema on the wire: Connect passes the record's old
    // schema along, ours is the chain's output schema; only the null itself is compared.
    if (
      theirs.key !== null &&
      theirs.keySchema &&
      mine.keySchema &&
      shapesDiffer(theirs.keySchema, mine.keySchema, true)
    ) {
      add('keySchema', theirs.keySchema, mine.keySchema);
    }
    if (
      theirs.value !== null &&
      theirs.valueSchema &&
      mine.valueSchema &&
      shapesDiffer(theirs.valueSchema, mine.valueSchema, true)
    ) {
      add('valueSchema', theirs.valueSchema, mine.valueSchema);
    }
    const misfit = ours.misfits[index];
    if (misfit) differences.push({ aspect: 'validity', record: index, connect: 'n/a', ours: misfit });
  });
  return differences;
}

/** Header bytes shown as text where they are UTF-8, for readable reports. */
function decodeHeaders(
  headers: Array<{ key: string; value: string | null }>,
): Array<{ key: string; value: string | null }> {
  return headers.map((header) => ({
    key: header.key,
    value: header.value === null ? null : Buffer.from(header.value, 'base64').toString('utf8'),
  }));
}
