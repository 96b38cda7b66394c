// biome-ignore-all lint/suspicious/noExplicitAny: fixtures and record values are untyped JSON, read and mutated by path
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type avro from 'avsc';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import { ConfigError } from '../../../src/errors.ts';
import {
  BASE_SCHEMA_VERSIONS,
  baseSchemaPath,
  baseSchemaType,
  type EnvelopeInfo,
  loadBaseSchema,
  parseAnyInput,
  recordSource,
  type SesEvent,
  toEnrichedValue,
} from '../../../src/ses/index.ts';
import { fixture, fixturesIn, shapeFixtures, snsLambdaEvent } from './helpers.ts';

const FOUND: EmailMetadata = {
  status: 'FOUND',
  attributes: { campaign: 'spring-sale', template: 'OrderShipped', userId: 'u-1001', tenantId: 'acme-eu' },
  source: 'table=ses-metadata key=messageId',
};
const SOURCE = { processedAt: new Date('2024-03-11T09:16:12.000Z'), producerVersion: '0.1.0' };

function parseFixture(name: string): { event: SesEvent; envelope: EnvelopeInfo } {
  const [outcome] = parseAnyInput(JSON.stringify(snsLambdaEvent([fixture(name).text])));
  if (!outcome?.ok) assert.fail(outcome ? outcome.error.message : 'no outcome');
  return { event: outcome.event, envelope: outcome.envelope };
}

function explainInvalid(type: avro.Type, value: unknown): string {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
  return paths.join(', ');
}

const allFixtures = [...shapeFixtures(), ...fixturesIn('edge')];

describe('base schema and toEnrichedValue', () => {
  it('loads every schema version, each a valid Avro record with a doc on every field', () => {
    for (const version of BASE_SCHEMA_VERSIONS) {
      const schema = loadBaseSchema(version);
      assert.equal(schema.name, 'SesEmailEvent');
      assert.equal(schema.namespace, 'io.seskafka');
      assert.equal(
        JSON.stringify(schema),
        JSON.stringify(JSON.parse(readFileSync(baseSchemaPath(version), 'utf8'))),
      );
      const undocumented: string[] = [];
      const walk = (node: unknown, path: string): void => {
        if (Array.isArray(node)) {
          for (const item of node) walk(item, path);
          return;
        }
        if (node === null || typeof node !== 'object') return;
        const record = node as {
          fields?: Array<{ name: string; doc?: string; type: unknown }>;
          items?: unknown;
          values?: unknown;
        };
        for (const field of record.fields ?? []) {
          if (!field.doc) undocumented.push(`${path}.${field.name}`);
          walk(field.type, `${path}.${field.name}`);
        }
        walk(record.items, path);
        walk(record.values, path);
      };
      walk(schema, version);
      assert.deepEqual(undocumented, []);
    }
  });

  it('returns a fresh copy each time, so callers may mutate it', () => {
    const schema = loadBaseSchema('v1');
    schema.fields.pop();
    assert.notEqual(loadBaseSchema('v1').fields.length, schema.fields.length);
  });

  it('rejects an unknown version with a ConfigError naming the key', () => {
    assert.throws(
      () => loadBaseSchema('v9'),
      (error: unknown) =>
        error instanceof ConfigError &&
        /schema\.version: unknown base schema version 'v9'/.test(error.message),
    );
  });

  for (const { name } of allFixtures) {
    it(`${name}: the enriched value is valid for v1 and v2 and round-trips`, () => {
      const { event, envelope } = parseFixture(name);
      for (const version of BASE_SCHEMA_VERSIONS) {
        const type = baseSchemaType(version);
        const value = toEnrichedValue(event, FOUND, recordSource(envelope, SOURCE), {
          schemaVersion: version,
        });
        assert.ok(type.isValid(value), `${version} invalid at: ${explainInvalid(type, value)}`);
        assert.deepEqual(type.fromBuffer(type.toBuffer(value)), type.clone(value));
      }
    });
  }

  it('maps identity, timestamps, envelope and metadata', () => {
    const { event, envelope } = parseFixture('event-publishing/bounce.json');
    const value = toEnrichedValue(event, FOUND, recordSource(envelope, SOURCE)) as Record<string, any>;
    assert.equal(value.eventId, event.eventId);
    assert.equal(value.eventType, 'Bounce');
    assert.equal(value.format, 'EVENT_PUBLISHING');
    assert.equal(value.eventTime, Date.parse('2024-03-11T09:16:10.118Z'));
    assert.equal(value.mail.timestamp, Date.parse('2024-03-11T09:16:08.775Z'));
    assert.equal(value.mail.sourceAddress, 'orders@example.com');
    assert.deepEqual(value.mail.tags['ses:configuration-set'], ['acme-transactional']);
    assert.equal(value.bounce.bouncedRecipients[0].status, '5.1.1');
    assert.equal(value.bounce.remoteMtaIp, null);
    assert.equal(value.delivery, null);
    assert.deepEqual(value.metadata, {
      status: 'FOUND',
      attributes: FOUND.attributes,
      source: FOUND.source,
      reason: null,
    });
    assert.equal(value.source.envelope, 'sns-lambda');
    assert.equal(value.source.topicArn, envelope.topicArn);
    assert.equal(value.source.snsTimestamp, Date.parse(envelope.snsTimestamp as string));
    assert.equal(value.source.processedAt, SOURCE.processedAt.getTime());
    assert.equal(value.source.producerVersion, '0.1.0');
    assert.equal('unknownFieldsJson' in value, false);
  });

  it('keeps every recipient, typed, and converts feedback-report arrival dates when they parse', () => {
    const bounce = toEnrichedValue(
      parseFixture('edge/multi-recipient-bounce.json').event,
      FOUND,
      SOURCE,
    ) as Record<string, any>;
    assert.deepEqual(
      bounce.bounce.bouncedRecipients.map((r: { emailAddress: string }) => r.emailAddress),
      ['mia@example.net', 'noah@example.net', 'olga@example.net'],
    );
    assert.equal(bounce.mail.sourceIp, '203.0.113.9');
    assert.deepEqual(bounce.mail.tags, {});
    assert.deepEqual(bounce.mail.headers, []);
    assert.equal(bounce.mail.commonHeaders, null);
    const complaint = toEnrichedValue(
      parseFixture('edge/complaint-subtype-null.json').event,
      FOUND,
      SOURCE,
    ) as Record<string, any>;
    assert.equal(complaint.complaint.complaintSubType, null);
    assert.equal(complaint.complaint.arrivalDate, Date.parse('2024-03-19T09:59:58.000Z'));
    const garbled = parseFixture('edge/complaint-subtype-null.json').event;
    garbled.complaint = {
      ...(garbled.complaint as NonNullable<SesEvent['complaint']>),
      arrivalDate: 'sometime yesterday',
    };
    assert.equal(
      (toEnrichedValue(garbled, FOUND, SOURCE).complaint as { arrivalDate: unknown }).arrivalDate,
      null,
    );
    const feedback = toEnrichedValue(
      parseFixture('notification/complaint-with-feedback.json').event,
      FOUND,
      SOURCE,
    ) as Record<string, any>;
    assert.equal(feedback.complaint.arrivalDate, Date.parse('2024-03-15T06:30:00.000Z'));
  });

  it('carries unknown top-level fields into v2 unknownFieldsJson only', () => {
    const { event } = parseFixture('edge/unknown-event-type.json');
    const v2 = toEnrichedValue(event, FOUND, SOURCE, { schemaVersion: 'v2' });
    assert.deepEqual(JSON.parse(v2.unknownFieldsJson as string), event.extra);
    const known = toEnrichedValue(parseFixture('event-publishing/send.json').event, FOUND, SOURCE, {
      schemaVersion: 'v2',
    });
    assert.equal(known.unknownFieldsJson, null);
  });

  it('records NOT_FOUND / ERROR metadata with empty attributes', () => {
    const { event } = parseFixture('event-publishing/send.json');
    const value = toEnrichedValue(
      event,
      { status: 'ERROR', attributes: {}, reason: 'DynamoDB throttled' },
      SOURCE,
    );
    assert.ok(baseSchemaType('v1').isValid(value));
    assert.deepEqual(value.metadata, {
      status: 'ERROR',
      attributes: {},
      source: null,
      reason: 'DynamoDB throttled',
    });
  });
});

