/**
 * Conformance with Kafka Connect itself: every case runs through Apache Kafka's connect-transforms
 * (via the Java harness, all cases in one JVM) and through our chain, and the two must agree on config
 * errors, per-record failures, filtering, topics, headers, timestamps, keys, values and output schemas
 * (field names, types, optionality). Deliberate differences are declared on the case and checked.
 */
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.ts';
import type { KafkaRecord } from '../../src/record.ts';
import { TransformChain, type TransformOutcome } from '../../src/transforms/chain.ts';
import type { AvroSchema } from '../../src/transforms/schema.ts';
import { CASES, type ConformanceCase, Person } from './support/cases.ts';
import {
  avroShape,
  avroToConnectSchema,
  avroValueToConnectPayload,
  connectComparable,
  connectShape,
  toComparable,
  withoutTopOptional,
} from './support/connect-schema.ts';
import {
  type HarnessCase,
  type HarnessRecordResult,
  type HarnessResult,
  runHarness,
} from './support/harness.ts';

const BASE_TIMESTAMP = 1_709_214_300_000;

function inputRecords(testCase: ConformanceCase): KafkaRecord[] {
  return testCase.records.map((record, index) => ({
    topic: record.topic ?? 'ses-events',
    partition: 0,
    offset: 100 + index,
    key: record.key === undefined ? `msg-${index}` : record.key,
    value: record.value,
    headers: record.headers ?? [],
    timestamp: record.timestamp === null ? (null as unknown as number) : (record.timestamp ?? BASE_TIMESTAMP),
  }));
}

function toHarnessCase(testCase: ConformanceCase, id: string): HarnessCase {
  const valueSchema = testCase.valueSchema ?? Person;
  const keySchema = testCase.keySchema ?? 'string';
  return {
    id,
    config: testCase.config,
    records: inputRecords(testCase).map((record) => ({
      topic: record.topic,
      partition: record.partition ?? 0,
      offset: record.offset ?? 0,
      timestamp: record.timestamp ?? null,
      key: {
        schema: avroToConnectSchema(keySchema),
        payload: avroValueToConnectPayload(keySchema, record.key),
      },
      value:
        record.value === null
          ? null
          : {
              schema: avroToConnectSchema(valueSchema),
              payload: avroValueToConnectPayload(valueSchema, record.value),
            },
      headers: record.headers.map((header) => ({
        key: header.key,
        value: header.value === null ? null : header.value.toString(),
      })),
    })),
  };
}

