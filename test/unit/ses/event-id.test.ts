// biome-ignore-all lint/suspicious/noExplicitAny: fixtures and record values are untyped JSON, read and mutated by path
import { strict as assert } from 'node:assert';
import { eventIdFor, parseAnyInput, type SesEvent } from '../../../src/ses/index.ts';
import { fixture, fixturesIn, shapeFixtures, snsLambdaEvent, sqsLambdaEvent } from './helpers.ts';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function parseJson(json: unknown): SesEvent {
  const [outcome] = parseAnyInput(JSON.stringify(json));
  if (!outcome?.ok) assert.fail(outcome ? outcome.error.message : 'no outcome');
  return outcome.event;
}

function mutated(name: string, change: (json: Record<string, any>) => void): SesEvent {
  const json = fixture(name).json as Record<string, any>;
  change(json);
  return parseJson(json);
}

describe('eventIdFor', () => {
  it('is a UUIDv8-shaped string and equals the id the parser assigns', () => {
    for (const shape of shapeFixtures()) {
      const event = parseJson(shape.json);
      assert.match(event.eventId, UUID_V8);
      assert.equal(eventIdFor(event), event.eventId);
    }
  });

  it('is deterministic: the same SES message redelivered in any envelope gets the same id', () => {
    const text = fixture('event-publishing/bounce.json').text;
    const ids = new Set(
      [
        ...parseAnyInput(text),
        ...parseAnyInput(text.replace(/\s+/g, ' ')),
        ...parseAnyInput(JSON.stringify(snsLambdaEvent([text, text]))),
        ...parseAnyInput(JSON.stringify(sqsLambdaEvent([text], true))),
      ].map((outcome) => (outcome.ok ? outcome.event.eventId : outcome.error.message)),
    );
    assert.equal(ids.size, 1);
  });

  it('does not depend on recipient order or on fields outside the recipe', () => {
    const base = parseJson(fixture('edge/multi-recipient-bounce.json').json);
    const reordered = mutated('edge/multi-recipient-bounce.json', (json) =>
      json.bounce.bouncedRecipients.reverse(),
    );
    const otherDiagnostic = mutated('edge/multi-recipient-bounce.json', (json) => {
      json.bounce.bouncedRecipients[0].diagnosticCode = 'smtp; 550 changed';
    });
    assert.equal(reordered.eventId, base.eventId);
    assert.equal(otherDiagnostic.eventId, base.eventId);
  });

  it('differs across every fixture', () => {
    const all = [...shapeFixtures(), ...fixturesIn('edge')].map((f) => parseJson(f.json).eventId);
    assert.equal(new Set(all).size, all.length);
  });

  it('changes with each recipe input', () => {
    const base = parseJson(fixture('event-publishing/bounce.json').json).eventId;
    const variants: Array<[string, (json: Record<string, any>) => void]> = [
      ['messageId', (json) => (json.mail.messageId = `${json.mail.messageId}x`)],
      ['detail timestamp', (json) => (json.bounce.timestamp = '2024-03-11T09:16:10.119Z')],
      ['feedbackId', (json) => (json.bounce.feedbackId = 'other-feedback')],
      ['recipient', (json) => (json.bounce.bouncedRecipients[0].emailAddress = 'someone@example.net')],
      [
        'eventType',
        (json) => {
          json.eventType = 'Delivery';
          json.delivery = { timestamp: json.bounce.timestamp, recipients: ['nobody@example.net'] };
          delete json.bounce;
        },
      ],
    ];
    for (const [what, change] of variants) {
      assert.notEqual(mutated('event-publishing/bounce.json', change).eventId, base, what);
    }
  });

  it('tells apart two events of a type SES adds later by their detail timestamp', () => {
    const first = parseJson(fixture('edge/unknown-event-type.json').json);
    const later = mutated(
      'edge/unknown-event-type.json',
      (json) => (json.quarantine.timestamp = '2024-03-21T13:00:00.000Z'),
    );
    assert.notEqual(first.eventId, later.eventId);
  });

  it('tells apart two opens or two clicks of one email', () => {
    const open1 = parseJson(fixture('event-publishing/open.json').json);
    const open2 = mutated(
      'event-publishing/open.json',
      (json) => (json.open.timestamp = '2024-03-12T10:00:00.000Z'),
    );
    assert.notEqual(open1.eventId, open2.eventId);
    const click1 = parseJson(fixture('event-publishing/click.json').json);
    const click2 = mutated(
      'event-publishing/click.json',
      (json) => (json.click.link = 'https://www.example.com/other'),
    );
    assert.notEqual(click1.eventId, click2.eventId);
  });

  it('tells apart opens and clicks of one email in the same millisecond by IP address and user agent', () => {
    for (const [name, detail] of [
      ['event-publishing/open.json', 'open'],
      ['event-publishing/click.json', 'click'],
    ] as const) {
      const base = parseJson(fixture(name).json);
      const otherIp = mutated(name, (json) => (json[detail].ipAddress = '203.0.113.9'));
      const otherAgent = mutated(name, (json) => (json[detail].userAgent = 'Other/1.0'));
      assert.equal(new Set([base.eventId, otherIp.eventId, otherAgent.eventId]).size, 3, name);
      assert.equal(otherIp.eventTime, base.eventTime);
    }
  });

  it('keeps the id of every event type other than Open and Click exactly as before (v1 recipe)', () => {
    // Ids computed before ipAddress and userAgent joined the recipe for opens and clicks: upserts on
    // every other event type must not see new ids for events they already hold.
    const before: [string, string][] = [
      ['event-publishing/bounce.json', '14422844-ba0f-802c-a675-e3a115944692'],
      ['event-publishing/complaint.json', 'cb1a8fbb-a31c-8501-8f90-05396a575dff'],
      ['event-publishing/delivery-delay.json', '06062eab-cb97-838c-87cd-45d2989f79f7'],
      ['event-publishing/delivery.json', 'ee778159-5c3e-89fa-abc7-c1801301d6bf'],
      ['event-publishing/reject.json', '2c6be5fd-ae34-87ac-9438-41692604fad6'],
      ['event-publishing/rendering-failure.json', '8487949d-40c1-8ce6-aab4-d58757e9f54c'],
      ['event-publishing/send.json', 'd38d5122-a902-8871-87d5-1e32f3787f5f'],
      ['event-publishing/subscription.json', '48ba01df-e111-8416-a8a7-bf917ad15113'],
      ['notification/bounce-with-dsn.json', '4e597b99-2eb0-8117-aa68-78840d19d03b'],
      ['notification/bounce-without-dsn.json', '617b3855-6ca4-800a-83cf-8c1a79f2733d'],
      ['notification/complaint-with-feedback.json', '7c99cf33-ff77-89ff-b45a-ec95f912f337'],
      ['notification/complaint-without-feedback.json', '3476b7f0-92d2-8a42-9b15-c3f11f35f23a'],
      ['notification/delivery.json', 'ecb73f2f-deaa-825a-8679-6cd721037073'],
      ['edge/complaint-subtype-null.json', '5e2e3950-a447-8d75-aa08-48d2c9405367'],
      ['edge/multi-recipient-bounce.json', '51140207-aa01-89cd-a8f3-a8f21aa0f730'],
      ['edge/named-source.json', 'cfc44ddd-250b-8993-8b17-e93bdf21a6d4'],
      ['edge/on-account-suppression-list.json', '61e411f9-1860-8612-8efd-c13428f8090d'],
      ['edge/unknown-event-type.json', '1fdcc849-0a27-8f16-b7a2-b9a8ed2ded4e'],
      ['edge/unknown-extra-fields.json', 'ba6a83ea-fb38-8234-86fa-1a9c4f890e03'],
    ];
    for (const [name, id] of before) assert.equal(parseJson(fixture(name).json).eventId, id, name);
  });

  it('gives an event-publishing bounce and the identity notification of the same bounce the same id', () => {
    const published = parseJson(fixture('notification/bounce-with-dsn.json').json);
    const asEvent = mutated('notification/bounce-with-dsn.json', (json) => {
      json.eventType = json.notificationType;
      delete json.notificationType;
    });
    assert.equal(asEvent.format, 'EVENT_PUBLISHING');
    assert.equal(asEvent.eventId, published.eventId);
  });
});
