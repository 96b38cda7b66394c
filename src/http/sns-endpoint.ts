import type { IncomingHttpHeaders } from 'node:http';
import { describeError } from '../errors.ts';
import { redactEmail, logger as sharedLogger } from '../observability/logger.ts';
import { redactText } from '../observability/redact.ts';
import { type CertificateStore, createCertificateStore } from './certificate-store.ts';
import { httpsGet } from './https-get.ts';
import {
  ALLOWED_CLOCK_SKEW_MS,
  checkFreshness,
  DEFAULT_MAX_MESSAGE_AGE_MS,
  MessageDeduplicator,
} from './replay-guard.ts';
import { parseSnsHttpMessage, type SnsNotification, type SnsSubscriptionMessage } from './sns-message.ts';
import { checkSubscribeUrl, type SnsTestTrust } from './sns-trust.ts';
import { verifySnsSignature } from './verify-signature.ts';

/**
 * What to do with one SNS HTTP delivery once its body has been read, cheapest check first: shape (no
 * key SNS does not send), topic allow-list, required SignatureVersion, Timestamp freshness, signature;
 * then either hand the notification on (once per MessageId) or confirm the subscription. Nothing reaches
 * the notification handler, and no URL from the body is fetched, before the topic is allowed; nothing
 * is handled or confirmed before the signature checks out; and the handler receives only the signed
 * fields, never the request body.
 */

/** `rejected` means the pipeline dead-lettered or dropped the event for good; SNS must not retry it. */
export type NotificationOutcome = 'ok' | 'retry' | 'rejected';

/** Receives a notification whose signature was verified; use only its signed fields (see SIGNED_FIELDS). */
export type NotificationHandler = (message: SnsNotification) => Promise<NotificationOutcome>;

export type EndpointLogger = Pick<typeof sharedLogger, 'info' | 'warn' | 'error'>;

export interface SnsEndpointOptions {
  allowedTopicArns: readonly string[];
  handleNotification: NotificationHandler;
  certificates?: CertificateStore;
  /** Deadline for fetching a certificate or confirming a subscription. */
  outboundTimeoutMs?: number;
  logger?: EndpointLogger;
  /** Refuse messages signed with any other SignatureVersion (`2`: SHA256 only). */
  requireSignatureVersion?: '1' | '2';
  /** Messages whose Timestamp is older are refused; default one hour. */
  maxMessageAgeMs?: number;
  /** How many processed MessageIds are remembered for de-duplication. */
  deduplicationEntries?: number;
  /** The clock for freshness and certificate validity; tests inject one for expired AWS certificates. */
  now?: () => number;
  /** TEST ONLY: see SnsTestTrust. Never set from configuration or the environment. */
  testOnlyTrust?: SnsTestTrust;
}

export interface EndpointResponse {
  status: number;
  body: { outcome: string; reason?: string; messageId?: string };
}

export type SnsEndpoint = (body: string, headers: IncomingHttpHeaders) => Promise<EndpointResponse>;

const MAX_CONFIRMATION_RESPONSE_BYTES = 64 * 1024;

