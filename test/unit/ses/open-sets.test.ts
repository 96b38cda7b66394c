import { strict as assert } from 'node:assert';
import { bareAddress, type ParseOutcome, parseAnyInput, type SesEvent } from '../../../src/ses/index.ts';
import { fixture } from './helpers.ts';

function parseOne(json: unknown): SesEvent {
  const outcomes: ParseOutcome[] = parseAnyInput(JSON.stringify(json));
  const [outcome] = outcomes;
  if (!outcome?.ok) assert.fail(outcome ? `${outcome.error.code}: ${outcome.error.message}` : 'no outcome');
  return outcome.event;
}

describe('ses parse: open sets and edge cases', () => {
  it('passes an unknown event type through, keeping its detail object in extra', () => {
    const event = parseOne(fixture('edge/unknown-event-type.json').json);
    assert.equal(event.eventType, 'Quarantine');
    assert.deepEqual(event.extra, {
      quarantine: { timestamp: '2024-03-21T12:00:00.000Z', reason: 'held for review' },
    });
    // Its time comes from the detail SES would name after it (`quarantine`), not from the send time.
    assert.equal(event.eventTime, '2024-03-21T12:00:00.000Z');
    const json = fixture('edge/unknown-event-type.json').json;
    delete json.quarantine;
    assert.equal(parseOne(json).eventTime, (json.mail as { timestamp: string }).timestamp);
  });

  it('takes event types and fields named like Object members as data, not as inherited members', () => {
    for (const eventType of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const json = fixture('edge/unknown-event-type.json').json;
      json.eventType = eventType;
      const event = parseOne(json);
      assert.equal(event.eventType, eventType);
    }
    const text = JSON.stringify(fixture('event-publishing/send.json').json).replace(
      /^\{/,
      '{"__proto__":{"x":1},',
    );
    const [outcome] = parseAnyInput(text);
    assert.ok(outcome?.ok);
    // A `__proto__` field must never become the prototype of what the parser returns.
    assert.equal(Object.getPrototypeOf(outcome.event.extra), Object.prototype);
    assert.equal((outcome.event.extra as { x?: unknown }).x, undefined);
  });

  it('passes new bounce types, bounce subtypes and delay types through as strings', () => {
    const suppressed = parseOne(fixture('edge/on-account-suppression-list.json').json);
    assert.equal(suppressed.bounce?.bounceSubType, 'OnAccountSuppressionList');
    const json = fixture('event-publishing/bounce.json').json;
    (json.bounce as Record<string, unknown>).bounceType = 'SomethingNew';
    (json.bounce as Record<string, unknown>).bounceSubType = 'AlsoNew';
    assert.equal(parseOne(json).bounce?.bounceType, 'SomethingNew');
    const delay = parseOne(fixture('edge/unknown-extra-fields.json').json);
    assert.equal(delay.deliveryDelay?.delayType, 'BYOIPHostNameLookupUnavailable');
  });

  it('accepts complaintSubType null and keeps it null', () => {
    const event = parseOne(fixture('edge/complaint-subtype-null.json').json);
    assert.equal(event.complaint?.complaintSubType, null);
    assert.equal(event.format, 'NOTIFICATION');
  });

  it('keeps unknown fields at every level', () => {
    const event = parseOne(fixture('edge/unknown-extra-fields.json').json);
    assert.deepEqual(event.extra, { schemaHint: 'future-top-level-field' });
    assert.deepEqual(event.mail.tenant, { name: 'acme-eu', id: 't-42' });
    assert.equal(event.deliveryDelay?.retryCount, 3);
    assert.equal(event.deliveryDelay?.delayedRecipients[0]?.attempt, 3);
  });

  it('keeps every recipient of a multi-recipient bounce and delay', () => {
    const bounce = parseOne(fixture('edge/multi-recipient-bounce.json').json);
    assert.deepEqual(
      bounce.bounce?.bouncedRecipients.map((r) => [r.emailAddress, r.status]),
      [
        ['mia@example.net', '5.1.1'],
        ['noah@example.net', '5.1.1'],
        ['olga@example.net', '5.2.1'],
      ],
    );
    assert.equal(bounce.mail.destination.length, 4);
    const delay = parseOne(fixture('edge/unknown-extra-fields.json').json);
    assert.deepEqual(
      delay.deliveryDelay?.delayedRecipients.map((r) => r.emailAddress),
      ['vera@example.net', 'walt@example.net'],
    );
  });

  it('keeps a display-name source and exposes the bare address', () => {
    const event = parseOne(fixture('edge/named-source.json').json);
    assert.equal(event.mail.source, '"Acme, Customer Care" <care+replies@example.com>');
    assert.equal(event.mail.sourceAddress, 'care+replies@example.com');
    assert.equal(
      parseOne(fixture('event-publishing/bounce.json').json).mail.sourceAddress,
      'orders@example.com',
    );
  });

  it('prefers eventType when a message carries both eventType and notificationType', () => {
    const json = { ...fixture('event-publishing/open.json').json, notificationType: 'Open' };
    const event = parseOne(json);
    assert.equal(event.format, 'EVENT_PUBLISHING');
    assert.deepEqual(event.extra, {});
  });
});

describe('bareAddress', () => {
  const cases: Array<[string, string]> = [
    ['sender@example.com', 'sender@example.com'],
    ['  sender@example.com ', 'sender@example.com'],
    ['Sender Name <sender@example.com>', 'sender@example.com'],
    ['"Doe, Jane" <jane@example.com>', 'jane@example.com'],
    ['"a <b> c" <real@example.com>', 'real@example.com'],
    ['=?UTF-8?B?w4lxdWlwZQ==?= <team@example.com>', 'team@example.com'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => assert.equal(bareAddress(input), expected));
  }
});
