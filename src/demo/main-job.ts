/**
 * `npm start`: the whole job on the local stack, as a new user first sees it. Stack up → register the
 * transform chain's output schema → seed DynamoDB in the predecessor's layout → a mixed SES stream through
 * the real Lambda handlers, by three doors (SNS → SQS, EventBridge → Lambda, EventBridge → SQS) → consume
 * and decode → DuckDB warehouse → summary and HTML report.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { Kafka, logLevel } from 'kafkajs';
import { LOCAL_METADATA_TABLE, rawSetting } from '../config/settings.ts';
import { loadKafkaSettings } from '../kafka/config.ts';
import { KafkajsConsumerGroup } from '../kafka/kafkajs-consumer.ts';
import { ensureTopics, LOCAL_LAYOUT } from '../kafka/topics.ts';
import { handleEventBridgeEvent } from '../lambda/eventbridge-handler.ts';
import { handleSqsEvent } from '../lambda/sqs-handler.ts';
import { logger } from '../observability/logger.ts';
import { registrationFromSettings } from '../registration/from-settings.ts';
import { registerSchemas } from '../registration/register-schemas.ts';
import { buildRuntime, type Runtime } from '../runtime.ts';
import { AvroDecoder } from '../serde/decoder.ts';
import { EVENT_TYPE_BY_DETAIL_TYPE } from '../ses/eventbridge.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../stack/endpoints.ts';
import { localSettingsEnv } from '../stack/local-settings.ts';
import { ensurePredecessorTable } from '../stack/metadata-table.ts';
import { REPO_ROOT } from '../stack/paths.ts';
import { stackUp } from '../stack/stack.ts';
import { createProgress } from '../terminal/progress.ts';
import { formatRecords } from '../terminal/table.ts';
import { runConsumer } from '../warehouse/consumer.ts';
import { DuckDbSink } from '../warehouse/duckdb-sink.ts';
import { writeReport } from '../warehouse/report/write.ts';
import { deadLetterCodes } from './dead-letters.ts';
import { seedMetadataRows } from './seed-metadata.ts';
import { type DemoDoor, demoServiceEvents, generateDemoStream } from './ses-event-stream.ts';
import { readWarehouseSummary, type WarehouseSummary } from './summary.ts';

export const EXAMPLE_TRANSFORMS = path.join(REPO_ROOT, 'schemas', 'transforms.example.properties');
/** The example chain hashes recipient addresses; outside the demo this key comes from a secret store. */
const DEMO_HMAC_KEY = 'local-demo-hmac-key-not-a-secret-32b';

export interface MainJobOptions {
  emails: number;
  outDir: string;
  /** SQS messages per handler invocation. */
  batchSize: number;
  log: (line: string) => void;
}

export interface MainJobResult {
  topic: string;
  dlqTopic: string;
  inputs: number;
  /** Inputs sent through each door. */
  inputsByDoor: Record<DemoDoor, number>;
  produced: number;
  deadLettered: number;
  filtered: number;
  notWritten: number;
  consumed: number;
  warehouseFile: string;
  reportFile: string;
  summary: WarehouseSummary;
  seconds: number;
}

const DEMO_REGION = 'eu-west-1';
const DEMO_ACCOUNT = '111122223333';
const TOPIC_ARN = `arn:aws:sns:${DEMO_REGION}:${DEMO_ACCOUNT}:ses-events`;
/** EventBridge invokes one function instance per event; reserved concurrency caps how many at once. */
const EVENTBRIDGE_CONCURRENCY = 10;

/** What SES's EventBridge destination puts on the default bus: the SES JSON is the detail. */
function eventBridgeEvent(message: string): EventBridgeEvent<string, unknown> | Record<string, unknown> {
  const ses = JSON.parse(message) as { eventType: string; mail: { tags?: Record<string, string[]> } };
  if (!('mail' in ses)) return ses as Record<string, unknown>; // already an EventBridge event (service)
  const configurationSet = ses.mail.tags?.['ses:configuration-set']?.[0];
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': EVENTBRIDGE_DETAIL_TYPE[ses.eventType] ?? `Email ${ses.eventType}`,
    source: 'aws.ses',
    account: DEMO_ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: DEMO_REGION,
    resources: configurationSet
      ? [`arn:aws:ses:${DEMO_REGION}:${DEMO_ACCOUNT}:configuration-set/${configurationSet}`]
      : [],
    detail: ses,
  };
}

