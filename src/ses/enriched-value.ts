/**
 * Builds the record value for the base Avro schema (schemas/ses-email-event/) from a canonical SesEvent
 * and what enrichment found. Timestamps become epoch milliseconds (Avro timestamp-millis as a long);
 * absent optional values become null; open-set strings pass through untouched.
 */
import type { EmailMetadata } from '../enrich/metadata.ts';
import { PipelineError } from '../errors.ts';
import { type BaseSchemaVersion, schemaVersionAtLeast } from './base-schema.ts';
import { isoMillis } from './iso-millis.ts';
import type { SesEvent, SesMail } from './model.ts';
import type { EnvelopeInfo, EnvelopeKind } from './parse.ts';

export interface RecordSource {
  envelope?: EnvelopeKind;
  snsMessageId?: string;
  topicArn?: string;
  /** ISO-8601, as SNS wrote it. */
  snsTimestamp?: string;
  sqsMessageId?: string;
  eventBridgeId?: string;
  eventBridgeDetailType?: string;
  /** ISO-8601, as EventBridge wrote it. */
  eventBridgeTime?: string;
  eventBridgeReplayName?: string;
  configurationSet?: string;
  processedAt: Date;
  producerVersion: string;
}

/** The `source` block inputs from a ParseOutcome's envelope plus the producer's own facts. */
export function recordSource(
  envelope: Partial<EnvelopeInfo>,
  producer: { processedAt: Date; producerVersion: string },
): RecordSource {
  const { kind, ...ids } = envelope;
  return kind === undefined ? { ...ids, ...producer } : { envelope: kind, ...ids, ...producer };
}

type Value = Record<string, unknown>;

function orNull<T>(value: T | null | undefined): T | null {
  return value ?? null;
}

/** Only for timestamps the parser already validated as ISO-8601. */
function millis(iso: string): number {
  return isoMillis(iso);
}

function millisOrNull(iso: string | null | undefined): number | null {
  if (iso == null) return null;
  const parsed = isoMillis(iso);
  return Number.isNaN(parsed) ? null : parsed;
}

function mailValue(mail: SesMail): Value {
  const common = mail.commonHeaders;
  return {
    messageId: mail.messageId,
    timestamp: millis(mail.timestamp),
    source: mail.source,
    sourceAddress: mail.sourceAddress,
    sourceArn: orNull(mail.sourceArn),
    sourceIp: orNull(mail.sourceIp),
    callerIdentity: orNull(mail.callerIdentity),
    sendingAccountId: orNull(mail.sendingAccountId),
    destination: [...mail.destination],
    headersTruncated: orNull(mail.headersTruncated),
    headers: (mail.headers ?? []).map((header) => ({ name: header.name, value: header.value })),
    commonHeaders:
      common == null
        ? null
        : {
            from: common.from ?? [],
            to: common.to ?? [],
            cc: common.cc ?? [],
            bcc: common.bcc ?? [],
            replyTo: common.replyTo ?? [],
            sender: orNull(common.sender),
            returnPath: orNull(common.returnPath),
            date: orNull(common.date),
            messageId: orNull(common.messageId),
            subject: orNull(common.subject),
          },
    tags: mail.tags ?? {},
  };
}

type TopicPreferences = NonNullable<SesEvent['subscription']>['newTopicPreferences'];

function topicPreferences(preferences: TopicPreferences): Value | null {
  return preferences == null
    ? null
    : {
        unsubscribeAll: orNull(preferences.unsubscribeAll),
        topicSubscriptionStatus: (preferences.topicSubscriptionStatus ?? []).map((topic) => ({
          topicName: topic.topicName,
          subscriptionStatus: topic.subscriptionStatus,
        })),
      };
}

/** The detail blocks, one per event type; null where the event has none. */
function bounceValue(bounce: SesEvent['bounce']): Value | null {
  return bounce
    ? {
        bounceType: bounce.bounceType,
        bounceSubType: bounce.bounceSubType,
        bouncedRecipients: bounce.bouncedRecipients.map((recipient) => ({
          emailAddress: recipient.emailAddress,
          action: orNull(recipient.action),
          status: orNull(recipient.status),
          diagnosticCode: orNull(recipient.diagnosticCode),
        })),
        timestamp: millis(bounce.timestamp),
        feedbackId: bounce.feedbackId,
        reportingMTA: orNull(bounce.reportingMTA),
        remoteMtaIp: orNull(bounce.remoteMtaIp),
      }
    : null;
}

function complaintValue(complaint: SesEvent['complaint']): Value | null {
  return complaint
    ? {
        complainedRecipients: complaint.complainedRecipients.map((recipient) => ({
          emailAddress: recipient.emailAddress,
        })),
        timestamp: millis(complaint.timestamp),
        feedbackId: complaint.feedbackId,
        complaintSubType: orNull(complaint.complaintSubType),
        userAgent: orNull(complaint.userAgent),
        complaintFeedbackType: orNull(complaint.complaintFeedbackType),
        arrivalDate: millisOrNull(complaint.arrivalDate),
      }
    : null;
}

function deliveryValue(delivery: SesEvent['delivery']): Value | null {
  return delivery
    ? {
        timestamp: millis(delivery.timestamp),
        processingTimeMillis: orNull(delivery.processingTimeMillis),
        recipients: [...delivery.recipients],
        smtpResponse: orNull(delivery.smtpResponse),
        reportingMTA: orNull(delivery.reportingMTA),
        remoteMtaIp: orNull(delivery.remoteMtaIp),
      }
    : null;
}

