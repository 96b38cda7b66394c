/** Fixture loading and the SNS/SQS envelopes AWS wraps around an SES message, for the ses tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SNSEvent, SNSMessage, SQSEvent, SQSRecord } from 'aws-lambda';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/ses/', import.meta.url));

export interface Fixture {
  /** e.g. `event-publishing/bounce.json` */
  name: string;
  text: string;
  json: Record<string, unknown>;
}

export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURE_DIR}${name}`, 'utf8');
}

export function fixture(name: string): Fixture {
  const text = fixtureText(name);
  return { name, text, json: JSON.parse(text) as Record<string, unknown> };
}

export function fixturesIn(dir: string): Fixture[] {
  return readdirSync(`${FIXTURE_DIR}${dir}`)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => fixture(`${dir}/${file}`));
}

/** The 10 event-publishing shapes and the identity-notification shapes (bounce, complaint, delivery). */
export function shapeFixtures(): Fixture[] {
  return [...fixturesIn('event-publishing'), ...fixturesIn('notification')];
}

export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:ses-events';

let counter = 0;
function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

/** The SNS notification JSON (HTTP delivery body, and the SQS body without raw message delivery). */
export function snsNotification(message: string, messageId = nextId('aaaaaaaa')): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: TOPIC_ARN,
    Message: message,
    Timestamp: '2024-03-11T09:16:11.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLEsignature==',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem',
    UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=example',
  };
}

export function snsLambdaEvent(messages: string[]): SNSEvent {
  return {
    Records: messages.map((message) => {
      const sns: SNSMessage = {
        Type: 'Notification',
        MessageId: nextId('bbbbbbbb'),
        TopicArn: TOPIC_ARN,
        Subject: '',
        Message: message,
        Timestamp: '2024-03-11T09:16:11.000Z',
        SignatureVersion: '1',
        Signature: 'EXAMPLEsignature==',
        SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem',
        UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=example',
        MessageAttributes: {},
      };
      return {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${TOPIC_ARN}:2f1e0d9c-8b7a-4654-9321-0fedcba98765`,
        Sns: sns,
      };
    }),
  };
}

export function sqsRecord(body: string): SQSRecord {
  return {
    messageId: nextId('cccccccc'),
    receiptHandle: 'AQEBexamplereceipthandle==',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1710148571000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1710148571010',
    },
    messageAttributes: {},
    md5OfBody: '0123456789abcdef0123456789abcdef',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:ses-events',
    awsRegion: 'eu-west-1',
  };
}

/** `raw` = SNS raw message delivery: the body is the SES JSON itself. */
export function sqsLambdaEvent(messages: string[], raw: boolean): SQSEvent {
  return {
    Records: messages.map((message) => sqsRecord(raw ? message : JSON.stringify(snsNotification(message)))),
  };
}