function buildOurs(testCase: ConformanceCase): TransformChain | ConfigError {
  try {
    return TransformChain.build(testCase.config, {
      valueSchema: testCase.valueSchema ?? Person,
      keySchema: testCase.keySchema ?? 'string',
      env: {},
    });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function compareRecord(
  chain: TransformChain,
  connect: HarnessRecordResult,
  ours: TransformOutcome,
  label: string,
  testCase: ConformanceCase,
): void {
  if ('error' in connect) {
    assert.equal(
      ours.kind,
      'failed',
      `${label}: Connect failed (${connect.error}) but ours gave ${ours.kind}`,
    );
    return;
  }
  if ('filtered' in connect) {
    assert.equal(ours.kind, 'filtered', `${label}: Connect filtered the record, ours gave ${ours.kind}`);
    return;
  }
  assert.equal(
    ours.kind,
    'ok',
    `${label}: Connect produced a record, ours gave ${ours.kind}: ${'error' in ours ? ours.error?.message : ''}`,
  );
  if (ours.kind !== 'ok') return;
  const record = ours.record;
  assert.equal(record.topic, connect.topic, `${label}: topic`);
  assert.equal(record.timestamp ?? null, connect.timestamp, `${label}: timestamp`);
  assert.deepEqual(
    record.headers.map((header) => ({
      key: header.key,
      value: header.value === null ? null : header.value.toString(),
    })),
    connect.headers,
    `${label}: headers`,
  );
  const valueSchema = chain.outputValueSchema;
  assert.deepEqual(
    toComparable(valueSchema, record.value),
    connect.value ? connectComparable(connect.value.schema, connect.value.payload) : null,
    `${label}: value`,
  );
  if (connect.value?.schema) {
    assert.deepEqual(
      withoutTopOptional(avroShape(valueSchema)),
      withoutTopOptional(connectShape(connect.value.schema)),
      `${label}: value schema`,
    );
  }
  if (testCase.expectValueSchemaName && connect.value?.schema) {
    assert.equal(connect.value.schema.name, testCase.expectValueSchemaName, `${label}: Connect schema name`);
    const ourRecord = valueSchema as unknown as {
      name: string;
      namespace?: string;
      'connect.version'?: number;
    };
    const ourName = ourRecord.namespace ? `${ourRecord.namespace}.${ourRecord.name}` : ourRecord.name;
    assert.equal(ourName, testCase.expectValueSchemaName, `${label}: our schema name`);
    // Avro has no schema version; we carry Connect's as the connect.version attribute.
    assert.equal(ourRecord['connect.version'], connect.value.schema.version, `${label}: schema version`);
  }
  const keySchema = chain.outputKeySchema as AvroSchema;
  assert.deepEqual(
    toComparable(keySchema, record.key),
    connect.key ? connectComparable(connect.key.schema, connect.key.payload) : null,
    `${label}: key`,
  );
  if (connect.key?.schema) {
    assert.deepEqual(
      withoutTopOptional(avroShape(keySchema)),
      withoutTopOptional(connectShape(connect.key.schema)),
      `${label}: key schema`,
    );
  }
}

describe('conformance with Kafka Connect 4.1 transforms', function () {
  this.timeout(300_000);
  let connectResults: Map<string, HarnessResult>;

  before(() => {
    connectResults = runHarness(CASES.map((testCase, index) => toHarnessCase(testCase, String(index))));
  });

  CASES.forEach((testCase, index) => {
    const title = testCase.strictAtStartup
      ? `${testCase.name} [deliberate difference: we reject at start-up because ${testCase.strictAtStartup.why}]`
      : testCase.connectOnlyFails
        ? `${testCase.name} [deliberate difference: ${testCase.connectOnlyFails.why}]`
        : testCase.name;
    it(title, () => {
      const connect = connectResults.get(String(index));
      assert.ok(connect, 'the harness returned no result for this case');
      const ours = buildOurs(testCase);
      if ('configError' in connect) {
        assert.ok(
          ours instanceof ConfigError,
          `Connect rejected the config (${connect.configError}) but ours accepted it`,
        );
        return;
      }
      if (testCase.strictAtStartup) {
        assert.ok(ours instanceof ConfigError, 'expected our chain to reject this config at start-up');
        if (testCase.strictAtStartup.connectFailsEveryRecord) {
          for (const result of connect.results)
            assert.ok(
              'error' in result,
              `Connect was expected to fail every record, got ${JSON.stringify(result)}`,
            );
        }
        return;
      }
      assert.ok(
        !(ours instanceof ConfigError),
        `ours rejected a config Connect accepted: ${ours instanceof ConfigError ? ours.message : ''}`,
      );
      const chain = ours as TransformChain;
      const records = inputRecords(testCase);
      connect.results.forEach((result, recordIndex) => {
        const outcome = chain.apply(records[recordIndex] as KafkaRecord);
        if (testCase.connectOnlyFails?.records.includes(recordIndex)) {
          assert.ok('error' in result, `record ${recordIndex}: Connect was expected to fail`);
          assert.equal(outcome.kind, 'ok', `record ${recordIndex}: ours was expected to succeed`);
          return;
        }
        compareRecord(chain, result, outcome, `record ${recordIndex}`, testCase);
      });
    });
  });
});
