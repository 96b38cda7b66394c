import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context, SNSEvent, SNSEventRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { loadKafkaSettings } from '../../src/kafka/config.ts';
import { ensureTopics, LOCAL_LAYOUT } from '../../src/kafka/topics.ts';
import { AvroDecoder } from '../../src/serde/decoder.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../../src/stack/endpoints.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';

export { closedPort } from './ports.ts';

/**
 * Helpers for tests that run the whole pipeline against the local stack: the env a runtime is built
 * from, topics, Lambda events around SES fixtures, and a consumer that reads back what was produced.
 */

export const endpoints = stackEndpoints();

export type Env = Record<string, string>;

/** A name no parallel run will also pick; valid as a Kafka topic, Glue registry and DynamoDB table. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export interface PipelineEnvOptions {
  topic: string;
  dlqTopic: string;
  table: string;
  registry: 'confluent' | 'glue';
  /** Glue only: a unique schema name per call unless given. */
  glueSchemaName?: string;
  brokers?: string;
  /** Anything else, e.g. a closed DYNAMODB_ENDPOINT or SES_KAFKA_REGISTRY_URL; wins over the defaults. */
  extra?: Env;
}

/** The env `buildRuntime` reads, pointing at the local stack, with schemas registered on first use. */
export function localPipelineEnv(options: PipelineEnvOptions): Env {
  const registry: Env =
    options.registry === 'confluent'
      ? { SES_KAFKA_REGISTRY: 'confluent', SES_KAFKA_REGISTRY_URL: endpoints.registryUrl }
      : {
          SES_KAFKA_REGISTRY: 'glue',
          SES_KAFKA_GLUE_ENDPOINT: endpoints.glueEndpoint,
          // moto, like AWS, allows 10 registries per account and the shared stack's are soon used up by
          // test runs; default-registry is exempt, so each run gets its own schema in it instead.
          SES_KAFKA_GLUE_REGISTRY_NAME: 'default-registry',
          SES_KAFKA_GLUE_SCHEMA_NAME: options.glueSchemaName ?? uniqueName('pipeline-it'),
          // No AWS_ACCESS_KEY_ID here: with a loopback endpoint and none set, the runtime uses the stack's
          // local credentials; setting one would send the SDK to its own chain, which reads process.env.
        };
  return {
    SES_KAFKA_BROKERS: options.brokers ?? endpoints.kafkaBrokers,
    SES_KAFKA_TOPIC: options.topic,
    SES_KAFKA_DLQ_TOPIC: options.dlqTopic,
    SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
    SES_KAFKA_METADATA_TABLE: options.table,
    DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
    // A closed port must fail in seconds, not after the SDK's default patience.
    SES_KAFKA_METADATA_MAX_ATTEMPTS: '2',
    SES_KAFKA_METADATA_REQUEST_TIMEOUT_MS: '1000',
    SES_KAFKA_CONNECTION_TIMEOUT_MS: '1000',
    ...registry,
    ...options.extra,
  };
}

function inspector(brokers: string): Kafka {
  return new Kafka({ clientId: 'pipeline-it-inspector', brokers: [brokers], logLevel: logLevel.NOTHING });
}

/** The producer never creates topics, so every test creates its own first. */
/** Creates the topics (3 partitions unless told otherwise) the way `ses-kafka topics create` does. */
export async function createTopics(
  topics: readonly string[],
  brokers: string = endpoints.kafkaBrokers,
  numPartitions = 3,
): Promise<void> {
  await ensureTopics(
    loadKafkaSettings({ SES_KAFKA_BROKERS: brokers, SES_KAFKA_TOPIC: 'unused' }),
    topics.map((topic) => ({ topic, layout: { ...LOCAL_LAYOUT.events, partitions: numPartitions } })),
  );
}

/** How many records a topic holds: the sum of its partitions' end offsets (exact for a fresh topic). */
export async function topicRecordCount(
  topic: string,
  brokers: string = endpoints.kafkaBrokers,
): Promise<number> {
  const admin = inspector(brokers).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** One record as read back, headers as text. */
export interface CollectedRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** The Kafka record timestamp, epoch millis. */
  timestamp: number;
}

function headerTexts(message: KafkaMessage): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) texts[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return texts;
}

