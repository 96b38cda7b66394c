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
  type SesMessage,
  sesMessageSchema,
} from './model.ts';
import { compileZodAcceptor } from './zod-acceptor.ts';

export type SesMessageResult = { ok: true; event: SesEvent } | { ok: false; error: PipelineError };

/** SES's own messages on the topic that describe no email, e.g. the one sent when a topic is attached. */
const CONTROL_NOTIFICATION_TYPES = new Set(['AmazonSnsSubscriptionSucceeded']);

const KNOWN_TOP_LEVEL_KEYS = new Set<string>(['eventType', 'notificationType', 'mail', ...DETAIL_KEYS]);

/** sesMessageSchema compiled once: true when zod would accept the message as it is. */
const acceptsSesMessage = compileZodAcceptor(sesMessageSchema);

export function invalidSes(message: string, code = 'SES_INVALID'): PipelineError {
  return new PipelineError('parse', code, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `field` as the sender finds it in what was received: under `at` when the SES JSON is nested. */
function pathOf(at: string | undefined, field: string): string {
  return at === undefined ? field : `${at}.${field}`;
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
        `${pathOf(at, 'notificationType')}: ${notificationType} is an SES control message about the topic, not an email event; it can be dropped`,
        'SES_CONTROL_MESSAGE',
      ),
    };
  }

  const message = validSesMessage(input, at);
  if (message instanceof PipelineError) return { ok: false, error: message };

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
        `${pathOf(at, detailKey)}: required object missing (${format === 'NOTIFICATION' ? 'notificationType' : 'eventType'} is ${eventType})`,
      ),
    };
  }

  // Built in its final key order (identity fields first, so `ses-kafka parse` output reads well), once.
  const event = {
    eventId: '',
    format,
    eventType,
    eventTime: '',
    mail: { ...message.mail, sourceAddress: bareAddress(message.mail.source) },
  } as SesEvent;
  const details = event as unknown as Record<DetailKey, unknown>;
  for (const key of DETAIL_KEYS) {
    if (message[key] != null) details[key] = message[key];
  }
  event.extra = unknownTopLevelFields(message);
  event.eventTime = detailTimestampOf(event, detailKey) ?? message.mail.timestamp;
  event.eventId = eventIdFor(event);
  return { ok: true, event };
}

/**
 * The message once valid: the input itself when the compiled acceptor vouches that zod would accept it
 * unchanged (the common case, with no copy), else what zod makes of it, or the error naming every
 * problem zod found.
 */
function validSesMessage(input: Record<string, unknown>, at: string | undefined): SesMessage | PipelineError {
  const hasType = input.eventType != null || input.notificationType != null;
  if (hasType && acceptsSesMessage(input)) return input as SesMessage;
  const problems: string[] = [];
  if (!hasType) {
    problems.push(
      `${pathOf(at, 'eventType')}: required string missing (event publishing sets eventType, identity notifications set notificationType)`,
    );
  }
  const parsed = sesMessageSchema.safeParse(input);
  if (!parsed.success) {
    problems.push(describeIssues(parsed.error.issues, input, at === undefined ? [] : [at]));
  }
  if (!parsed.success || problems.length > 0) return invalidSes(problems.join('; '));
  return parsed.data;
}

/** Top-level fields the model does not name, in their order; a field named `__proto__` stays a field. */
function unknownTopLevelFields(message: SesMessage): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const key in message) {
    if (!Object.hasOwn(message, key) || KNOWN_TOP_LEVEL_KEYS.has(key)) continue;
    const value = (message as Record<string, unknown>)[key];
    if (key === '__proto__') {
      Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true });
    } else extra[key] = value;
  }
  return extra;
}

/**
 * The detail object's timestamp. For an event type SES adds later, the detail is guessed by SES's naming
 * habit (`DeliveryDelay` -> `deliveryDelay`) so the event still gets its own time and a distinct eventId.
 */
function detailTimestampOf(event: SesEvent, key: DetailKey | undefined): string | undefined {
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
