// biome-ignore-all lint/suspicious/noExplicitAny: fixtures and record values are untyped JSON, read and mutated by path
import { strict as assert } from 'node:assert';
import { runParse } from '../../../src/cli/parse.ts';
import { checkCompatibility } from '../../../src/registration/compatibility.ts';
import {
  baseSchemaType,
  EMAIL_DETAIL_TYPES,
  EVENT_TYPE_BY_DETAIL_TYPE,
  eventIdFor,
  loadBaseSchema,
  type ParseOutcome,
  parseAnyInput,
  parseEventBridgeEvent,
  parseLambdaEvent,
  parseSnsRecord,
  parseSqsRecord,
  recordSource,
  SERVICE_DETAIL_TYPES,
  SERVICE_EVENT_CODE,
  type SesEvent,
  toEnrichedValue,
} from '../../../src/ses/index.ts';
import { type Fixture, fixture, fixturesIn, snsLambdaEvent, snsNotification, sqsRecord } from './helpers.ts';

/** The event-publishing fixture each EventBridge fixture carries as its detail. */
const EMAIL_FIXTURES = fixturesIn('eventbridge');
const SERVICE_FIXTURES = fixturesIn('eventbridge-service');

function publishingTwin(name: string): Fixture {
  return fixture(name.replace(/^eventbridge(-edge)?\//, 'event-publishing/'));
}

function ok(outcome: ParseOutcome | undefined): Extract<ParseOutcome, { ok: true }> {
  assert.ok(outcome, 'expected an outcome');
  if (!outcome.ok) assert.fail(`expected success, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome;
}

function failed(outcome: ParseOutcome | undefined): Extract<ParseOutcome, { ok: false }> {
  assert.ok(outcome, 'expected an outcome');
  if (outcome.ok) assert.fail(`expected a failure, got event ${outcome.event.eventType}`);
  return outcome;
}

/** The canonical event the SNS door makes of the same SES JSON: the reference every door must match. */
function viaSns(text: string): SesEvent {
  return ok(parseSnsRecord(snsLambdaEvent([text]).Records[0])).event;
}

function only(outcomes: ParseOutcome[]): ParseOutcome {
  assert.equal(outcomes.length, 1, `expected one outcome, got ${outcomes.length}`);
  return outcomes[0] as ParseOutcome;
}

describe('ses parse: the EventBridge door', () => {
  it('has a fixture for every email detail-type SES documents, each mapped to the eventType of its detail', () => {
    const detailTypes = EMAIL_FIXTURES.map((f) => f.json['detail-type'] as string).sort();
    assert.deepEqual(detailTypes, [...EMAIL_DETAIL_TYPES].sort());
    assert.equal(EMAIL_DETAIL_TYPES.length, 10);
    for (const f of EMAIL_FIXTURES) {
      const detail = f.json.detail as Record<string, unknown>;
      assert.equal(EVENT_TYPE_BY_DETAIL_TYPE[f.json['detail-type'] as string], detail.eventType, f.name);
      assert.equal(f.json.source, 'aws.ses');
      assert.deepEqual(detail, publishingTwin(f.name).json, `${f.name} carries the SNS payload as detail`);
    }
  });

  for (const f of EMAIL_FIXTURES) {
    it(`${f.name}: the same canonical event and eventId as through SNS, in every EventBridge form`, () => {
      const reference = viaSns(publishingTwin(f.name).text);
      const forms: Array<[string, ParseOutcome]> = [
        ['rule -> Lambda', parseEventBridgeEvent(JSON.parse(f.text))],
        ['file', only(parseAnyInput(f.text))],
        ['rule -> SQS -> Lambda', only(parseLambdaEvent({ Records: [sqsRecord(f.text)] }))],
        ['rule -> SNS -> Lambda', parseSnsRecord(snsLambdaEvent([f.text]).Records[0])],
      ];
      for (const [form, outcome] of forms) {
        const event = ok(outcome).event;
        assert.deepEqual(event, reference, form);
        assert.equal(event.eventId, eventIdFor(reference), form);
      }
    });
  }

  it('says which door: eventbridge, sqs-eventbridge, or the SNS door it came through', () => {
    const f = fixture('eventbridge/bounce.json');
    const expected = {
      eventBridgeId: f.json.id,
      eventBridgeDetailType: 'Email Bounced',
      eventBridgeTime: '2024-03-11T09:16:10Z',
      configurationSet: 'acme-transactional',
    };
    assert.deepEqual(ok(parseEventBridgeEvent(f.json)).envelope, { kind: 'eventbridge', ...expected });
    const record = sqsRecord(f.text);
    assert.deepEqual(ok(parseSqsRecord(record)).envelope, {
      kind: 'sqs-eventbridge',
      sqsMessageId: record.messageId,
      ...expected,
    });
    const viaSnsEnvelope = ok(parseSnsRecord(snsLambdaEvent([f.text]).Records[0])).envelope;
    assert.equal(viaSnsEnvelope.kind, 'sns-lambda');
    assert.equal(viaSnsEnvelope.eventBridgeId, f.json.id);
    assert.ok(viaSnsEnvelope.snsMessageId);
    const http = ok(only(parseAnyInput(JSON.stringify(snsNotification(f.text))))).envelope;
    assert.equal(http.kind, 'sns-http');
    assert.equal(http.configurationSet, 'acme-transactional');
  });

  it('an archive replay keeps the eventId of the live event and records the replay name', () => {
    const live = ok(parseEventBridgeEvent(fixture('eventbridge/bounce.json').json));
    const replayed = ok(parseEventBridgeEvent(fixture('eventbridge-edge/archive-replay.json').json));
    assert.equal(replayed.event.eventId, live.event.eventId);
    assert.equal(replayed.envelope.eventBridgeReplayName, 'ses-backfill-2024-03');
    assert.equal(live.envelope.eventBridgeReplayName, undefined);
    assert.notEqual(replayed.envelope.eventBridgeId, live.envelope.eventBridgeId);
  });

  it('reads an archive dump: NDJSON and JSON arrays of EventBridge events, each at its location', () => {
    const texts = [...EMAIL_FIXTURES, ...SERVICE_FIXTURES].map((f) => JSON.stringify(f.json));
    const ndjson = parseAnyInput(texts.join('\n'));
    assert.equal(ndjson.length, texts.length);
    assert.deepEqual(
      ndjson.filter((o) => o.ok).map((o) => o.location),
      EMAIL_FIXTURES.map((_, i) => `line ${i + 1}`),
    );
    const array = parseAnyInput(`[${texts.join(',')}]`);
    assert.equal(array.filter((o) => o.ok).length, EMAIL_FIXTURES.length);
    assert.equal(array.filter((o) => !o.ok && o.error.code === SERVICE_EVENT_CODE).length, 4);
  });

  it('fills in a missing detail.eventType from the detail-type, giving the same event', () => {
    const withType = ok(parseEventBridgeEvent(fixture('eventbridge/delivery.json').json)).event;
    const without = fixture('eventbridge-edge/detail-without-event-type.json').json;
    assert.equal((without.detail as any).eventType, undefined);
    assert.deepEqual(ok(parseEventBridgeEvent(without)).event, withType);
  });

  it('lets an unknown detail-type about an email through (detail-types are an open set)', () => {
    const f = fixture('eventbridge-edge/unknown-detail-type.json');
    const event = ok(parseEventBridgeEvent(f.json)).event;
    assert.equal(event.eventType, 'Quarantine');
    assert.deepEqual(event, viaSns(fixture('edge/unknown-event-type.json').text));
  });

  it('names both sides when the detail-type disagrees with detail.eventType', () => {
    const mismatch = structuredClone(fixture('eventbridge/open.json').json);
    mismatch['detail-type'] = 'Email Clicked';
    const error = failed(parseEventBridgeEvent(mismatch)).error;
    assert.equal(error.code, 'SES_DETAIL_TYPE_MISMATCH');
    assert.equal(error.retriable, false);
    assert.match(
      error.message,
      /^detail-type: "Email Clicked" stands for eventType Click, but detail\.eventType is "Open"/,
    );
    const notification = structuredClone(fixture('eventbridge/bounce.json').json) as any;
    delete notification.detail.eventType;
    notification.detail.notificationType = 'Complaint';
    assert.match(
      failed(parseEventBridgeEvent(notification)).error.message,
      /"Email Bounced" stands for eventType Bounce, but detail\.notificationType is "Complaint"/,
    );
  });

  it('sets service events apart with a reason, never as an invalid event', () => {
    assert.deepEqual(
      SERVICE_FIXTURES.map((f) => f.json['detail-type']).sort(),
      [...SERVICE_DETAIL_TYPES].sort(),
    );
    for (const f of SERVICE_FIXTURES) {
      for (const outcome of [
        parseEventBridgeEvent(f.json),
        parseSqsRecord(sqsRecord(f.text)),
        only(parseAnyInput(f.text)),
      ]) {
        const failure = failed(outcome);
        assert.equal(failure.error.code, SERVICE_EVENT_CODE, f.name);
        assert.match(failure.error.message, /is an SES service event .* not about an email; filtered/);
        assert.deepEqual(failure.serviceEvent, {
          id: f.json.id,
          detailType: f.json['detail-type'],
          key: (f.json.resources as string[])[0],
          event: f.json,
          json: JSON.stringify(f.json),
        });
      }
    }
    // A detail-type nobody knows, about no email (CloudTrail API calls also arrive with source aws.ses).
    const apiCall = {
      version: '0',
      id: 'x',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ses',
      resources: [],
      detail: { eventName: 'SendEmail' },
    };
    const failure = failed(parseEventBridgeEvent(apiCall));
    assert.equal(failure.error.code, SERVICE_EVENT_CODE);
    assert.equal(failure.serviceEvent?.key, null);
  });

  it('refuses what is not an SES event on EventBridge, naming the field and the fix', () => {
    const base = fixture('eventbridge/send.json').json;
    const cases: Array<[Record<string, unknown> | unknown, string, RegExp]> = [
      [
        { ...base, source: 'com.example.mailer' },
        'SES_UNRECOGNIZED_ENVELOPE',
        /^source: got "com\.example\.mailer"; .* "aws\.ses"/,
      ],
      [{ ...base, source: undefined }, 'SES_UNRECOGNIZED_ENVELOPE', /^source: required string missing/],
      [{ ...base, 'detail-type': 7 }, 'SES_INVALID', /^detail-type: expected string, got number/],
      [{ ...base, detail: 'x' }, 'SES_INVALID', /^detail: expected the SES event object, got string/],
      [{ ...base, detail: null }, 'SES_INVALID', /^detail: expected the SES event object, got null/],
      [
        { version: '0', source: 'aws.ses' },
        'SES_UNRECOGNIZED_ENVELOPE',
        /^detail-type: required field missing/,
      ],
      [{ ...base, detail: undefined }, 'SES_UNRECOGNIZED_ENVELOPE', /^detail: required field missing/],
      [[base], 'SES_UNRECOGNIZED_ENVELOPE', /^\(root\): expected an EventBridge event object, got array/],
    ];
    for (const [input, code, message] of cases) {
      const error = failed(parseEventBridgeEvent(JSON.parse(JSON.stringify(input ?? null)))).error;
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
    }
    const noMessageId = structuredClone(base) as any;
    delete noMessageId.detail.mail.messageId;
    assert.equal(
      failed(parseEventBridgeEvent(noMessageId)).error.message,
      'detail.mail.messageId: required string missing',
    );
  });

  it('never echoes an address from a contradicting detail into the message unredacted by callers', async () => {
    const tricky = structuredClone(fixture('eventbridge/send.json').json) as any;
    tricky.detail.eventType = 'alice@example.net';
    const message = failed(parseEventBridgeEvent(tricky)).error.message;
    // The parser quotes at most 60 characters; callers print it through redactEmail (as `parse` does here).
    assert.ok(message.length < 300);
    const err: string[] = [];
    const code = await runParse(['-'], {
      writeOut: () => undefined,
      writeErr: (line) => err.push(line),
      readStdin: async () => JSON.stringify(tricky),
    });
    assert.equal(code, 1);
    assert.match(err.join('\n'), /SES_DETAIL_TYPE_MISMATCH/);
    assert.doesNotMatch(err.join('\n'), /alice@example\.net/);
  });
});

describe('record source and schema v3', () => {
  const processed = { processedAt: new Date('2024-03-11T09:16:12.000Z'), producerVersion: '0.1.0' };

  it('writes the EventBridge facts into source, valid for v3; v1 and v2 values stay as they were', () => {
    const { event, envelope } = ok(
      parseSqsRecord(sqsRecord(fixture('eventbridge-edge/archive-replay.json').text)),
    );
    const source = recordSource(envelope, processed);
    const metadata = { status: 'SKIPPED' as const, attributes: {} };
    const v3 = toEnrichedValue(event, metadata, source, { schemaVersion: 'v3' }) as any;
    assert.deepEqual(
      {
        envelope: v3.source.envelope,
        eventBridgeId: v3.source.eventBridgeId,
        eventBridgeDetailType: v3.source.eventBridgeDetailType,
        eventBridgeTime: v3.source.eventBridgeTime,
        eventBridgeReplayName: v3.source.eventBridgeReplayName,
        configurationSet: v3.source.configurationSet,
        snsMessageId: v3.source.snsMessageId,
      },
      {
        envelope: 'sqs-eventbridge',
        eventBridgeId: '9d405263-7f8e-4091-82a3-becfd0214263',
        eventBridgeDetailType: 'Email Bounced',
        eventBridgeTime: Date.parse('2024-03-11T09:16:10Z'),
        eventBridgeReplayName: 'ses-backfill-2024-03',
        configurationSet: 'acme-transactional',
        snsMessageId: null,
      },
    );
    assert.ok(baseSchemaType('v3').isValid(v3));
    for (const version of ['v1', 'v2'] as const) {
      const older = toEnrichedValue(event, metadata, source, { schemaVersion: version }) as any;
      assert.equal('eventBridgeId' in older.source, false, version);
      assert.ok(baseSchemaType(version).isValid(older), version);
    }
    const sns = ok(parseSnsRecord(snsLambdaEvent([fixture('event-publishing/bounce.json').text]).Records[0]));
    const snsValue = toEnrichedValue(sns.event, metadata, recordSource(sns.envelope, processed), {
      schemaVersion: 'v3',
    }) as any;
    assert.equal(snsValue.source.eventBridgeId, null);
    assert.equal(snsValue.source.configurationSet, null);
    assert.equal(snsValue.eventId, v3.eventId, 'one SES event, one eventId, whichever door');
  });

  it('v3 is BACKWARD compatible with v2 (and v2 with v3): it only adds optional source fields', () => {
    const v2 = loadBaseSchema('v2');
    const v3 = loadBaseSchema('v3');
    const existing = [
      { version: 1, type: baseSchemaType('v1') },
      { version: 2, type: baseSchemaType('v2') },
    ];
    assert.deepEqual(checkCompatibility(baseSchemaType('v3'), existing, 'BACKWARD_TRANSITIVE'), []);
    assert.deepEqual(checkCompatibility(baseSchemaType('v3'), existing.slice(1), 'FULL'), []);
    const fieldsOf = (schema: any, name: string) =>
      schema.fields.find((f: any) => f.name === name).type.fields as Array<{
        name: string;
        default?: unknown;
      }>;
    const before = fieldsOf(v2, 'source').map((f) => f.name);
    const added = fieldsOf(v3, 'source').filter((f) => !before.includes(f.name));
    assert.deepEqual(
      added.map((f) => [f.name, f.default]),
      [
        ['eventBridgeId', null],
        ['eventBridgeDetailType', null],
        ['eventBridgeTime', null],
        ['eventBridgeReplayName', null],
        ['configurationSet', null],
      ],
    );
    assert.deepEqual(
      v3.fields.map((f) => f.name),
      v2.fields.map((f) => f.name),
    );
  });

  it('a v3 reader reads v2 data with the new fields null, and a v2 reader reads v3 data', () => {
    const v2 = baseSchemaType('v2');
    const v3 = baseSchemaType('v3');
    const { event, envelope } = ok(parseEventBridgeEvent(fixture('eventbridge/click.json').json));
    const metadata = { status: 'SKIPPED' as const, attributes: {} };
    const source = recordSource(envelope, processed);
    const old = toEnrichedValue(event, metadata, source, { schemaVersion: 'v2' });
    const read3 = v3.fromBuffer(v2.toBuffer(old), v3.createResolver(v2)) as any;
    assert.equal(read3.source.eventBridgeId, null);
    assert.equal(read3.eventId, event.eventId);
    const current = toEnrichedValue(event, metadata, source, { schemaVersion: 'v3' });
    const read2 = v2.fromBuffer(v3.toBuffer(current), v2.createResolver(v3)) as any;
    assert.equal('eventBridgeId' in read2.source, false);
    assert.deepEqual(read2, v2.clone(old));
  });
});