export interface CollectOptions {
  /** Stop as soon as this many records arrived. */
  count?: number;
  /** Stop once nothing new arrived for this long (after the consumer joined). */
  idleMs?: number;
  /** Give up and return what arrived; the caller's assertions say what was missing. */
  timeoutMs?: number;
  brokers?: string;
}

/**
 * Reads `topic` from the beginning until `count` records arrived, nothing arrived for `idleMs`, or
 * `timeoutMs` passed, whichever comes first. Never throws for too few records: the count is the test's
 * to assert, with the ids that are missing.
 */
export async function collectRecords(
  topic: string,
  options: CollectOptions = {},
): Promise<CollectedRecord[]> {
  const { count = Number.POSITIVE_INFINITY, idleMs = 3_000, timeoutMs = 30_000 } = options;
  const consumer = inspector(options.brokers ?? endpoints.kafkaBrokers).consumer({
    groupId: uniqueName('pipeline-it'),
    maxWaitTimeInMs: 200,
  });
  const received: CollectedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let idle: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(idle);
        clearTimeout(overall);
        resolve();
      };
      const overall = setTimeout(finish, timeoutMs);
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(finish, idleMs);
      };
      consumer.on(consumer.events.GROUP_JOIN, touch);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({
              partition,
              offset: message.offset,
              key: message.key === null ? null : message.key.toString('utf8'),
              value: message.value,
              headers: headerTexts(message),
              timestamp: Number(message.timestamp),
            });
            if (received.length >= count) finish();
            else touch();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** A decoder that reads both wire formats from the local stack's registries. */
export function localDecoder(): AvroDecoder {
  return new AvroDecoder({
    confluent: { url: endpoints.registryUrl },
    glue: {
      endpoint: endpoints.glueEndpoint,
      region: LOCAL_AWS_REGION,
      credentials: { ...LOCAL_AWS_CREDENTIALS },
    },
  });
}

export const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'ses');

export interface Fixture {
  /** e.g. `event-publishing/bounce.json`. */
  name: string;
  text: string;
}

/** Every fixture file in the given sub-folders of test/fixtures/ses, sorted by name. */
export function loadFixtures(...folders: string[]): Fixture[] {
  return folders.flatMap((folder) =>
    readdirSync(path.join(FIXTURE_DIR, folder))
      .sort()
      .map((file) => ({
        name: `${folder}/${file}`,
        text: readFileSync(path.join(FIXTURE_DIR, folder, file), 'utf8'),
      })),
  );
}

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-events';

/** The `Sns` object SNS hands to Lambda or writes into an SQS body (non-raw delivery). */
export function snsNotification(message: string, messageId: string): SNSEventRecord['Sns'] {
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: TOPIC_ARN,
    Subject: '',
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem',
    UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    MessageAttributes: {},
  };
}

/** A Lambda SNS event with one record per message, ids `<prefix>-<index>`. */
export function snsEvent(messages: readonly string[], idPrefix: string = uniqueName('sns')): SNSEvent {
  return {
    Records: messages.map((message, index) => ({
      EventVersion: '1.0',
      EventSubscriptionArn: `${TOPIC_ARN}:${idPrefix}`,
      EventSource: 'aws:sns',
      Sns: snsNotification(message, `${idPrefix}-${index}`),
    })),
  };
}

/** One SQS record whose body is given as is (an SNS notification, or the SES JSON with raw delivery). */
export function sqsRecord(body: string, messageId: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:ses-events',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

/** The part of a Lambda context the handlers use. */
export function lambdaContext(remainingMs = 30_000): Pick<Context, 'getRemainingTimeInMillis'> {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

/** Counts each value, e.g. how often each eventId appears in a topic. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * `count` valid SES events (JSON text), each its own email: the event-publishing fixtures in turn, with
 * `mail.messageId` rewritten to `<prefix>-<index>`, so every one has its own eventId.
 */
export function distinctSesEvents(count: number, prefix: string): string[] {
  const templates = loadFixtures('event-publishing').map((fixture) => JSON.parse(fixture.text) as SesLike);
  return Array.from({ length: count }, (_, index) => {
    const event = structuredClone(templates[index % templates.length] as SesLike);
    event.mail.messageId = `${prefix}-${index}`;
    return JSON.stringify(event);
  });
}

interface SesLike {
  mail: { messageId: string };
}
