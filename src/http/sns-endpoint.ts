import type { IncomingHttpHeaders } from 'node:http';
import { describeError } from '../errors.ts';
import { redactEmail, logger as sharedLogger } from '../observability/logger.ts';
import { type CertificateStore, createCertificateStore } from './certificate-store.ts';
import { httpsGet } from './https-get.ts';
import { parseSnsHttpMessage, type SnsNotification, type SnsSubscriptionMessage } from './sns-message.ts';
import { checkSubscribeUrl, type SnsTestTrust } from './sns-trust.ts';
import { verifySnsSignature } from './verify-signature.ts';

/**
 * What to do with one SNS HTTP delivery once its body has been read: shape check, topic allow-list,
 * signature, then either hand the notification on or confirm the subscription. Nothing reaches the
 * notification handler, and no URL from the body is fetched, before the topic is allowed; nothing is
 * handled or confirmed before the signature checks out.
 */

/** `rejected` means the pipeline dead-lettered or dropped the event for good; SNS must not retry it. */
export type NotificationOutcome = 'ok' | 'retry' | 'rejected';

/** Receives the raw request body (an SNS notification, signature verified) and the parsed message. */
export type NotificationHandler = (body: string, message: SnsNotification) => Promise<NotificationOutcome>;

export type EndpointLogger = Pick<typeof sharedLogger, 'info' | 'warn' | 'error'>;

export interface SnsEndpointOptions {
  allowedTopicArns: readonly string[];
  handleNotification: NotificationHandler;
  certificates?: CertificateStore;
  /** Deadline for fetching a certificate or confirming a subscription. */
  outboundTimeoutMs?: number;
  logger?: EndpointLogger;
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
    reason: string,
    message?: { MessageId: string; TopicArn: string; Type: string },
  ): EndpointResponse {
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
    const signature = await verifySnsSignature(message, certificates, trust);
    if (!signature.ok) {
      if (signature.kind === 'unavailable') {
        log.error('SNS signing certificate unavailable', {
          messageId: message.MessageId,
          topicArn: message.TopicArn,
          error: signature.reason,
        });
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

    let outcome: NotificationOutcome;
    try {
      outcome = await options.handleNotification(body, message);
    } catch (error) {
      log.error('SNS notification handler failed', {
        messageId: message.MessageId,
        topicArn: message.TopicArn,
        error: redactEmail(describeError(error)),
      });
      outcome = 'retry';
    }
    // 200 for a dead-lettered event too: it is safe in the DLQ, and a redelivery would only repeat it.
    return { status: outcome === 'retry' ? 500 : 200, body: { outcome, messageId: message.MessageId } };
  };
}
