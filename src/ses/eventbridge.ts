/**
 * SES events as Amazon EventBridge delivers them: an SES configuration set's EventBridge event destination
 * puts each email event on the default bus as
 * `{version, id, "detail-type", source: "aws.ses", account, time, region, resources, detail}`, and
 * `detail` is the same JSON the SNS event destination sends as the notification's Message. A rule then
 * invokes the function (one event per invocation), or delivers to an SQS queue (the event is the body);
 * an archive replay sends the same event again with a `replay-name` field added.
 *
 * SES also puts service events on the bus (sending status, Virtual Deliverability Manager advisor
 * recommendations) that are about the account or a tenant, not an email. They are told apart here so
 * the pipeline can filter them, or hand them to a topic of their own, instead of dead-lettering them.
 *
 * Field names and detail-types: Amazon SES Developer Guide, "Monitoring SES events using Amazon
 * EventBridge", and the EventBridge events reference for Amazon SES.
 */
import { describeError, PipelineError } from '../errors.ts';
import { describeType } from './issues.ts';
import { isIsoTimestamp } from './model.ts';

type Json = Record<string, unknown>;

/** EventBridge's `source` for events SES puts on the bus; `aws.*` sources are reserved to AWS services. */
export const SES_EVENTBRIDGE_SOURCE = 'aws.ses';

/** Each email detail-type and the `eventType` its detail carries (the SNS Message's own eventType). */
export const EVENT_TYPE_BY_DETAIL_TYPE: Readonly<Record<string, string>> = {
  'Email Sent': 'Send',
  'Email Delivered': 'Delivery',
  'Email Bounced': 'Bounce',
  'Email Complaint Received': 'Complaint',
  'Email Rejected': 'Reject',
  'Email Opened': 'Open',
  'Email Clicked': 'Click',
  'Email Rendering Failed': 'Rendering Failure',
  'Email Delivery Delayed': 'DeliveryDelay',
  'Email Subscribed': 'Subscription',
};

/** The email detail-types an EventBridge rule for this pipeline matches (deploy/template.yaml lists the same). */
export const EMAIL_DETAIL_TYPES: readonly string[] = Object.keys(EVENT_TYPE_BY_DETAIL_TYPE);

/** SES events about the account or a tenant, not about one email. */
export const SERVICE_DETAIL_TYPES: readonly string[] = [
  'Sending Status Enabled',
  'Sending Status Disabled',
  'Advisor Recommendation Status Open',
  'Advisor Recommendation Status Resolved',
];

/** What the EventBridge envelope says about the event; it goes into the record's `source` block. */
export interface EventBridgeInfo {
  eventBridgeId?: string;
  eventBridgeDetailType?: string;
  /** The event's `time` (ISO-8601), when SES put it on the bus. */
  eventBridgeTime?: string;
  /** Set on events an archive replay sent again. */
  eventBridgeReplayName?: string;
  /** The configuration set named in `resources`. */
  configurationSet?: string;
}

/** A service event, kept whole for a topic of its own (SES_KAFKA_SERVICE_EVENTS_TOPIC). */
export interface ServiceEvent {
  id?: string;
  detailType: string;
  /** The first resource ARN (the tenant or configuration set), so events about one resource share a partition. */
  key: string | null;
  /** The EventBridge event as received. */
  event: Json;
  /** The same, as the JSON text the service-events topic gets. */
  json: string;
}

export type EventBridgeUnwrapped =
  | { kind: 'email'; detail: Json; info: EventBridgeInfo }
  | { kind: 'service'; reason: string; serviceEvent: ServiceEvent; info: EventBridgeInfo }
  | { kind: 'invalid'; error: PipelineError; info: EventBridgeInfo };

