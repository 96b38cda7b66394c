/**
 * A realistic, reproducible stream of SES events for `npm start` and the bench: several sending apps and
 * campaigns, every event type in both formats, multi-recipient bounces, emails the application never
 * recorded (NOT_FOUND), and a few malformed payloads. Addresses are under example.com/example.net.
 *
 * Each sender's configuration set publishes through its own door, as teams part-way through a move to
 * EventBridge have it: SNS (then SQS), an EventBridge rule invoking the function, or EventBridge then
 * SQS. Identity notifications only ever go to SNS.
 */

import { seededRandom } from './seeded-random.ts';

/** How SES events reach the function: the template's TriggerMode values that the demo runs. */
export type DemoDoor = 'sns-sqs' | 'eventbridge' | 'eventbridge-sqs';

export interface DemoSender {
  address: string;
  displayName: string;
  campaigns: string[];
  configurationSet: string;
  /** Where the configuration set's event destination publishes. */
  door: DemoDoor;
}

export const DEMO_SENDERS: readonly DemoSender[] = [
  {
    address: 'orders@shop.example.com',
    displayName: 'Example Shop',
    campaigns: ['order-confirmation', 'shipping-update'],
    configurationSet: 'shop-transactional',
    door: 'sns-sqs',
  },
  {
    address: 'news@news.example.com',
    displayName: 'Example News',
    campaigns: ['weekly-digest', 'spring-sale'],
    configurationSet: 'news-marketing',
    door: 'eventbridge-sqs',
  },
  {
    address: 'alerts@app.example.com',
    displayName: 'Example App',
    campaigns: ['password-reset', 'login-alert'],
    configurationSet: 'app-notifications',
    door: 'eventbridge',
  },
];

/** One metadata row the application wrote when it sent the email (the predecessor's table layout). */
export interface DemoMetadataRow {
  sourceAddress: string;
  messageId: string;
  date: string;
  attributes: Record<string, string>;
}

export interface DemoStream {
  /** SNS `Message` strings: SES event JSON, or a malformed payload. */
  messages: string[];
  /** The door each message comes through, index for index. */
  doors: DemoDoor[];
  metadataRows: DemoMetadataRow[];
  emails: number;
  malformed: number;
}

const RECIPIENT_DOMAINS = ['example.net', 'mail.example.net', 'inbox.example.org', 'corp.example.org'];
const BOUNCE_DOMAINS = ['gone.example.org', 'full.example.net'];

