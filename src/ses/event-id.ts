import { hkdfSync } from 'node:crypto';
import { HmacSha256, sha256Hex } from '../crypto/sha256.ts';
import type { SesEvent } from './model.ts';

/** Bumped only if the id recipe changes, which would break upserts for every consumer. */
const RECIPE = 'ses-event-id/v1';
/** Domain separation for the keyed id: its key is derived from, never equal to, the HashField key. */
const KEYED_RECIPE = 'ses-event-id/keyed/v1';

type EventIdInput = Pick<
  SesEvent,
  | 'mail'
  | 'eventType'
  | 'bounce'
  | 'complaint'
  | 'delivery'
  | 'deliveryDelay'
  | 'open'
  | 'click'
  | 'subscription'
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
 * What tells two opens or two clicks of one email apart when they fall in the same millisecond: the
 * reader's IP address and user agent (and, for clicks, the link, already in the recipe). Appended only
 * for Open and Click, so the id of every other event type is what it always was.
 */
function engagementParts(event: EventIdInput): string[] {
  const detail = event.open ?? event.click;
  if (detail === undefined) return [];
  return [detail.ipAddress ?? '', detail.userAgent ?? ''];
}

/**
 * A deterministic id for one SES event (DESIGN.md "Data contract"): SHA-256 over messageId, eventType,
 * the detail timestamp, feedbackId and the sorted recipients, plus the clicked link and the contact list
 * so two clicks or two subscription changes in the same millisecond stay distinct, and for opens and
 * clicks the IP address and user agent. It is computed from the SES event alone, never from its
 * envelope, so the same event gets the same id whichever door it came through (SNS, SQS, HTTP,
 * EventBridge, a replayed archive) and in every process: consumers that upsert on it ignore
 * duplicates. The format (event publishing vs notification) is deliberately left out: both describe the
 * same real-world event.
 *
 * Unkeyed: every input but the recipients is published in the record, so when recipients are
 * pseudonymised the published id must be `keyedEventId` of this one (HashField does that).
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
    ...engagementParts(event),
  ];
  return uuidV8(sha256Hex(JSON.stringify(parts)));
}

/** The key the published eventId is keyed with, derived from the pseudonymisation (HMAC) key. */
export function deriveEventIdKey(hmacKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', hmacKey, Buffer.alloc(0), KEYED_RECIPE, 32));
}

/**
 * The published id when recipients are pseudonymised: an HMAC of the unkeyed id. Still deterministic
 * (same event, same key, same id, in every process and replay), but without the key nobody can
 * recompute it from a guessed address and so confirm the guess. Rotating the key changes every id.
 * Returns the function that computes it, with the key set up once (a transform re-keys every record).
 */
export function keyedEventIds(eventIdKey: Buffer): (unkeyedEventId: string) => string {
  const hmac = new HmacSha256(eventIdKey);
  return (unkeyedEventId) => uuidV8(hmac.digest(`${KEYED_RECIPE}\n${unkeyedEventId}`, 'hex'));
}

function uuidV8(hex: string): string {
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