function sendValue(send: SesEvent['send']): Value | null {
  return send ? { extraJson: Object.keys(send).length > 0 ? JSON.stringify(send) : null } : null;
}

function rejectValue(reject: SesEvent['reject']): Value | null {
  return reject ? { reason: orNull(reject.reason) } : null;
}

function openValue(open: SesEvent['open']): Value | null {
  return open
    ? {
        timestamp: millis(open.timestamp),
        ipAddress: orNull(open.ipAddress),
        userAgent: orNull(open.userAgent),
      }
    : null;
}

function clickValue(click: SesEvent['click']): Value | null {
  return click
    ? {
        timestamp: millis(click.timestamp),
        link: click.link,
        linkTags: click.linkTags ?? {},
        ipAddress: orNull(click.ipAddress),
        userAgent: orNull(click.userAgent),
      }
    : null;
}

function failureValue(failure: SesEvent['failure']): Value | null {
  return failure
    ? { templateName: orNull(failure.templateName), errorMessage: orNull(failure.errorMessage) }
    : null;
}

function deliveryDelayValue(deliveryDelay: SesEvent['deliveryDelay']): Value | null {
  return deliveryDelay
    ? {
        timestamp: millis(deliveryDelay.timestamp),
        delayType: deliveryDelay.delayType,
        expirationTime: millisOrNull(deliveryDelay.expirationTime),
        reportingMTA: orNull(deliveryDelay.reportingMTA),
        delayedRecipients: deliveryDelay.delayedRecipients.map((recipient) => ({
          emailAddress: recipient.emailAddress,
          status: orNull(recipient.status),
          diagnosticCode: orNull(recipient.diagnosticCode),
        })),
      }
    : null;
}

function subscriptionValue(subscription: SesEvent['subscription']): Value | null {
  return subscription
    ? {
        timestamp: millis(subscription.timestamp),
        contactList: orNull(subscription.contactList),
        source: orNull(subscription.source),
        newTopicPreferences: topicPreferences(subscription.newTopicPreferences),
        oldTopicPreferences: topicPreferences(subscription.oldTopicPreferences),
      }
    : null;
}

/** The `source` block; v3 adds the EventBridge door's facts. */
function sourceValue(source: RecordSource, version: BaseSchemaVersion): Value {
  const common = {
    envelope: orNull(source.envelope),
    snsMessageId: orNull(source.snsMessageId),
    topicArn: orNull(source.topicArn),
    snsTimestamp: millisOrNull(source.snsTimestamp),
    sqsMessageId: orNull(source.sqsMessageId),
    processedAt: source.processedAt.getTime(),
    producerVersion: source.producerVersion,
  };
  if (!schemaVersionAtLeast(version, 'v3')) return common;
  return {
    ...common,
    eventBridgeId: orNull(source.eventBridgeId),
    eventBridgeDetailType: orNull(source.eventBridgeDetailType),
    eventBridgeTime: millisOrNull(source.eventBridgeTime),
    eventBridgeReplayName: orNull(source.eventBridgeReplayName),
    configurationSet: orNull(source.configurationSet),
  };
}

/**
 * The value of one Kafka record, valid for the base schema `schemaVersion` (default v1). v2 adds
 * `unknownFieldsJson`: the top-level SES fields the schema does not name, as JSON. v3 adds the
 * EventBridge door's facts to `source`.
 */
export function toEnrichedValue(
  event: SesEvent,
  metadata: EmailMetadata,
  source: RecordSource,
  options: { schemaVersion?: BaseSchemaVersion } = {},
): Value {
  const value: Value = {
    eventId: event.eventId,
    eventType: event.eventType,
    eventTime: millis(event.eventTime),
    format: event.format,
    mail: mailValue(event.mail),
    bounce: bounceValue(event.bounce),
    complaint: complaintValue(event.complaint),
    delivery: deliveryValue(event.delivery),
    send: sendValue(event.send),
    reject: rejectValue(event.reject),
    open: openValue(event.open),
    click: clickValue(event.click),
    failure: failureValue(event.failure),
    deliveryDelay: deliveryDelayValue(event.deliveryDelay),
    subscription: subscriptionValue(event.subscription),
    metadata: {
      status: metadata.status,
      attributes: { ...metadata.attributes },
      source: orNull(metadata.source),
      reason: orNull(metadata.reason),
    },
    source: sourceValue(source, options.schemaVersion ?? 'v1'),
  };
  const version = options.schemaVersion ?? 'v1';
  if (schemaVersionAtLeast(version, 'v2')) {
    value.unknownFieldsJson = Object.keys(event.extra).length > 0 ? unknownFieldsJson(event.extra) : null;
  }
  return value;
}

/** The unknown fields as JSON; hostile nesting (deeper than JSON.stringify can recurse) fails this event alone. */
function unknownFieldsJson(extra: Record<string, unknown>): string {
  try {
    return JSON.stringify(extra);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new PipelineError(
      'to-record',
      'SES_TOO_DEEP',
      'unknownFieldsJson: the unknown fields nest too deeply to encode as JSON (SES never sends such input); the event is dead-lettered with its original payload',
    );
  }
}
