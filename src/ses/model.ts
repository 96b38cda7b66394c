/**
 * The SES payload model: zod schemas for the JSON SES publishes (event publishing and identity
 * notifications) and the canonical `SesEvent` every entry point hands to the pipeline.
 *
 * Objects are loose (unknown keys survive) because SES reserves the right to add fields. Values SES
 * documents as open sets (event types, bounce subtypes, delay types, subscription sources) are plain
 * strings, never enums, so a new value flows through instead of failing the record. Optional fields
 * accept null as well as absence: SES writes `complaintSubType: null`, and a null is not a reason to
 * lose an event.
 */
import { z } from 'zod';
import { isoMillis } from './iso-millis.ts';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function isIsoTimestamp(value: string): boolean {
  return ISO_8601.test(value) && !Number.isNaN(isoMillis(value));
}

/** A timestamp SES generates itself; the record is invalid without a parseable one. */
const isoTimestamp = z.string().refine(isIsoTimestamp, { message: 'expected an ISO-8601 timestamp' });
const stringList = z.array(z.string());
const tagMap = z.record(z.string(), stringList);

const headerSchema = z.looseObject({ name: z.string(), value: z.string() });

const commonHeadersSchema = z.looseObject({
  from: stringList.nullish(),
  to: stringList.nullish(),
  cc: stringList.nullish(),
  bcc: stringList.nullish(),
  replyTo: stringList.nullish(),
  sender: z.string().nullish(),
  returnPath: z.string().nullish(),
  date: z.string().nullish(),
  messageId: z.string().nullish(),
  subject: z.string().nullish(),
});

export const mailSchema = z.looseObject({
  timestamp: isoTimestamp,
  messageId: z.string().min(1),
  source: z.string(),
  sourceArn: z.string().nullish(),
  // Identity notifications only.
  sourceIp: z.string().nullish(),
  callerIdentity: z.string().nullish(),
  sendingAccountId: z.string().nullish(),
  destination: stringList,
  headersTruncated: z.boolean().nullish(),
  headers: z.array(headerSchema).nullish(),
  commonHeaders: commonHeadersSchema.nullish(),
  // Event publishing only (configuration-set and auto tags).
  tags: tagMap.nullish(),
});

const bouncedRecipientSchema = z.looseObject({
  emailAddress: z.string(),
  action: z.string().nullish(),
  status: z.string().nullish(),
  diagnosticCode: z.string().nullish(),
});

export const bounceSchema = z.looseObject({
  bounceType: z.string(),
  bounceSubType: z.string(),
  bouncedRecipients: z.array(bouncedRecipientSchema),
  timestamp: isoTimestamp,
  feedbackId: z.string(),
  reportingMTA: z.string().nullish(),
  remoteMtaIp: z.string().nullish(),
});

export const complaintSchema = z.looseObject({
  complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
  timestamp: isoTimestamp,
  feedbackId: z.string(),
  complaintSubType: z.string().nullish(),
  userAgent: z.string().nullish(),
  complaintFeedbackType: z.string().nullish(),
  // Copied from the ISP's feedback report, so it is not guaranteed to be ISO-8601.
  arrivalDate: z.string().nullish(),
});

export const deliverySchema = z.looseObject({
  timestamp: isoTimestamp,
  processingTimeMillis: z.number().int().nullish(),
  recipients: stringList,
  smtpResponse: z.string().nullish(),
  reportingMTA: z.string().nullish(),
  remoteMtaIp: z.string().nullish(),
});

export const sendSchema = z.looseObject({});

export const rejectSchema = z.looseObject({ reason: z.string().nullish() });

export const openSchema = z.looseObject({
  timestamp: isoTimestamp,
  ipAddress: z.string().nullish(),
  userAgent: z.string().nullish(),
});

export const clickSchema = z.looseObject({
  timestamp: isoTimestamp,
  link: z.string(),
  linkTags: tagMap.nullish(),
  ipAddress: z.string().nullish(),
  userAgent: z.string().nullish(),
});

export const renderingFailureSchema = z.looseObject({
  templateName: z.string().nullish(),
  errorMessage: z.string().nullish(),
});

export const deliveryDelaySchema = z.looseObject({
  timestamp: isoTimestamp,
  delayType: z.string(),
  expirationTime: isoTimestamp.nullish(),
  reportingMTA: z.string().nullish(),
  delayedRecipients: z.array(
    z.looseObject({
      emailAddress: z.string(),
      status: z.string().nullish(),
      diagnosticCode: z.string().nullish(),
    }),
  ),
});