describe('base schema evolution v1 -> v2 (BACKWARD and FORWARD)', () => {
  const v1 = baseSchemaType('v1');
  const v2 = baseSchemaType('v2');

  it('a v2 reader reads v1 data, defaulting the new field to null', () => {
    const resolver = v2.createResolver(v1);
    for (const { name } of allFixtures) {
      const value = toEnrichedValue(parseFixture(name).event, FOUND, SOURCE);
      const decoded = v2.fromBuffer(v1.toBuffer(value), resolver) as Record<string, unknown>;
      assert.equal(decoded.unknownFieldsJson, null);
      assert.equal(decoded.eventId, value.eventId);
      assert.deepEqual(v1.clone(decoded, { fieldHook: undefined }), v1.clone(value));
    }
  });

  it('a v1 reader reads v2 data, ignoring the new field', () => {
    const resolver = v1.createResolver(v2);
    for (const { name } of allFixtures) {
      const value = toEnrichedValue(parseFixture(name).event, FOUND, SOURCE, { schemaVersion: 'v2' });
      const decoded = v1.fromBuffer(v2.toBuffer(value), resolver) as Record<string, unknown>;
      assert.equal('unknownFieldsJson' in decoded, false);
      const { unknownFieldsJson: _dropped, ...v1Value } = value;
      assert.deepEqual(decoded, v1.clone(v1Value));
    }
  });

  it('differs from v1 by exactly one optional field with a null default', () => {
    const names1 = loadBaseSchema('v1').fields.map((f) => f.name);
    const fields2 = loadBaseSchema('v2').fields;
    const added = fields2.filter((f) => !names1.includes(f.name));
    assert.deepEqual(
      added.map((f) => [f.name, f.type, f.default]),
      [['unknownFieldsJson', ['null', 'string'], null]],
    );
  });
});
