import { createHash } from 'node:crypto';
import type { SesEvent } from './model.ts';

/** Bumped only if the id recipe changes, which would break upserts for every consumer. */
const RECIPE = 'ses-event-id/v1';

type EventIdInput = Pick<
  SesEvent,
  'mail' | 'eventType' | 'bounce' | 'complaint' | 'delivery' | 'deliveryDelay' | 'click' | 'subscription'
> & { eventTime?: string };

/** The recipients this event is about: the detail's own list where it has one, else the whole envelope. */
export function recipientsOf(event: EventIdInput): string[] {
  if (event.bounce) return event.bounce.bouncedRecipients.map((r) => r.emailAddress);
  if (event.complaint) return event.complaint.complainedRecipients.map((r) => r.emailAddress);
  if (event.delivery) return event.delivery.recipients;
  if (event.deliveryDelay) return event.deliveryDelay.delayedRecipients.map((r) => r.emailAddress);
  return event.mail.destination;
}

function detailTimestamp(event: EventIdInput): string {
  return (
    event.bounce?.timestamp ??
    event.complaint?.timestamp ??
    event.delivery?.timestamp ??
    event.deliveryDelay?.timestamp ??
    event.click?.timestamp ??
    event.subscription?.timestamp ??
    event.eventTime ??
    ''
  );
}

/**
 * A deterministic id for one SES event (DESIGN.md "Data contract"): SHA-256 over messageId, eventType,
 * the detail timestamp, feedbackId and the sorted recipients, plus the clicked link and the contact list
 * so two clicks or two subscription changes in the same millisecond stay distinct. A redelivered SNS or
 * SQS message yields the same id, so consumers that upsert on it ignore duplicates. The format
 * (event publishing vs notification) is deliberately left out: both describe the same real-world event.
 *
 * Shaped as an RFC 9562 UUIDv8 (custom, hash-based) so warehouses can store it in a UUID column.
 */
export function eventIdFor(event: EventIdInput): string {
  const parts = [
    RECIPE,
    event.mail.messageId,
    event.eventType,
    detailTimestamp(event),
    event.bounce?.feedbackId ?? event.complaint?.feedbackId ?? '',
    [...recipientsOf(event)].sort(),
    event.click?.link ?? '',
    event.subscription?.contactList ?? '',
  ];
  const hex = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