const topicPreferencesSchema = z.looseObject({
  unsubscribeAll: z.boolean().nullish(),
  topicSubscriptionStatus: z
    .array(z.looseObject({ topicName: z.string(), subscriptionStatus: z.string() }))
    .nullish(),
});

export const subscriptionSchema = z.looseObject({
  timestamp: isoTimestamp,
  contactList: z.string().nullish(),
  source: z.string().nullish(),
  newTopicPreferences: topicPreferencesSchema.nullish(),
  oldTopicPreferences: topicPreferencesSchema.nullish(),
});

/** Each detail object's key in the SES JSON, which is also its key in SesEvent and in the Avro record. */
export const DETAIL_SCHEMAS = {
  bounce: bounceSchema,
  complaint: complaintSchema,
  delivery: deliverySchema,
  send: sendSchema,
  reject: rejectSchema,
  open: openSchema,
  click: clickSchema,
  failure: renderingFailureSchema,
  deliveryDelay: deliveryDelaySchema,
  subscription: subscriptionSchema,
} as const;

export type DetailKey = keyof typeof DETAIL_SCHEMAS;
export const DETAIL_KEYS = Object.keys(DETAIL_SCHEMAS) as DetailKey[];

/**
 * The event types SES documents today and the detail object each one carries. Anything else is still
 * accepted (open set); it just has no detail object we know how to type.
 */
export const DETAIL_KEY_BY_EVENT_TYPE: Readonly<Record<string, DetailKey>> = {
  Bounce: 'bounce',
  Complaint: 'complaint',
  Delivery: 'delivery',
  Send: 'send',
  Reject: 'reject',
  Open: 'open',
  Click: 'click',
  'Rendering Failure': 'failure',
  DeliveryDelay: 'deliveryDelay',
  Subscription: 'subscription',
};

/** The whole SES message before canonicalisation; every detail is optional here and checked per type. */
export const sesMessageSchema = z.looseObject({
  eventType: z.string().min(1).nullish(),
  notificationType: z.string().min(1).nullish(),
  mail: mailSchema,
  bounce: bounceSchema.nullish(),
  complaint: complaintSchema.nullish(),
  delivery: deliverySchema.nullish(),
  send: sendSchema.nullish(),
  reject: rejectSchema.nullish(),
  open: openSchema.nullish(),
  click: clickSchema.nullish(),
  failure: renderingFailureSchema.nullish(),
  deliveryDelay: deliveryDelaySchema.nullish(),
  subscription: subscriptionSchema.nullish(),
});

/** An SES message as the schema accepts it, before canonicalisation. */
export type SesMessage = z.infer<typeof sesMessageSchema>;

export type SesMail = z.infer<typeof mailSchema> & {
  /** `mail.source` without a display name: `Sender <a@example.com>` -> `a@example.com`. */
  sourceAddress: string;
};
export type SesBounce = z.infer<typeof bounceSchema>;
export type SesComplaint = z.infer<typeof complaintSchema>;
export type SesDelivery = z.infer<typeof deliverySchema>;
export type SesSend = z.infer<typeof sendSchema>;
export type SesReject = z.infer<typeof rejectSchema>;
export type SesOpen = z.infer<typeof openSchema>;
export type SesClick = z.infer<typeof clickSchema>;
export type SesRenderingFailure = z.infer<typeof renderingFailureSchema>;
export type SesDeliveryDelay = z.infer<typeof deliveryDelaySchema>;
export type SesSubscription = z.infer<typeof subscriptionSchema>;

/** Event publishing (configuration set, `eventType`) or identity feedback notification (`notificationType`). */
export type SesEventFormat = 'EVENT_PUBLISHING' | 'NOTIFICATION';

/** One SES email event, whatever envelope and shape it arrived in. */
export interface SesEvent {
  /** Deterministic id (see eventIdFor); consumers upsert on it. */
  eventId: string;
  format: SesEventFormat;
  /** `eventType`, or `notificationType` for identity notifications; an open set, e.g. `Rendering Failure`. */
  eventType: string;
  /** The detail's timestamp, else mail.timestamp (ISO-8601, as SES wrote it). */
  eventTime: string;
  mail: SesMail;
  bounce?: SesBounce;
  complaint?: SesComplaint;
  delivery?: SesDelivery;
  send?: SesSend;
  reject?: SesReject;
  open?: SesOpen;
  click?: SesClick;
  failure?: SesRenderingFailure;
  deliveryDelay?: SesDeliveryDelay;
  subscription?: SesSubscription;
  /** Top-level fields this model does not name (e.g. the detail object of an event type SES adds later). */
  extra: Record<string, unknown>;
}
