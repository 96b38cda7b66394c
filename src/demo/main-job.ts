/**
 * `npm start`: the whole job on the local stack, as a new user first sees it. Stack up → register the
 * transform chain's output schema → seed DynamoDB in the predecessor's layout → a mixed SES stream through
 * the real SQS Lambda handler → consume and decode → DuckDB warehouse → summary and HTML report.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { Kafka, logLevel } from 'kafkajs';
import { createProgress } from '../cli/progress.ts';
import { LOCAL_METADATA_TABLE, localStackEnv } from '../config/local-env.ts';
import { loadPipelineSettings } from '../config/pipeline-settings.ts';
import { KafkajsConsumerGroup } from '../kafka/kafkajs-consumer.ts';
import { handleSqsEvent } from '../lambda/sqs-handler.ts';
import { logger } from '../observability/logger.ts';
import { registerSchemas } from '../registration/register-schemas.ts';
import { buildChain, buildRuntime } from '../runtime.ts';
import { AvroDecoder } from '../serde/decoder.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../stack/endpoints.ts';
import { REPO_ROOT } from '../stack/paths.ts';
import { stackUp } from '../stack/stack.ts';
import { runConsumer } from '../warehouse/consumer.ts';
import { DuckDbSink } from '../warehouse/duckdb-sink.ts';
import { writeReport } from '../warehouse/report/write.ts';
import { ensurePredecessorTable, seedMetadataRows } from './seed-metadata.ts';
import { generateDemoStream } from './ses-event-stream.ts';
import { formatTable, readWarehouseSummary, type WarehouseSummary } from './summary.ts';

export const EXAMPLE_TRANSFORMS = path.join(REPO_ROOT, 'schemas', 'transforms.example.properties');
/** The example chain hashes recipient addresses; outside the demo this key comes from a secret store. */
const DEMO_HMAC_KEY = 'local-demo-key-not-a-secret';

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

async function createTopics(brokers: string, topics: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'ses-kafka-start',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 3 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

function sqsEvent(messages: readonly string[], offset: number, topicArn: string): SQSEvent {
  return {
    Records: messages.map((message, index) => ({
      messageId: `demo-${offset + index}`,
      receiptHandle: `demo-${offset + index}`,
      // SNS → SQS without raw message delivery: the body is the SNS notification around the SES event.
      body: JSON.stringify({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: topicArn,
        Message: message,
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'demo',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:ses-events',
      awsRegion: LOCAL_AWS_REGION,
    })),
  };
}

export async function runMainJob(options: MainJobOptions): Promise<MainJobResult> {
  const started = Date.now();
  const { log } = options;
  const step = (n: number, text: string) => log(`[${n}/7] ${text}`);

  step(1, 'local stack: starting or reusing Kafka, Apicurio Registry, moto and dynalite');
  await stackUp(undefined, (line) => log(`      ${line}`));

  // A topic pair per run keeps this run's counts apart from earlier runs on the same stack.
  const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
  const topic = `ses-events-${runId}`;
  const dlqTopic = `ses-events-dlq-${runId}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...localStackEnv('confluent'),
    SES_KAFKA_TOPIC: topic,
    SES_KAFKA_DLQ_TOPIC: dlqTopic,
    SES_KAFKA_TRANSFORMS_FILE: EXAMPLE_TRANSFORMS,
    SES_KAFKA_HMAC_KEY: process.env.SES_KAFKA_HMAC_KEY ?? DEMO_HMAC_KEY,
  };
  const endpoints = stackEndpoints();
  await createTopics(endpoints.kafkaBrokers, [topic, dlqTopic]);

  step(2, `registering the transform chain's output schema (subject ${topic}-value, BACKWARD)`);
  const settings = loadPipelineSettings(env);
  const chain = buildChain(settings, env);
  const registration = await registerSchemas({
    schema: chain.outputValueSchema as object,
    target: 'confluent',
    compatibility: settings.compatibility,
    confluent: { url: endpoints.registryUrl, topic },
  });
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

  step(
    4,
    `sending ${stream.messages.length} SES events (${stream.malformed} malformed) through the SQS Lambda handler`,
  );
  // Per-invocation log lines would bury the progress; warnings (dead letters, retries) still show.
  const logLevelBefore = logger.getLevelName();
  if (process.env.POWERTOOLS_LOG_LEVEL === undefined && process.env.LOG_LEVEL === undefined)
    logger.setLogLevel('WARN');
  const runtime = buildRuntime(env);
  const progress = createProgress('      Lambda invocations', { lineEvery: 250 });
  let produced = 0;
  let deadLettered = 0;
  let filtered = 0;
  let notWritten = 0;
  try {
    const topicArn = 'arn:aws:sns:us-east-1:111122223333:ses-events';
    for (let offset = 0; offset < stream.messages.length; offset += options.batchSize) {
      const batch = stream.messages.slice(offset, offset + options.batchSize);
      let event = sqsEvent(batch, offset, topicArn);
      // Like SQS, hand reported failures back once more before giving up on them.
      for (let attempt = 1; attempt <= 2 && event.Records.length > 0; attempt++) {
        const context = { getRemainingTimeInMillis: () => 30_000 };
        const response = await handleSqsEvent(event, context, runtime);
        const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
        event = { Records: event.Records.filter((record) => failed.has(record.messageId)) };
      }
      notWritten += event.Records.length;
      const done = Math.min(offset + options.batchSize, stream.messages.length);
      progress.update(done, stream.messages.length, `events (batches of ${options.batchSize})`);
    }
    progress.stop();
    const admin = new Kafka({ brokers: [endpoints.kafkaBrokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const countTopic = async (name: string) =>
      (await admin.fetchTopicOffsets(name)).reduce((sum, partition) => sum + Number(partition.offset), 0);
    produced = await countTopic(topic);
    deadLettered = await countTopic(dlqTopic);
    await admin.disconnect();
    filtered = stream.messages.length - produced - deadLettered - notWritten;
  } finally {
    await runtime.producer.close();
    logger.setLogLevel(logLevelBefore);
  }
  log(
    `      ${produced} produced to ${topic}, ${deadLettered} dead-lettered to ${dlqTopic}, ${notWritten} not written`,
  );

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
    inputs: stream.messages.length,
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
  log(formatTable(result.summary.byEventType));
  log('');
  log('Senders (rates: bounces per send, complaints per delivery; SES reviews at 5% and 0.1%)');
  log(formatTable(result.summary.bySender));
  log('');
  log(
    `${result.inputs} inputs: ${result.produced} produced, ${result.deadLettered} dead-lettered, ${result.filtered} filtered, ${result.notWritten} not written; ${result.consumed} loaded into the warehouse; whole job ${result.seconds.toFixed(1)}s`,
  );
  log('');
  log('Wrote:');
  log(`  warehouse  ${result.warehouseFile}`);
  log(`  report     ${result.reportFile}`);
  log(
    `  topics     ${result.topic} (events), ${result.dlqTopic} (dead letters) on ${stackEndpoints().kafkaBrokers}`,
  );
  log('Stop the local stack with: npx ses-kafka stack down');
}