const EVENTBRIDGE_DETAIL_TYPE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EVENT_TYPE_BY_DETAIL_TYPE).map(([detailType, eventType]) => [eventType, detailType]),
);

/** The SQS body each door puts on its queue: the SNS notification (non-raw delivery) or the EventBridge event. */
function sqsBody(message: string, door: DemoDoor): string {
  if (door !== 'sns-sqs') return JSON.stringify(eventBridgeEvent(message));
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: TOPIC_ARN,
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
  });
}

function sqsEvent(messages: readonly string[], offset: number, door: DemoDoor): SQSEvent {
  return {
    Records: messages.map((message, index) => ({
      messageId: `demo-${door}-${offset + index}`,
      receiptHandle: `demo-${door}-${offset + index}`,
      body: sqsBody(message, door),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'demo',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${DEMO_REGION}:${DEMO_ACCOUNT}:ses-events-${door}`,
      awsRegion: LOCAL_AWS_REGION,
    })),
  };
}

/** An SQS queue's batches through the SQS handler; reported failures get one more delivery, as SQS would. */
async function sendThroughQueue(
  runtime: Runtime,
  messages: readonly string[],
  door: DemoDoor,
  batchSize: number,
  onProgress: (done: number) => void,
): Promise<number> {
  let notWritten = 0;
  for (let offset = 0; offset < messages.length; offset += batchSize) {
    let event = sqsEvent(messages.slice(offset, offset + batchSize), offset, door);
    for (let attempt = 1; attempt <= 2 && event.Records.length > 0; attempt++) {
      const context = { getRemainingTimeInMillis: () => 30_000 };
      const response = await handleSqsEvent(event, context, runtime);
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      event = { Records: event.Records.filter((record) => failed.has(record.messageId)) };
    }
    notWritten += event.Records.length;
    onProgress(Math.min(offset + batchSize, messages.length));
  }
  return notWritten;
}

/** One invocation per event, a few at a time; a failed invocation is retried once, as Lambda retries. */
async function sendThroughRule(
  runtime: Runtime,
  messages: readonly string[],
  onProgress: (done: number) => void,
): Promise<number> {
  let notWritten = 0;
  for (let offset = 0; offset < messages.length; offset += EVENTBRIDGE_CONCURRENCY) {
    const events = messages.slice(offset, offset + EVENTBRIDGE_CONCURRENCY).map(eventBridgeEvent);
    const outcomes = await Promise.all(
      events.map(async (event) => {
        for (let attempt = 1; attempt <= 2; attempt++) {
          const context = { getRemainingTimeInMillis: () => 30_000 };
          try {
            await handleEventBridgeEvent(event as EventBridgeEvent<string, unknown>, context, runtime);
            return true;
          } catch {
            // RedeliveryRequired: Lambda would invoke again.
          }
        }
        return false;
      }),
    );
    notWritten += outcomes.filter((written) => !written).length;
    onProgress(Math.min(offset + EVENTBRIDGE_CONCURRENCY, messages.length));
  }
  return notWritten;
}

/** The record's source.envelope each demo door produces. */
const DOOR_BY_ENVELOPE: Readonly<Record<string, DemoDoor>> = {
  'sqs-sns': 'sns-sqs',
  eventbridge: 'eventbridge',
  'sqs-eventbridge': 'eventbridge-sqs',
};

export const DOOR_LABELS: Readonly<Record<DemoDoor, string>> = {
  'sns-sqs': 'SNS → SQS → Lambda',
  eventbridge: 'EventBridge → Lambda',
  'eventbridge-sqs': 'EventBridge → SQS → Lambda',
};

export async function runMainJob(options: MainJobOptions): Promise<MainJobResult> {
  const started = Date.now();
  const { log } = options;
  const step = (n: number, text: string) => log(`[${n}/7] ${text}`);

  step(1, 'local stack: starting or reusing Kafka, Apicurio Registry, moto and dynalite');
  await stackUp(undefined, (line) => log(`      ${line}`));

  // A topic pair per run keeps this run's counts apart from earlier runs on the same stack.
  const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
  // The DLQ is named as everywhere else: <topic>.dlq.
  const topic = `ses-events-${runId}`;
  const dlqTopic = `${topic}.dlq`;
  const runSettings = {
    SES_KAFKA_TOPIC: topic,
    SES_KAFKA_DLQ_TOPIC: dlqTopic,
    SES_KAFKA_REGISTRY: 'confluent',
    SES_KAFKA_TRANSFORMS_FILE: EXAMPLE_TRANSFORMS,
    SES_KAFKA_HMAC_KEY: process.env.SES_KAFKA_HMAC_KEY ?? DEMO_HMAC_KEY,
  };
  const env: Record<string, string | undefined> = { ...process.env, ...runSettings };
  Object.assign(env, localSettingsEnv(env));
  // The AWS SDK reads credentials from the process environment: the local stack's, unless some are set.
  process.env.AWS_ACCESS_KEY_ID ??= env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY ??= env.AWS_SECRET_ACCESS_KEY;
  const endpoints = stackEndpoints();
  // As `ses-kafka topics create --local` would: the local broker does not create topics by itself.
  await ensureTopics(loadKafkaSettings(env), [
    { topic, layout: LOCAL_LAYOUT.events },
    { topic: dlqTopic, layout: LOCAL_LAYOUT.deadLetters },
  ]);

  step(2, `registering the transform chain's output schema (subject ${topic}-value, BACKWARD)`);
  // Exactly what `ses-kafka register-schemas` would register with these settings (no HMAC key needed).
  const registration = await registerSchemas(await registrationFromSettings(env));
  if (registration.status === 'incompatible') {
    throw new Error(
      `schema registration refused: ${registration.violations.map((v) => v.message).join('; ')}`,
    );
  }
  log(`      ${registration.status}: schema id ${registration.id ?? '?'} at ${registration.location}`);

  step(
    3,
    `seeding DynamoDB table ${LOCAL_METADATA_TABLE} (predecessor layout: ses_pk, ses_sk = <messageId>#<date>)`,
  );
  const stream = generateDemoStream({ emails: options.emails });
  const dynamodb = new DynamoDBClient({
    endpoint: endpoints.dynamodbEndpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  await ensurePredecessorTable(dynamodb, LOCAL_METADATA_TABLE);
  await seedMetadataRows(dynamodb, LOCAL_METADATA_TABLE, stream.metadataRows);
  dynamodb.destroy();
  log(
    `      ${stream.metadataRows.length} metadata rows for ${stream.emails} emails (the rest are NOT_FOUND on purpose)`,
  );

  // Every message, with its door; the service events come through the EventBridge rule like the rest.
  const inputs: Array<{ message: string; door: DemoDoor }> = [
    ...stream.messages.map((message, index) => ({ message, door: stream.doors[index] as DemoDoor })),
    ...demoServiceEvents().map((message) => ({ message, door: 'eventbridge' as const })),
  ];
  const byDoor = (door: DemoDoor) =>
    inputs.filter((input) => input.door === door).map((input) => input.message);
  const doors: DemoDoor[] = ['sns-sqs', 'eventbridge', 'eventbridge-sqs'];
  const inputsByDoor = Object.fromEntries(doors.map((door) => [door, byDoor(door).length])) as Record<
    DemoDoor,
    number
  >;
  step(
    4,
    `sending ${inputs.length} inputs (${stream.malformed} malformed, ${inputs.length - stream.messages.length} SES service events) through the Lambda handlers: ${doors.map((door) => `${inputsByDoor[door]} ${DOOR_LABELS[door]}`).join(', ')}`,
  );
  // A log line per invocation or dead letter would bury the progress: dead letters are summarised by
  // code below instead, and errors still show.
  const logLevelBefore = logger.getLevelName();
  if (rawSetting(process.env, 'logLevel') === undefined) logger.setLogLevel('ERROR');
  const runtime = buildRuntime(env);
  const progress = createProgress('      Lambda invocations', { lineEvery: 250 });
  let produced = 0;
  let deadLettered = 0;
  let filtered = 0;
  let notWritten = 0;
  try {
    let sent = 0;
    for (const door of doors) {
      const messages = byDoor(door);
      const onProgress = (done: number) =>
        progress.update(sent + done, inputs.length, `inputs (now: ${DOOR_LABELS[door]})`);
      notWritten +=
        door === 'eventbridge'
          ? await sendThroughRule(runtime, messages, onProgress)
          : await sendThroughQueue(runtime, messages, door, options.batchSize, onProgress);
      sent += messages.length;
    }
    progress.stop();
    const admin = new Kafka({ brokers: [endpoints.kafkaBrokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const countTopic = async (name: string) =>
      (await admin.fetchTopicOffsets(name)).reduce((sum, partition) => sum + Number(partition.offset), 0);
    produced = await countTopic(topic);
    deadLettered = await countTopic(dlqTopic);
    await admin.disconnect();
    filtered = inputs.length - produced - deadLettered - notWritten;
  } finally {
    await runtime.producer.close();
    logger.setLogLevel(logLevelBefore);
  }
  log(
    `      ${produced} produced to ${topic}, ${deadLettered} dead-lettered to ${dlqTopic}, ${notWritten} not written`,
  );
  const codes = await deadLetterCodes(endpoints.kafkaBrokers, dlqTopic, deadLettered);
  if (codes.size > 0) {
    const byCode = [...codes].map(([code, count]) => `${code} x${count}`).join(', ');
    log(`      dead letters by error code: ${byCode} (original payloads and error headers in ${dlqTopic})`);
  }

  step(5, 'consuming the topic and decoding the Avro (Confluent wire format, schema from the registry)');
  mkdirSync(options.outDir, { recursive: true });
  const warehouseFile = path.join(options.outDir, 'warehouse.duckdb');
  rmSync(warehouseFile, { force: true });
  rmSync(`${warehouseFile}.wal`, { force: true });
  const sink = await DuckDbSink.open(warehouseFile);
  const consumeProgress = createProgress('      consumer', { lineEvery: 250 });
  let consumed = 0;
  try {
    const summary = await runConsumer({
      consumer: new KafkajsConsumerGroup(
        { clientId: 'ses-kafka-start', brokers: [endpoints.kafkaBrokers], logLevel: logLevel.NOTHING },
        { groupId: `ses-kafka-start-${runId}` },
      ),
      topics: [topic],
      fromBeginning: true,
      decoder: new AvroDecoder({ confluent: { url: endpoints.registryUrl } }),
      sink,
      max: produced,
      untilIdleMs: 10_000,
      onProgress: (state) => consumeProgress.update(state.events, produced, 'events decoded and loaded'),
    });
    consumed = summary.events;
    if (summary.error) throw summary.error;
  } finally {
    consumeProgress.stop();
    await sink.close();
  }
  step(6, `loaded ${consumed} events into DuckDB: ${path.relative(process.cwd(), warehouseFile)}`);

  step(7, 'summary');
  const summary = await readWarehouseSummary(warehouseFile);
  const report = await writeReport(warehouseFile, path.join(options.outDir, 'report.html'));
  return {
    topic,
    dlqTopic,
    inputs: inputs.length,
    inputsByDoor,
    produced,
    deadLettered,
    filtered,
    notWritten,
    consumed,
    warehouseFile,
    reportFile: report.path,
    summary,
    seconds: (Date.now() - started) / 1000,
  };
}

export function printMainJobResult(result: MainJobResult, log: (line: string) => void): void {
  log('');
  log('Events by type');
  log(formatRecords(result.summary.byEventType));
  log('');
  log('Events by door (the same SES event through two doors is one row: same eventId)');
  log(
    formatRecords(
      result.summary.byDoor.map((row) => ({
        door: DOOR_LABELS[DOOR_BY_ENVELOPE[String(row.envelope)] as DemoDoor] ?? String(row.envelope),
        ...row,
      })),
    ),
  );
  log('');
  log('Senders (rates: bounces per send, complaints per delivery; SES reviews at 5% and 0.1%)');
  log(formatRecords(result.summary.bySender));
  log('');
  log(
    `${result.inputs} inputs: ${result.produced} produced, ${result.deadLettered} dead-lettered, ${result.filtered} filtered, ${result.notWritten} not written; ${result.consumed} loaded into the warehouse; whole job ${result.seconds.toFixed(1)}s`,
  );
  log('');
  log('Wrote:');
  log(`  warehouse  ${shownPath(result.warehouseFile)}`);
  log(`  report     ${shownPath(result.reportFile)}`);
  log(
    `  topics     ${result.topic} (events), ${result.dlqTopic} (dead letters) on ${stackEndpoints().kafkaBrokers}`,
  );
  log('Stop the local stack with: npx ses-kafka stack down');
}

/** A path under the working directory is shown relative to it, as a person would type it. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
