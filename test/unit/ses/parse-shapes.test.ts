import { strict as assert } from 'node:assert';
import type { EnvelopeKind, ParseOutcome, SesEvent } from '../../../src/ses/index.ts';
import {
  parseAnyInput,
  parseLambdaEvent,
  parseSnsNotification,
  parseSnsRecord,
  parseSqsRecord,
} from '../../../src/ses/index.ts';
import { DETAIL_KEY_BY_EVENT_TYPE, DETAIL_KEYS } from '../../../src/ses/model.ts';
import {
  type Fixture,
  fixture,
  shapeFixtures,
  snsLambdaEvent,
  snsNotification,
  sqsLambdaEvent,
  sqsRecord,
  TOPIC_ARN,
} from './helpers.ts';

function only(outcomes: ParseOutcome[]): ParseOutcome {
  assert.equal(outcomes.length, 1, `expected one outcome, got ${outcomes.length}`);
  return outcomes[0] as ParseOutcome;
}

function expectEvent(outcome: ParseOutcome): SesEvent {
  if (!outcome.ok) assert.fail(`expected success, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.event;
}

/** Each way AWS can hand us the same SES message, and what the envelope info must say. */
const ENVELOPES: Array<{
  kind: EnvelopeKind;
  wrap: (text: string) => ParseOutcome;
  snsIds: boolean;
  sqsId: boolean;
}> = [
  {
    kind: 'sns-lambda',
    wrap: (text) => only(parseLambdaEvent(snsLambdaEvent([text]))),
    snsIds: true,
    sqsId: false,
  },
  {
    kind: 'sqs-sns',
    wrap: (text) => only(parseLambdaEvent(sqsLambdaEvent([text], false))),
    snsIds: true,
    sqsId: true,
  },
  {
    kind: 'sqs-raw',
    wrap: (text) => only(parseLambdaEvent(sqsLambdaEvent([text], true))),
    snsIds: false,
    sqsId: true,
  },
  {
    kind: 'sns-http',
    wrap: (text) => only(parseAnyInput(JSON.stringify(snsNotification(text)))),
    snsIds: true,
    sqsId: false,
  },
  { kind: 'bare', wrap: (text) => only(parseAnyInput(text)), snsIds: false, sqsId: false },
];

function expectedFormatAndType(json: Record<string, unknown>): { format: string; eventType: string } {
  return typeof json.eventType === 'string'
    ? { format: 'EVENT_PUBLISHING', eventType: json.eventType }
    : { format: 'NOTIFICATION', eventType: json.notificationType as string };
}

describe('ses parse: every shape through every envelope', () => {
  const shapes = shapeFixtures();

  it('covers the 10 event-publishing types and the 3 notification types', () => {
    const published = new Set(shapes.filter((f) => 'eventType' in f.json).map((f) => f.json.eventType));
    const notified = new Set(
      shapes.filter((f) => 'notificationType' in f.json).map((f) => f.json.notificationType),
    );
    assert.deepEqual([...published].sort(), Object.keys(DETAIL_KEY_BY_EVENT_TYPE).sort());
    assert.deepEqual([...notified].sort(), ['Bounce', 'Complaint', 'Delivery']);
  });

  for (const shape of shapes) {
    for (const envelope of ENVELOPES) {
      it(`${shape.name} via ${envelope.kind}`, () => {
        const outcome = envelope.wrap(shape.text);
        const event = expectEvent(outcome);
        assert.equal(outcome.ok && outcome.envelope.kind, envelope.kind);
        const { format, eventType } = expectedFormatAndType(shape.json);
        assert.equal(event.format, format);
        assert.equal(event.eventType, eventType);
        const mail = shape.json.mail as Record<string, unknown>;
        assert.equal(event.mail.messageId, mail.messageId);
        assert.deepEqual(event.mail.destination, mail.destination);
        // The detail object of this type is carried over as SES wrote it, and no other detail appears.
        const detailKey = DETAIL_KEY_BY_EVENT_TYPE[eventType];
        assert.ok(detailKey, `known type ${eventType}`);
        assert.deepEqual(event[detailKey], shape.json[detailKey] ?? undefined);
        for (const other of DETAIL_KEYS.filter((key) => key !== detailKey))
          assert.equal(event[other], undefined);
        // eventTime: the detail timestamp where the type has one, else the send time.
        const detail = shape.json[detailKey] as { timestamp?: string } | undefined;
        assert.equal(event.eventTime, detail?.timestamp ?? mail.timestamp);

        const info = outcome.envelope;
        assert.equal(info.topicArn, envelope.snsIds ? TOPIC_ARN : undefined);
        assert.equal(typeof info.snsMessageId, envelope.snsIds ? 'string' : 'undefined');
        assert.equal(typeof info.snsTimestamp, envelope.snsIds ? 'string' : 'undefined');
        assert.equal(typeof info.sqsMessageId, envelope.sqsId ? 'string' : 'undefined');
      });
    }
  }

  it('gives the same event (and eventId) whatever the envelope', () => {
    for (const shape of shapes) {
      const events = ENVELOPES.map((envelope) => expectEvent(envelope.wrap(shape.text)));
      for (const event of events.slice(1)) assert.deepEqual(event, events[0], shape.name);
    }
  });

  it('parses a Lambda batch in order, one outcome per record', () => {
    const texts = shapes.map((shape) => shape.text);
    const outcomes = parseLambdaEvent(snsLambdaEvent(texts));
    assert.equal(outcomes.length, texts.length);
    outcomes.forEach((outcome, index) => {
      assert.equal(outcome.location, `Records[${index}]`);
      const mail = (shapes[index] as Fixture).json.mail as { messageId: string };
      assert.equal(expectEvent(outcome).mail.messageId, mail.messageId);
    });
  });

  it('parses single SNS and SQS records and SNS HTTP bodies through their own entry points', () => {
    const text = fixture('event-publishing/open.json').text;
    const sns = snsLambdaEvent([text]).Records[0];
    assert.equal(expectEvent(parseSnsRecord(sns)).eventType, 'Open');
    assert.equal(parseSqsRecord(sqsRecord(text)).envelope.kind, 'sqs-raw');
    assert.equal(parseSqsRecord(sqsRecord(JSON.stringify(snsNotification(text)))).envelope.kind, 'sqs-sns');
    assert.equal(parseSnsNotification(snsNotification(text)).envelope.kind, 'sns-http');
    // A single record given as text (e.g. a dead-lettered one) is recognised too.
    assert.equal(only(parseAnyInput(JSON.stringify(sns))).envelope.kind, 'sns-lambda');
  });

  it('keeps raw as the record as received so a dead-lettered record parses again', () => {
    const text = fixture('event-publishing/click.json').text;
    const [outcome] = parseLambdaEvent(sqsLambdaEvent([text], false));
    assert.ok(outcome);
    const again = only(parseAnyInput(outcome.raw));
    assert.equal(again.envelope.kind, 'sqs-sns');
    assert.deepEqual(expectEvent(again), expectEvent(outcome));
  });

  it('reads NDJSON and JSON arrays, one outcome per document, with their location', () => {
    const lines = [
      'event-publishing/send.json',
      'event-publishing/delivery.json',
      'notification/bounce-with-dsn.json',
    ].map((name) => JSON.stringify(fixture(name).json));
    const ndjson = parseAnyInput(`${lines.join('\n')}\n`);
    assert.deepEqual(
      ndjson.map((o) => [o.location, o.ok && o.event.eventType]),
      [
        ['line 1', 'Send'],
        ['line 2', 'Delivery'],
        ['line 3', 'Bounce'],
      ],
    );
    const array = parseAnyInput(`[${lines.join(',')}]`);
    assert.deepEqual(
      array.map((o) => o.location),
      ['[0]', '[1]', '[2]'],
    );
  });

  it('exposes identity-notification-only mail fields', () => {
    const event = expectEvent(only(parseAnyInput(fixture('notification/bounce-with-dsn.json').text)));
    assert.equal(event.mail.sourceIp, '203.0.113.9');
    assert.equal(event.mail.callerIdentity, 'acme-billing-role');
    assert.equal(event.mail.tags, undefined);
    assert.equal(event.bounce?.remoteMtaIp, '192.0.2.80');
  });
});
