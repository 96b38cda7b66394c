import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { isoFromMillis, lookup, toIsoTimestamp, toWarehouseEvent } from '../../../src/warehouse/rows.ts';
import { CAMPAIGNS, type FixtureValue, fixtureValues } from './ses-values.ts';

const origin = { topic: 'ses-events', partition: 2, offset: '41', wireFormat: 'confluent', schemaId: '7' };
const fixed = { now: () => new Date('2024-04-01T00:00:00Z') };

function mapped(value: unknown) {
  const result = toWarehouseEvent(value, origin, fixed);
  if (!result.ok) assert.fail(`expected a row, got ${result.code}: ${result.message}`);
  return result.row;
}

function only(values: FixtureValue[], fixture: string): FixtureValue {
  const found = values.find((item) => item.fixture === fixture);
  assert.ok(found, `fixture ${fixture} is missing`);
  return found;
}

describe('warehouse rows from decoded values', () => {
  const values = fixtureValues();

  it('maps every fixture to one event row carrying its id, type, time, sender and Kafka origin', () => {
    for (const { event, value, metadata } of values) {
      const { event: row } = mapped(value);
      assert.equal(row.event_id, event.eventId);
      assert.equal(row.event_type, event.eventType);
      assert.equal(row.event_time, new Date(event.eventTime).toISOString());
      assert.equal(row.event_day, new Date(event.eventTime).toISOString().slice(0, 10));
      assert.equal(row.message_id, event.mail.messageId);
      assert.equal(row.source_address, event.mail.sourceAddress);
      assert.equal(row.metadata_status, metadata.status);
      assert.deepEqual(row.metadata_attributes, metadata.attributes);
      assert.deepEqual(
        [row.kafka_topic, row.kafka_partition, row.kafka_offset, row.wire_format, row.schema_id],
        ['ses-events', 2, '41', 'confluent', '7'],
      );
      assert.equal((row.raw_value as { eventId: string }).eventId, event.eventId);
      assert.equal(JSON.parse(JSON.stringify(row.raw_value)).eventId, event.eventId);
    }
  });

  it('promotes the campaign from metadata attributes whatever their case, else leaves it NULL', () => {
    for (const { value, metadata } of values) {
      const campaign = Object.entries(metadata.attributes).find(
        ([name]) => name.toLowerCase() === 'campaign',
      )?.[1];
      assert.equal(mapped(value).event.campaign, campaign ?? null);
    }
    assert.ok(values.some(({ value }) => mapped(value).event.campaign === CAMPAIGNS[1]));
  });

  it('writes one recipient row per bounced recipient of a multi-recipient bounce, with DSN fields', () => {
    const bounce = only(values, 'edge/multi-recipient-bounce.json');
    const { event, recipients } = mapped(bounce.value);
    assert.equal(event.bounce_type, 'Permanent');
    assert.equal(event.bounce_sub_type, 'General');
    assert.deepEqual(
      recipients.map((row) => [
        row.recipient,
        row.role,
        row.recipient_source,
        row.status,
        row.recipient_domain,
      ]),
      (bounce.event.bounce?.bouncedRecipients ?? []).map((r) => [
        r.emailAddress,
        'bounced',
        'detail',
        r.status,
        'example.net',
      ]),
    );
    assert.ok(recipients.every((row) => row.event_id === bounce.event.eventId));
  });

  it('uses mail.destination for Send, and the detail recipients for Delivery, Complaint and DeliveryDelay', () => {
    const send = only(values, 'event-publishing/send.json');
    const sendRows = mapped(send.value).recipients;
    assert.deepEqual(
      sendRows.map((row) => row.recipient),
      send.event.mail.destination,
    );
    assert.ok(sendRows.every((row) => row.role === 'sent' && row.recipient_source === 'destination'));

    const delivery = only(values, 'event-publishing/delivery.json');
    assert.deepEqual(
      mapped(delivery.value).recipients.map((row) => [row.recipient, row.role]),
      (delivery.event.delivery?.recipients ?? []).map((address) => [address, 'delivered']),
    );
    const complaint = only(values, 'event-publishing/complaint.json');
    const complaintRow = mapped(complaint.value);
    assert.equal(
      complaintRow.event.complaint_feedback_type,
      complaint.event.complaint?.complaintFeedbackType ?? null,
    );
    assert.deepEqual(
      complaintRow.recipients.map((row) => row.role),
      complaint.event.complaint?.complainedRecipients.map(() => 'complained'),
    );
    const delay = only(values, 'event-publishing/delivery-delay.json');
    const delayRow = mapped(delay.value);
    assert.equal(delayRow.event.delay_type, delay.event.deliveryDelay?.delayType);
    assert.equal(delayRow.recipients.length, delay.event.deliveryDelay?.delayedRecipients.length);
    assert.ok(delayRow.recipients.every((row) => row.role === 'delayed'));
  });

  it('promotes click link, open/click user agent, subject and delivery processing time', () => {
    const click = only(values, 'event-publishing/click.json');
    assert.equal(mapped(click.value).event.click_link, click.event.click?.link);
    assert.equal(mapped(click.value).event.user_agent, click.event.click?.userAgent ?? null);
    const open = only(values, 'event-publishing/open.json');
    assert.equal(mapped(open.value).event.user_agent, open.event.open?.userAgent ?? null);
    assert.deepEqual(mapped(open.value).recipients, [], 'an open names no recipient');
    const delivery = only(values, 'event-publishing/delivery.json');
    assert.equal(
      mapped(delivery.value).event.processing_time_millis,
      delivery.event.delivery?.processingTimeMillis,
    );
    const bounce = only(values, 'event-publishing/bounce.json');
    assert.equal(mapped(bounce.value).event.subject, 'Welcome to Acme');
  });

  it('keeps an event type SES adds later, with its detail in raw_value', () => {
    const unknown = only(values, 'edge/unknown-event-type.json');
    const { event } = mapped(unknown.value);
    assert.equal(event.event_type, unknown.event.eventType);
    assert.equal(
      (event.raw_value as Record<string, unknown>).unknownFieldsJson,
      unknown.value.unknownFieldsJson,
    );
    // The fields SES added that the schema does not name yet, as a JSON column.
    assert.deepEqual(event.unknown_fields, JSON.parse(String(unknown.value.unknownFieldsJson)));
    assert.equal(mapped(only(values, 'event-publishing/send.json').value).event.unknown_fields, null);
  });

  describe('values reshaped by a transform chain', () => {
    const bounce = () => structuredClone(only(values, 'edge/multi-recipient-bounce.json').value);

    it('reads flattened field names (Flatten with delimiter _)', () => {
      const value = bounce();
      const mail = value.mail as Record<string, unknown>;
      const flat: Record<string, unknown> = { ...value };
      delete flat.mail;
      for (const [name, item] of Object.entries(mail)) flat[`mail_${name}`] = item;
      const row = mapped(flat);
      assert.equal(row.event.message_id, mail.messageId);
      assert.equal(row.event.source_address, mail.sourceAddress);
      assert.equal(row.event.destination_count, (mail.destination as string[]).length);
    });

    it('leaves dropped fields NULL instead of failing', () => {
      const value = bounce();
      delete value.metadata;
      delete (value.mail as Record<string, unknown>).sourceAddress;
      delete (value.mail as Record<string, unknown>).source;
      const row = mapped(value);
      assert.equal(row.event.metadata_status, null);
      assert.equal(row.event.metadata_attributes, null);
      assert.equal(row.event.source_address, null);
      assert.equal(row.event.campaign, null);
      assert.equal(row.recipients.length, 3);
    });

    it('keeps hashed recipients as rows, with no domain', () => {
      const value = bounce();
      const bounceDetail = value.bounce as { bouncedRecipients: { emailAddress: string }[] };
      const hashes = bounceDetail.bouncedRecipients.map((recipient) =>
        createHash('sha256').update(recipient.emailAddress).digest('hex'),
      );
      bounceDetail.bouncedRecipients.forEach((recipient, index) => {
        recipient.emailAddress = hashes[index] as string;
      });
      const rows = mapped(value).recipients;
      assert.deepEqual(
        rows.map((row) => row.recipient),
        hashes,
      );
      assert.ok(rows.every((row) => row.recipient_domain === null));
    });

    it('accepts a timestamp that TimestampConverter turned into text', () => {
      const value = bounce();
      value.eventTime = '2024-03-17T08:00:01.000Z';
      assert.equal(mapped(value).event.event_time, '2024-03-17T08:00:01.000Z');
      value.eventTime = 'not a time';
      assert.equal(mapped(value).event.event_time, null);
      assert.equal(mapped(value).event.event_day, null);
    });

    it('rejects a value without eventId, naming the fix', () => {
      const value = bounce();
      delete value.eventId;
      const result = toWarehouseEvent(value, origin);
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.code === 'WAREHOUSE_MISSING_EVENT_ID');
      assert.match(!result.ok ? result.message : '', /keep eventId in the transform chain/);
      assert.equal(toWarehouseEvent('text', origin).ok, false);
    });
  });

  it('lookup prefers the nested path and falls back to flattened names', () => {
    assert.equal(lookup({ a: { b: 1 }, a_b: 2 }, 'a', 'b'), 1);
    assert.equal(lookup({ a_b: 2 }, 'a', 'b'), 2);
    assert.equal(lookup({ 'a.b': 3 }, 'a', 'b'), 3);
    assert.equal(lookup({ a: 1 }, 'a', 'b'), undefined);
  });

  it('toIsoTimestamp reads epoch millis as number, bigint or digits, ISO text and Date', () => {
    const iso = '2024-03-17T08:00:01.000Z';
    const millis = Date.parse(iso);
    for (const input of [millis, BigInt(millis), String(millis), iso, new Date(millis)]) {
      assert.equal(toIsoTimestamp(input), iso);
    }
    for (const input of [null, undefined, {}, 'yesterday', Number.NaN])
      assert.equal(toIsoTimestamp(input), null);
  });
});

describe('isoFromMillis', () => {
  it('writes exactly what Date.prototype.toISOString writes, over the whole range a Date holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (millis) => {
        assert.equal(isoFromMillis(millis), new Date(millis).toISOString());
      }),
      { numRuns: 20_000 },
    );
    for (const millis of [
      0, -1, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999, -62_167_219_200_000,
    ]) {
      assert.equal(isoFromMillis(millis), new Date(millis).toISOString(), String(millis));
    }
  });
});
