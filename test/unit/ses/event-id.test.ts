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