export function createSnsEndpoint(options: SnsEndpointOptions): SnsEndpoint {
  const allowedTopics = new Set(options.allowedTopicArns);
  const log = options.logger ?? sharedLogger;
  const timeoutMs = options.outboundTimeoutMs ?? 5_000;
  const trust = options.testOnlyTrust;
  const certificates =
    options.certificates ?? createCertificateStore({ timeoutMs, ...(trust ? { testTrust: trust } : {}) });
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxMessageAgeMs ?? DEFAULT_MAX_MESSAGE_AGE_MS;
  const deduplicator = new MessageDeduplicator<NotificationOutcome>({
    ttlMs: maxAgeMs + ALLOWED_CLOCK_SKEW_MS,
    ...(options.deduplicationEntries === undefined ? {} : { maxEntries: options.deduplicationEntries }),
  });

  async function confirm(message: SnsSubscriptionMessage): Promise<EndpointResponse> {
    const link = checkSubscribeUrl(message.SubscribeURL, message.TopicArn, trust);
    if (!link.ok) return reject(403, link.reason, message);
    try {
      const response = await httpsGet(link.url, {
        timeoutMs,
        maxBytes: MAX_CONFIRMATION_RESPONSE_BYTES,
        ...(trust?.ca === undefined ? {} : { ca: trust.ca }),
      });
      if (response.status !== 200) throw new Error(`SNS answered HTTP ${response.status}`);
      const subscriptionArn = /<SubscriptionArn>([^<]*)<\/SubscriptionArn>/.exec(response.body)?.[1];
      log.info('SNS subscription confirmed', {
        topicArn: message.TopicArn,
        messageId: message.MessageId,
        subscriptionArn,
      });
      return { status: 200, body: { outcome: 'confirmed', messageId: message.MessageId } };
    } catch (error) {
      // A 5xx makes SNS send the confirmation again.
      log.error('SNS subscription confirmation failed', {
        topicArn: message.TopicArn,
        messageId: message.MessageId,
        error: describeError(error),
      });
      return { status: 502, body: { outcome: 'confirmation-failed', messageId: message.MessageId } };
    }
  }

  function reject(
    status: number,
    unredacted: string,
    message?: { MessageId: string; TopicArn: string; Type: string },
  ): EndpointResponse {
    // A reason may quote the request (a Type, a Timestamp); the answer is an error message too.
    const reason = redactText(unredacted);
    log.warn('SNS HTTP delivery refused', {
      status,
      reason,
      messageId: message?.MessageId,
      topicArn: message?.TopicArn,
      type: message?.Type,
    });
    return {
      status,
      body: { outcome: 'refused', reason, ...(message ? { messageId: message.MessageId } : {}) },
    };
  }

  return async (body, headers) => {
    const parsed = parseSnsHttpMessage(body);
    if (!parsed.ok) return reject(400, parsed.error);
    const message = parsed.message;

    const headerType = headers['x-amz-sns-message-type'];
    if (headerType !== undefined && headerType !== message.Type) {
      return reject(400, `x-amz-sns-message-type header (${String(headerType)}) differs from Type`, message);
    }
    if (!allowedTopics.has(message.TopicArn)) {
      return reject(403, 'TopicArn: not in the allowed topics (--topic-arn)', message);
    }
    const required = options.requireSignatureVersion;
    if (required !== undefined && message.SignatureVersion !== required) {
      return reject(
        403,
        `SignatureVersion: ${JSON.stringify(message.SignatureVersion.slice(0, 10))} refused; this endpoint requires SignatureVersion ${required} (--require-signature-version)`,
        message,
      );
    }
    const checkedAt = now();
    const fresh = checkFreshness(message.Timestamp, maxAgeMs, checkedAt);
    if (!fresh.ok) return reject(403, fresh.reason, message);
    const signature = await verifySnsSignature(message, certificates, trust, new Date(checkedAt));
    if (!signature.ok) {
      if (signature.kind === 'unavailable') {
        // A remembered failure was logged when it happened; repeating it per request would let a flood
        // of forged requests fill the error log.
        const details = { messageId: message.MessageId, topicArn: message.TopicArn, error: signature.reason };
        if (signature.repeated) log.warn('SNS signing certificate unavailable', details);
        else log.error('SNS signing certificate unavailable', details);
        return { status: 503, body: { outcome: 'certificate-unavailable', messageId: message.MessageId } };
      }
      return reject(403, signature.reason, message);
    }

    if (message.Type !== 'Notification') {
      if (message.Type === 'SubscriptionConfirmation') return confirm(message);
      // Visiting its SubscribeURL would undo the unsubscribe; an operator does that on purpose, not us.
      log.info('SNS unsubscribe confirmation received', {
        topicArn: message.TopicArn,
        messageId: message.MessageId,
      });
      return { status: 200, body: { outcome: 'unsubscribed', messageId: message.MessageId } };
    }

    const handle = async (): Promise<NotificationOutcome> => {
      try {
        return await options.handleNotification(signedNotification(message));
      } catch (error) {
        log.error('SNS notification handler failed', {
          messageId: message.MessageId,
          topicArn: message.TopicArn,
          error: redactEmail(describeError(error)),
        });
        return 'retry';
      }
    };
    const { duplicate, outcome } = await deduplicator.run(
      `${message.TopicArn}\n${message.MessageId}`,
      handle,
      (result) => result !== 'retry',
    );
    if (duplicate && outcome !== 'retry') {
      log.info('SNS notification already processed; acknowledged again without processing', {
        messageId: message.MessageId,
        topicArn: message.TopicArn,
      });
      return { status: 200, body: { outcome: 'duplicate', messageId: message.MessageId } };
    }
    // 503, not 500: the failure is ours and temporary, SNS retries both. 200 for a dead-lettered event
    // too: it is safe in the DLQ, and a redelivery would only repeat it.
    return { status: outcome === 'retry' ? 503 : 200, body: { outcome, messageId: message.MessageId } };
  };
}

/**
 * The fields of a notification that its signature covers, with the signature itself, and nothing else:
 * whatever else the body held (MessageAttributes, UnsubscribeURL, or keys an attacker added) cannot
 * reach the pipeline.
 */
export function signedNotification(message: SnsNotification): SnsNotification {
  return {
    Type: message.Type,
    MessageId: message.MessageId,
    TopicArn: message.TopicArn,
    Message: message.Message,
    Timestamp: message.Timestamp,
    ...(message.Subject === undefined ? {} : { Subject: message.Subject }),
    SignatureVersion: message.SignatureVersion,
    Signature: message.Signature,
    SigningCertURL: message.SigningCertURL,
  };
}