/** True for an object shaped like an EventBridge event; whether it is a valid SES one is unwrap's call. */
export function isEventBridgeShape(value: Json): boolean {
  return 'detail-type' in value && 'detail' in value;
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A short, quoted rendering of a value for an error message (callers redact addresses before logging). */
function quoted(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : describeType(value);
}

const CONFIGURATION_SET_ARN = /^arn:aws[a-z-]*:ses:[a-z0-9-]*:\d*:configuration-set\/(.+)$/;

/** The configuration set's name from the first `...:configuration-set/NAME` ARN among the resources. */
function configurationSetOf(resources: unknown): string | undefined {
  if (!Array.isArray(resources)) return undefined;
  for (const resource of resources) {
    const match = typeof resource === 'string' ? CONFIGURATION_SET_ARN.exec(resource) : null;
    if (match) return match[1];
  }
  return undefined;
}

/** The envelope facts worth keeping; each is taken only when it has the type EventBridge documents. */
function infoOf(event: Json): EventBridgeInfo {
  const info: EventBridgeInfo = {};
  if (typeof event.id === 'string') info.eventBridgeId = event.id;
  if (typeof event['detail-type'] === 'string') info.eventBridgeDetailType = event['detail-type'];
  if (typeof event.time === 'string' && isIsoTimestamp(event.time)) info.eventBridgeTime = event.time;
  if (typeof event['replay-name'] === 'string') info.eventBridgeReplayName = event['replay-name'];
  const configurationSet = configurationSetOf(event.resources);
  if (configurationSet !== undefined) info.configurationSet = configurationSet;
  return info;
}

function invalid(message: string, code = 'SES_INVALID'): PipelineError {
  return new PipelineError('parse', code, message);
}

/**
 * Checks the envelope and decides what the event is: an email event (its `detail`, ready for
 * parseSesMessage), a service event, or invalid. The detail is returned as SES wrote it, so the canonical
 * event, and with it the eventId, is the one the same event gets through SNS. The only addition: a detail
 * without `eventType` gets the one its detail-type stands for.
 */
export function unwrapEventBridge(event: Json): EventBridgeUnwrapped {
  const info = infoOf(event);
  const source = event.source;
  if (source !== SES_EVENTBRIDGE_SOURCE) {
    const problem = source === undefined ? 'required string missing' : `got ${quoted(source)}`;
    return {
      kind: 'invalid',
      error: invalid(
        `source: ${problem}; an SES event on EventBridge has source "${SES_EVENTBRIDGE_SOURCE}" (match it in the rule's event pattern)`,
        'SES_UNRECOGNIZED_ENVELOPE',
      ),
      info,
    };
  }
  const detailType = event['detail-type'];
  if (typeof detailType !== 'string') {
    return {
      kind: 'invalid',
      error: invalid(`detail-type: expected string, got ${describeType(detailType)}`),
      info,
    };
  }
  const detail = event.detail;
  const expectedEventType = Object.hasOwn(EVENT_TYPE_BY_DETAIL_TYPE, detailType)
    ? EVENT_TYPE_BY_DETAIL_TYPE[detailType]
    : undefined;
  // Detail-types are an open set too: an unknown one whose detail is about an email flows through.
  const aboutAnEmail = isRecord(detail) && ('mail' in detail || 'eventType' in detail);
  if (expectedEventType === undefined && (SERVICE_DETAIL_TYPES.includes(detailType) || !aboutAnEmail)) {
    let json: string;
    try {
      json = JSON.stringify(event);
    } catch (error) {
      // Only a detail nested deeper than the JSON writer's stack allows gets here.
      return {
        kind: 'invalid',
        error: invalid(`detail: the service event cannot be written as JSON (${describeError(error)})`),
        info,
      };
    }
    return {
      kind: 'service',
      reason: `detail-type: ${quoted(detailType)} is an SES service event about the account or a tenant, not about an email; filtered (set SES_KAFKA_SERVICE_EVENTS_TOPIC to keep service events in a topic)`,
      serviceEvent: {
        ...(info.eventBridgeId === undefined ? {} : { id: info.eventBridgeId }),
        detailType,
        key:
          Array.isArray(event.resources) && typeof event.resources[0] === 'string'
            ? event.resources[0]
            : null,
        event,
        json,
      },
      info,
    };
  }
  if (!isRecord(detail)) {
    return {
      kind: 'invalid',
      error: invalid(`detail: expected the SES event object, got ${describeType(detail)}`),
      info,
    };
  }
  if (expectedEventType === undefined) return { kind: 'email', detail, info };
  const declared = detail.eventType ?? detail.notificationType;
  if (declared == null) return { kind: 'email', detail: { eventType: expectedEventType, ...detail }, info };
  if (typeof declared === 'string' && declared !== expectedEventType) {
    const field = detail.eventType != null ? 'detail.eventType' : 'detail.notificationType';
    return {
      kind: 'invalid',
      error: invalid(
        `detail-type: "${detailType}" stands for eventType ${expectedEventType}, but ${field} is ${quoted(declared)}; the event contradicts itself, so neither is trusted`,
        'SES_DETAIL_TYPE_MISMATCH',
      ),
      info,
    };
  }
  return { kind: 'email', detail, info };
}
