/**
 * Inputs for the benchmarks: the demo's realistic SES stream (every event type, multi-recipient bounces,
 * NOT_FOUND emails, a few malformed payloads), wrapped as Lambda SNS records or SQS messages.
 */
import type { SNSEventRecord, SQSRecord } from 'aws-lambda';
import { type DemoMetadataRow, generateDemoStream } from '../../src/demo/ses-event-stream.ts';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:ses-events';
/** A fixed clock, so every run of the bench builds byte-identical inputs. */
const STREAM_EPOCH = Date.parse('2026-11-20T12:00:00Z');

export interface BenchStream {
  /** SES event JSON strings (SNS `Message`), in stream order. */
  messages: string[];
  metadataRows: DemoMetadataRow[];
}

/** At least `events` SES messages (exactly that many are kept) and the metadata rows of their emails. */
export function benchStream(events: number, seed = 7): BenchStream {
  // The demo averages a little over two events per email; ask for enough emails, then trim.
  let emails = Math.ceil(events / 2) + 20;
  for (;;) {
    const stream = generateDemoStream({ emails, seed, now: STREAM_EPOCH });
    if (stream.messages.length >= events) {
      return { messages: stream.messages.slice(0, events), metadataRows: stream.metadataRows };
    }
    emails = Math.ceil(emails * 1.5);
  }
}

export function snsRecord(message: string, index: number): SNSEventRecord {
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: `${TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: '1',
      Timestamp: new Date(STREAM_EPOCH + index).toISOString(),
      Signature: 'EXAMPLE',
      SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem',
      MessageId: `95df01b4-ee98-5cb9-9903-${String(index).padStart(12, '0')}`,
      Message: message,
      MessageAttributes: {},
      Type: 'Notification',
      UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
      TopicArn: TOPIC_ARN,
      Subject: '',
    },
  };
}

/** SNS → SQS without raw message delivery: the body is the SNS notification around the SES event. */
export function sqsRecord(message: string, id: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: id,
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: id,
      TopicArn: TOPIC_ARN,
      Message: message,
      Timestamp: new Date(STREAM_EPOCH).toISOString(),
      SignatureVersion: '1',
    }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(STREAM_EPOCH),
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: String(STREAM_EPOCH),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:ses-events',
    awsRegion: 'us-east-1',
  };
}
