/**
 * Validates one SES message (the JSON SES publishes, already out of its SNS/SQS envelope) and turns it
 * into the canonical SesEvent.
 */
import { PipelineError } from '../errors.ts';
import { bareAddress } from './address.ts';
import { eventIdFor } from './event-id.ts';
import { describeIssues, describeType } from './issues.ts';
import {
  DETAIL_KEY_BY_EVENT_TYPE,
  DETAIL_KEYS,
  type DetailKey,
  isIsoTimestamp,
  type SesEvent,
  type SesEventFormat,
  sesMessageSchema,
} from './model.ts';

export type SesMessageResult = { ok: true; event: SesEvent } | { ok: false; error: PipelineError };

/** SES's own messages on the topic that describe no email, e.g. the one sent when a topic is attached. */
const CONTROL_NOTIFICATION_TYPES = new Set(['AmazonSnsSubscriptionSucceeded']);

const KNOWN_TOP_LEVEL_KEYS = new Set<string>(['eventType', 'notificationType', 'mail', ...DETAIL_KEYS]);

export function invalidSes(message: string, code = 'SES_INVALID'): PipelineError {
  return new PipelineError('parse', code, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface SesMessageOptions {
  /**
   * Where the SES JSON sits in what was received, e.g. `detail` for an EventBridge event, so that error
   * messages name the path the sender can find: `detail.mail.messageId`, not `mail.messageId`.
   */
  at?: string;
}

export function parseSesMessage(input: unknown, options: SesMessageOptions = {}): SesMessageResult {
  const at = options.at;
  const path = (field: string) => (at === undefined ? field : `${at}.${field}`);
  if (!isRecord(input)) {
    return {
      ok: false,
      error: invalidSes(`${at ?? '(root)'}: expected an SES event object, got ${describeType(input)}`),
    };
  }
  const notificationType = input.notificationType;
  if (typeof notificationType === 'string' && CONTROL_NOTIFICATION_TYPES.has(notificationType)) {
    return {
      ok: false,
      error: invalidSes(
        `${path('notificationType')}: ${notificationType} is an SES control message about the topic, not an email event; it can be dropped`,
        'SES_CONTROL_MESSAGE',
      ),
    };
  }

  const problems: string[] = [];
  if (input.eventType == null && input.notificationType == null) {
    problems.push(
      `${path('eventType')}: required string missing (event publishing sets eventType, identity notifications set notificationType)`,
    );
  }
  const parsed = sesMessageSchema.safeParse(input);
  if (!parsed.success) {
    problems.push(describeIssues(parsed.error.issues, input, at === undefined ? [] : [at]));
  }
  if (!parsed.success || problems.length > 0) {
    return { ok: false, error: invalidSes(problems.join('; ')) };
  }

  const message = parsed.data;
  const format: SesEventFormat = message.eventType != null ? 'EVENT_PUBLISHING' : 'NOTIFICATION';
  const eventType = (message.eventType ?? message.notificationType) as string;
  // Event types are an open set: a name like `constructor` must not find an inherited Object member.
  const detailKey: DetailKey | undefined = Object.hasOwn(DETAIL_KEY_BY_EVENT_TYPE, eventType)
    ? DETAIL_KEY_BY_EVENT_TYPE[eventType]
    : undefined;
  // Send's detail object is empty, so its absence loses nothing; every other known type needs its own.
  if (detailKey !== undefined && detailKey !== 'send' && message[detailKey] == null) {
    return {
      ok: false,
      error: invalidSes(
        `${path(detailKey)}: required object missing (${format === 'NOTIFICATION' ? 'notificationType' : 'eventType'} is ${eventType})`,
      ),
    };
  }

  // fromEntries defines own properties, so a field named `__proto__` stays a field.
  const extra: Record<string, unknown> = Object.fromEntries(
    Object.entries(message).filter(([key]) => !KNOWN_TOP_LEVEL_KEYS.has(key)),
  );
  const withoutId: Omit<SesEvent, 'eventId' | 'eventTime'> = {
    format,
    eventType,
    mail: { ...message.mail, sourceAddress: bareAddress(message.mail.source) },
    extra,
  };
  const details = withoutId as Record<DetailKey, unknown>;
  for (const key of DETAIL_KEYS) {
    if (message[key] != null) details[key] = message[key];
  }
  const eventTime = detailTimestampOf(withoutId, detailKey) ?? message.mail.timestamp;
  const event: SesEvent = { eventId: '', eventTime, ...withoutId };
  event.eventId = eventIdFor(event);
  return { ok: true, event: reorder(event) };
}

/**
 * The detail object's timestamp. For an event type SES adds later, the detail is guessed by SES's naming
 * habit (`DeliveryDelay` -> `deliveryDelay`) so the event still gets its own time and a distinct eventId.
 */
function detailTimestampOf(
  event: Omit<SesEvent, 'eventId' | 'eventTime'>,
  key: DetailKey | undefined,
): string | undefined {
  const detail =
    key === undefined
      ? Object.hasOwn(event.extra, guessDetailKey(event.eventType))
        ? event.extra[guessDetailKey(event.eventType)]
        : undefined
      : (event[key] as Record<string, unknown> | undefined);
  const timestamp = (detail as { timestamp?: unknown } | null | undefined)?.timestamp;
  return typeof timestamp === 'string' && isIsoTimestamp(timestamp) ? timestamp : undefined;
}

function guessDetailKey(eventType: string): string {
  const compact = eventType.replace(/\s+/g, '');
  return compact.charAt(0).toLowerCase() + compact.slice(1);
}

/** Identity fields first, so `ses-kafka parse` output reads well. */
function reorder(event: SesEvent): SesEvent {
  const { eventId, format, eventType, eventTime, mail, extra, ...details } = event;
  return { eventId, format, eventType, eventTime, mail, ...details, extra };
}
