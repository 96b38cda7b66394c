/**
 * Record values for the warehouse tests, built the way the producer builds them: every SES fixture
 * parsed by src/ses and turned into the base-schema v2 value by toEnrichedValue, with enrichment
 * results cycling through FOUND / NOT_FOUND / ERROR / SKIPPED.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import { baseSchemaType } from '../../../src/ses/base-schema.ts';
import { recordSource, toEnrichedValue } from '../../../src/ses/enriched-value.ts';
import type { SesEvent } from '../../../src/ses/model.ts';
import { parseAnyInput } from '../../../src/ses/parse.ts';
import type { DecodeErrorRow, SinkBatch } from '../../../src/warehouse/model.ts';
import { toWarehouseEvent } from '../../../src/warehouse/rows.ts';

const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/ses/', import.meta.url));
export const FIXTURE_FOLDERS = ['event-publishing', 'notification', 'edge'] as const;

export interface FixtureValue {
  fixture: string;
  event: SesEvent;
  metadata: EmailMetadata;
  value: Record<string, unknown>;
}

export const CAMPAIGNS = ['spring-sale', 'welcome-series'] as const;

function metadataFor(index: number): EmailMetadata {
  switch (index % 4) {
    case 0:
      return {
        status: 'FOUND',
        attributes: { campaign: CAMPAIGNS[index % 2 === 0 ? 0 : 1], tenant: 'acme' },
        source: 'predecessor',
      };
    case 1:
      return {
        status: 'FOUND',
        attributes: { Campaign: CAMPAIGNS[1], userId: 'u-7' },
        source: 'predecessor',
      };
    case 2:
      return { status: 'NOT_FOUND', attributes: {} };
    default:
      return { status: index % 8 === 3 ? 'ERROR' : 'SKIPPED', attributes: {}, reason: 'test' };
  }
}

/** One value per parsed fixture event, valid for schemas/ses-email-event/v2.avsc. */
export function fixtureValues(): FixtureValue[] {
  const type = baseSchemaType('v2');
  const values: FixtureValue[] = [];
  for (const folder of FIXTURE_FOLDERS) {
    for (const file of readdirSync(`${FIXTURE_DIR}${folder}`)
      .filter((name) => name.endsWith('.json'))
      .sort()) {
      for (const outcome of parseAnyInput(readFileSync(`${FIXTURE_DIR}${folder}/${file}`, 'utf8'))) {
        if (!outcome.ok)
          throw new Error(`fixture ${folder}/${file} does not parse: ${outcome.error.message}`);
        const metadata = metadataFor(values.length);
        const value = toEnrichedValue(
          outcome.event,
          metadata,
          recordSource(outcome.envelope, {
            processedAt: new Date('2024-03-20T00:00:00Z'),
            producerVersion: 'test',
          }),
          { schemaVersion: 'v2' },
        );
        if (!type.isValid(value)) throw new Error(`value for ${folder}/${file} does not match the v2 schema`);
        values.push({ fixture: `${folder}/${file}`, event: outcome.event, metadata, value });
      }
    }
  }
  return values;
}

/** Per-recipient outcome counts computed straight from the SES events, to check the views against. */
export function expectedRecipientCounts(values: FixtureValue[]) {
  const counts = { bounced: 0, hardBounced: 0, complained: 0, delivered: 0, delayed: 0, sent: 0 };
  for (const { event } of values) {
    if (event.bounce) {
      const n = new Set(event.bounce.bouncedRecipients.map((r) => r.emailAddress)).size;
      counts.bounced += n;
      if (event.bounce.bounceType === 'Permanent') counts.hardBounced += n;
    } else if (event.complaint) {
      counts.complained += new Set(event.complaint.complainedRecipients.map((r) => r.emailAddress)).size;
    } else if (event.deliveryDelay) {
      counts.delayed += new Set(event.deliveryDelay.delayedRecipients.map((r) => r.emailAddress)).size;
    } else if (event.delivery) {
      const named = event.delivery.recipients.length > 0 ? event.delivery.recipients : event.mail.destination;
      counts.delivered += new Set(named).size;
    } else if (event.eventType === 'Send') {
      counts.sent += new Set(event.mail.destination).size;
    }
  }
  return counts;
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

/** The sink batch the consumer would build for these values, read from `topic` at consecutive offsets. */
export function batchOf(
  values: FixtureValue[],
  topic = 'ses-events',
  firstOffset = 0,
  partition = 0,
): SinkBatch {
  return {
    slices: [
      {
        topic,
        partition,
        records: values.map(({ value }, index) => {
          const offset = String(firstOffset + index);
          const result = toWarehouseEvent(value, { topic, partition, offset });
          if (!result.ok) throw new Error(result.message);
          return { offset, valueBytes: 1000, event: result.row };
        }),
      },
    ],
    extraColumns: [],
  };
}

/** A batch of decode-error rows only, each in its own slice. */
export function errorBatch(rows: DecodeErrorRow[]): SinkBatch {
  return {
    slices: rows.map((row) => ({
      topic: String(row.kafka_topic),
      partition: Number(row.kafka_partition),
      records: [
        { offset: String(row.kafka_offset), valueBytes: Number(row.value_size ?? 0), decodeError: row },
      ],
    })),
    extraColumns: [],
  };
}