export function generateDemoStream(
  options: { emails?: number; seed?: number; days?: number; now?: number } = {},
): DemoStream {
  const emails = options.emails ?? 400;
  const random = seededRandom(options.seed ?? 20261127);
  const days = options.days ?? 7;
  const now = options.now ?? Date.now();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = (length: number) =>
    Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const iso = (millis: number) => new Date(millis).toISOString();
  const messages: string[] = [];
  const metadataRows: DemoMetadataRow[] = [];

  for (let index = 0; index < emails; index++) {
    const sender = pick(DEMO_SENDERS);
    const campaign = pick(sender.campaigns);
    const sentAt = now - Math.floor(random() * days * 86_400_000);
    const messageId = `0102${hex(12)}-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}-000000`;
    const recipientCount = random() < 0.15 ? 2 + Math.floor(random() * 3) : 1;
    const bounceHeavy = random() < 0.02;
    const recipients = Array.from(
      { length: recipientCount },
      (_, n) => `user${index}-${n}@${bounceHeavy ? pick(BOUNCE_DOMAINS) : pick(RECIPIENT_DOMAINS)}`,
    );
    const subject = `${campaign.replace('-', ' ')} #${index}`;
    const notificationFormat = random() < 0.1;
    // 8% of emails were never recorded by the application: enrichment reports NOT_FOUND.
    if (random() >= 0.08) {
      metadataRows.push({
        sourceAddress: sender.address,
        messageId,
        date: iso(sentAt).slice(0, 10),
        attributes: {
          campaign,
          template: `${campaign}-v${1 + Math.floor(random() * 3)}`,
          userId: `u-${1000 + Math.floor(random() * 9000)}`,
          tenantId: pick(['acme', 'globex', 'initech']),
        },
      });
    }
    const mail = (format: 'event' | 'notification') => ({
      timestamp: iso(sentAt),
      source: `${sender.displayName} <${sender.address}>`,
      sourceArn: `arn:aws:ses:eu-west-1:111122223333:identity/${sender.address.split('@')[1]}`,
      sendingAccountId: '111122223333',
      messageId,
      destination: recipients,
      headersTruncated: false,
      headers: [
        { name: 'From', value: `${sender.displayName} <${sender.address}>` },
        { name: 'To', value: recipients.join(', ') },
        { name: 'Subject', value: subject },
      ],
      commonHeaders: {
        from: [`${sender.displayName} <${sender.address}>`],
        to: recipients,
        messageId,
        subject,
      },
      ...(format === 'event'
        ? {
            tags: {
              'ses:operation': ['SendEmail'],
              'ses:configuration-set': [sender.configurationSet],
              'ses:from-domain': [sender.address.split('@')[1] as string],
              campaign: [campaign],
            },
          }
        : { sourceIp: '203.0.113.10', callerIdentity: `${sender.configurationSet}-role` }),
    });
    const event = (eventType: string, detailName: string, detail: object) =>
      JSON.stringify({ eventType, mail: mail('event'), [detailName]: detail });
    const notification = (notificationType: string, detailName: string, detail: object) =>
      JSON.stringify({ notificationType, mail: mail('notification'), [detailName]: detail });
    const at = (offsetMs: number) => iso(sentAt + offsetMs);

    if (random() < 0.01) {
      messages.push(event('Reject', 'reject', { reason: 'Bad content' }));
      continue;
    }
    if (random() < 0.01) {
      messages.push(
        event('Rendering Failure', 'failure', {
          errorMessage: "Attribute 'name' is not present in the rendering data.",
          templateName: `${campaign}-v1`,
        }),
      );
      continue;
    }
    messages.push(event('Send', 'send', {}));
    if (random() < 0.03) {
      messages.push(
        event('DeliveryDelay', 'deliveryDelay', {
          timestamp: at(600_000),
          delayType: pick(['TransientCommunicationFailure', 'MailboxFull', 'IPFailure']),
          expirationTime: at(86_400_000),
          delayedRecipients: [
            { emailAddress: recipients[0], status: '4.4.7', diagnosticCode: 'smtp; 421 4.4.7 try later' },
          ],
        }),
      );
    }
    const bounced = bounceHeavy ? recipients : random() < 0.02 ? [recipients[0] as string] : [];
    if (bounced.length > 0) {
      const bounce = {
        bounceType: pick(['Permanent', 'Permanent', 'Transient']),
        bounceSubType: pick(['General', 'NoEmail', 'Suppressed', 'OnAccountSuppressionList', 'MailboxFull']),
        bouncedRecipients: bounced.map((emailAddress) => ({
          emailAddress,
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        })),
        timestamp: at(2_000),
        feedbackId: `0102${hex(12)}-${hex(8)}-000000`,
        reportingMTA: 'dsn; a1-2.smtp-out.eu-west-1.amazonses.com',
      };
      messages.push(
        notificationFormat ? notification('Bounce', 'bounce', bounce) : event('Bounce', 'bounce', bounce),
      );
    }
    const delivered = recipients.filter((recipient) => !bounced.includes(recipient));
    if (delivered.length === 0) continue;
    const delivery = {
      timestamp: at(1_500),
      processingTimeMillis: 400 + Math.floor(random() * 2_000),
      recipients: delivered,
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'a1-2.smtp-out.eu-west-1.amazonses.com',
    };
    messages.push(
      notificationFormat
        ? notification('Delivery', 'delivery', delivery)
        : event('Delivery', 'delivery', delivery),
    );
    // Real complaint rates sit near SES's 0.1% review threshold; the demo has more so the chart has data.
    if (random() < 0.006) {
      const complaint = {
        complainedRecipients: [{ emailAddress: delivered[0] }],
        timestamp: at(3_600_000),
        feedbackId: `0102${hex(12)}-${hex(8)}-000000`,
        complaintSubType: null,
        complaintFeedbackType: 'abuse',
        userAgent: 'ExampleISP Feedback Loop',
        arrivalDate: at(3_590_000),
      };
      messages.push(
        notificationFormat
          ? notification('Complaint', 'complaint', complaint)
          : event('Complaint', 'complaint', complaint),
      );
    }
    if (notificationFormat) continue;
    if (random() < 0.45) {
      messages.push(
        event('Open', 'open', {
          ipAddress: '198.51.100.20',
          timestamp: at(1_800_000),
          userAgent: 'Mozilla/5.0 (Macintosh)',
        }),
      );
      if (random() < 0.3) {
        messages.push(
          event('Click', 'click', {
            ipAddress: '198.51.100.20',
            timestamp: at(1_900_000),
            userAgent: 'Mozilla/5.0 (Macintosh)',
            link: `https://shop.example.com/${campaign}`,
            linkTags: { campaign: [campaign] },
          }),
        );
      }
    }
    if (random() < 0.01) {
      messages.push(
        event('Subscription', 'subscription', {
          contactList: `${sender.configurationSet}-list`,
          timestamp: at(2_000_000),
          source: 'UnsubscribeHeader',
          newTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [] },
          oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [] },
        }),
      );
    }
  }

  const malformed = [
    'this is not JSON at all',
    JSON.stringify({ hello: 'not an SES event' }),
    JSON.stringify({
      eventType: 'Bounce',
      mail: { timestamp: iso(now), source: 'x@example.com' },
      bounce: {},
    }),
    JSON.stringify({ eventType: 'Delivery', mail: { messageId: 42, timestamp: 'yesterday' } }),
  ];
  // Spread the malformed ones through the stream, as they would arrive in real life.
  malformed.forEach((payload, n) => {
    messages.splice(Math.floor(((n + 1) * messages.length) / (malformed.length + 1)), 0, payload);
  });
  return { messages, doors: messages.map(doorOf), metadataRows, emails, malformed: malformed.length };
}

