/**
 * A realistic, deterministic stream of SES events for the report test: several days of mail from a few
 * senders and campaigns, each message with its Send and then a Delivery (with Opens and Clicks) or a
 * Bounce, occasional DeliveryDelays and Complaints, one day's bounce rate above SES's 5% review line.
 * The raw SES JSON is built from the event-publishing fixtures and parsed by src/ses, so event ids and
 * shapes are exactly what the producer makes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../../src/demo/seeded-random.ts';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import { recordSource, toEnrichedValue } from '../../../src/ses/enriched-value.ts';
import { parseAnyInput } from '../../../src/ses/parse.ts';
import type { FixtureValue } from './ses-values.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/ses/event-publishing/', import.meta.url));
type Json = Record<string, unknown>;

function template(name: string): Json {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as Json;
}

const SENDERS = ['Acme Orders <orders@example.com>', 'Acme News <news@example.com>', 'billing@example.com'];
const CAMPAIGNS = ['spring-sale', 'welcome-series', 'invoices'];
const DOMAINS = ['example.net', 'example.org', 'mail.example.net', 'inbox.example.org', 'example.edu'];

export interface StreamOptions {
  days?: number;
  messagesPerDay?: number;
  seed?: number;
}

export function syntheticStream(options: StreamOptions = {}): FixtureValue[] {
  const days = options.days ?? 7;
  const perDay = options.messagesPerDay ?? 120;
  const next = seededRandom(options.seed ?? 42);
  const templates = {
    send: template('send'),
    delivery: template('delivery'),
    bounce: template('bounce'),
    complaint: template('complaint'),
    open: template('open'),
    click: template('click'),
    delay: template('delivery-delay'),
  };
  const texts: { text: string; metadata: EmailMetadata }[] = [];
  const start = Date.parse('2024-05-06T08:00:00.000Z');
  let serial = 0;
  for (let day = 0; day < days; day += 1) {
    // Day 3 has a list-hygiene problem: many hard bounces.
    const bounceShare = day === 3 ? 0.09 : 0.015 + next() * 0.02;
    for (let index = 0; index < perDay; index += 1) {
      serial += 1;
      const senderIndex = index % SENDERS.length;
      const source = SENDERS[senderIndex] as string;
      const campaign = CAMPAIGNS[senderIndex] as string;
      const recipient = `user${serial}@${DOMAINS[Math.floor(next() * DOMAINS.length)]}`;
      const sentAt = start + day * 86_400_000 + index * 240_000;
      const messageId = `0102018f${serial.toString(16).padStart(8, '0')}-synthetic-${String(serial).padStart(6, '0')}`;
      const roll = next();
      const metadata: EmailMetadata =
        roll < 0.85
          ? { status: 'FOUND', attributes: { campaign, tenant: 'acme' }, source: 'predecessor' }
          : roll < 0.95
            ? { status: 'NOT_FOUND', attributes: {} }
            : roll < 0.98
              ? { status: 'ERROR', attributes: {}, reason: 'throttled' }
              : { status: 'SKIPPED', attributes: {}, reason: 'no key' };
      const at = (offsetMs: number) => new Date(sentAt + offsetMs).toISOString();
      const mail = (base: Json): Json => {
        const original = base.mail as Json;
        return {
          ...original,
          messageId,
          timestamp: at(0),
          source,
          destination: [recipient],
          commonHeaders: { ...(original.commonHeaders as Json | undefined), to: [recipient], from: [source] },
          tags: { ...(original.tags as Json | undefined), campaign: [campaign] },
        };
      };
      const emit = (base: Json, detailName: string, detail: Json) =>
        texts.push({ text: JSON.stringify({ ...base, mail: mail(base), [detailName]: detail }), metadata });

      emit(templates.send, 'send', {});
      if (next() < 0.03) {
        emit(templates.delay, 'deliveryDelay', {
          ...(templates.delay.deliveryDelay as Json),
          timestamp: at(60_000),
          delayedRecipients: [{ emailAddress: recipient, status: '4.4.1' }],
        });
      }
      if (next() < bounceShare) {
        emit(templates.bounce, 'bounce', {
          ...(templates.bounce.bounce as Json),
          bounceType: 'Permanent',
          bounceSubType: next() < 0.7 ? 'General' : 'NoEmail',
          bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1' }],
          timestamp: at(2_000),
          feedbackId: `bounce-${serial}`,
        });
        continue;
      }
      emit(templates.delivery, 'delivery', {
        ...(templates.delivery.delivery as Json),
        timestamp: at(1_500),
        recipients: [recipient],
      });
      if (next() < 0.4)
        emit(templates.open, 'open', { ...(templates.open.open as Json), timestamp: at(3_600_000) });
      if (next() < 0.12)
        emit(templates.click, 'click', { ...(templates.click.click as Json), timestamp: at(3_700_000) });
      // Complaints arrive the next day: the rate views still count them against the send day.
      if (next() < 0.004) {
        emit(templates.complaint, 'complaint', {
          ...(templates.complaint.complaint as Json),
          complainedRecipients: [{ emailAddress: recipient }],
          timestamp: at(86_400_000 + 3_600_000),
          arrivalDate: at(86_400_000 + 3_500_000),
          feedbackId: `complaint-${serial}`,
        });
      }
    }
  }
  return texts.map(({ text, metadata }) => {
    const [outcome] = parseAnyInput(text);
    if (!outcome?.ok) throw new Error(`synthetic event does not parse: ${outcome?.error.message}`);
    const value = toEnrichedValue(
      outcome.event,
      metadata,
      recordSource(outcome.envelope, { processedAt: new Date(start), producerVersion: 'synthetic' }),
      { schemaVersion: 'v2' },
    );
    return { fixture: 'synthetic', event: outcome.event, metadata, value };
  });
}