/** The door of the configuration set in the event's tags; SNS for notifications and malformed payloads. */
function doorOf(message: string): DemoDoor {
  let configurationSet: unknown;
  try {
    configurationSet = (JSON.parse(message) as { mail?: { tags?: Record<string, unknown[]> } }).mail?.tags?.[
      'ses:configuration-set'
    ]?.[0];
  } catch {
    return 'sns-sqs';
  }
  return DEMO_SENDERS.find((sender) => sender.configurationSet === configurationSet)?.door ?? 'sns-sqs';
}

/**
 * SES service events the EventBridge door also carries (no email is involved): the function filters
 * them, as it does when SES_KAFKA_SERVICE_EVENTS_TOPIC is unset.
 */
export function demoServiceEvents(now: number = Date.now()): string[] {
  const tenant = 'arn:aws:ses:eu-west-1:111122223333:tenant/example-news/tn-0demo';
  const event = (detailType: string, status: string, at: number) => ({
    version: '0',
    id: `00000000-0000-4000-8000-${String(at % 1e12).padStart(12, '0')}`,
    'detail-type': detailType,
    source: 'aws.ses',
    account: '111122223333',
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'eu-west-1',
    resources: [tenant],
    detail: {
      version: '1.0.0',
      data: {
        origin: 'AWS_MANAGED',
        record: { status, cause: 'Bounce rate above the enforcement threshold.' },
      },
    },
  });
  return [
    JSON.stringify(event('Sending Status Disabled', 'DISABLED', now - 3_600_000)),
    JSON.stringify(event('Sending Status Enabled', 'REINSTATED', now - 600_000)),
  ];
}
