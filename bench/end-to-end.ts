/**
 * Benchmark 2: end to end on the local stack (Kafka, dynalite, Apicurio). The SQS Lambda handler on
 * batches of 100 and 1,000 events, against a baseline that does what the Java predecessor did for each
 * event: one DynamoDB Query, then one Kafka send awaited until acknowledged, with a JSON value.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { handleSqsEvent } from '../src/lambda/sqs-handler.ts';
import { logger } from '../src/observability/logger.ts';
import { buildRuntime } from '../src/runtime.ts';
import { bareAddress } from '../src/ses/index.ts';
import { benchStream, sqsRecord } from './lib/events.ts';
import type { BenchContext, Benchmark, BenchReport } from './lib/report.ts';
import {
  benchEnv,
  createTopics,
  deleteTable,
  deleteTopics,
  dynamoClient,
  endpoints,
  requireStack,
  seedTable,
  topicRecordCount,
  uniqueName,
} from './lib/stack.ts';
import { fmt, fmtRatio, median, nowMs } from './lib/stats.ts';

/** Handler ÷ baseline: 10× for every batch size, and 25× at batch 1,000 (issue 14's goal for backfills). */
function budgetRatio(batch: number): number {
  return batch >= 1000 ? 25 : 10;
}

/**
 * The predecessor's per-event loop: parse, Query the metadata row, send one JSON record and wait for
 * the broker's acknowledgement before the next event. Like it, events it cannot parse are skipped.
 */
class PredecessorBaseline {
  readonly #dynamo = dynamoClient();
  readonly #producer: Producer;
  readonly #table: string;
  readonly #topic: string;
  sent = 0;

  constructor(table: string, topic: string) {
    this.#table = table;
    this.#topic = topic;
    const kafka = new Kafka({
      clientId: 'ses-bench-baseline',
      brokers: [endpoints.kafkaBrokers],
      logLevel: logLevel.NOTHING,
    });
    this.#producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  async handle(records: readonly SQSRecord[]): Promise<void> {
    for (const record of records) {
      let message: { mail?: { messageId?: string; source?: string } };
      try {
        message = JSON.parse((JSON.parse(record.body) as { Message: string }).Message);
      } catch {
        continue;
      }
      const messageId = message.mail?.messageId;
      const source = message.mail?.source;
      if (typeof messageId !== 'string' || typeof source !== 'string') continue;
      const found = await this.#dynamo.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'ses_pk = :pk AND begins_with(ses_sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': { S: bareAddress(source) ?? source },
            ':prefix': { S: `${messageId}#` },
          },
          Limit: 1,
        }),
      );
      const item = found.Items?.[0] ?? {};
      const metadata = Object.fromEntries(
        Object.entries(item).map(([name, value]) => [name, value.S ?? null]),
      );
      await this.#producer.send({
        topic: this.#topic,
        acks: -1,
        messages: [{ key: messageId, value: JSON.stringify({ ...message, metadata }) }],
      });
      this.sent++;
    }
  }

  async close(): Promise<void> {
    await this.#producer.disconnect();
    this.#dynamo.destroy();
  }
}

interface RunFigures {
  run: number;
  batch: number;
  handlerEventsPerSecond: number;
  /** The same handler with SES_KAFKA_CLIENT=platformatic, on its own fresh events. */
  platformaticEventsPerSecond: number;
  baselineEventsPerSecond: number;
  ratio: number;
  platformaticOverKafkajs: number;
  handlerRedelivered: number;
}

async function run(context: BenchContext): Promise<BenchReport> {
  await requireStack(['kafka', 'registry', 'dynamodb']);
  const sizes = context.quick ? [20] : [100, 1000];
  const runs = context.runs ?? (context.quick ? 1 : 3);
  const warmUp = 20;
  // Each run gives the handler fresh events, and the platformatic handler fresh events of its own.
  const total = 2 * (warmUp + runs * sizes.reduce((sum, size) => sum + size, 0));
  const stream = benchStream(total, 11);
  const records = stream.messages.map((message, index) => sqsRecord(message, `bench-${index}`));
  const table = uniqueName('ses-bench-e2e');
  const topic = uniqueName('ses-bench-e2e');
  const dlqTopic = `${topic}-dlq`;
  const baselineTopic = `${topic}-baseline`;
  context.log(
    `end-to-end: seeding ${stream.metadataRows.length} rows into ${table}; topics ${topic}(-dlq, -baseline)`,
  );
  await seedTable(table, stream.metadataRows);
  await createTopics([topic, dlqTopic, baselineTopic]);
  const runtime = buildRuntime(benchEnv({ topic, dlqTopic, table }));
  const platformatic = buildRuntime(
    benchEnv({ topic, dlqTopic, table, extra: { SES_KAFKA_CLIENT: 'platformatic' } }),
  );
  const baseline = new PredecessorBaseline(table, baselineTopic);
  const previousLevel = logger.getLevelName();
  // Dead letters of the stream's malformed payloads are logged as warnings; they would drown the table.
  logger.setLogLevel('ERROR');
  const lambdaContext = { getRemainingTimeInMillis: () => 600_000 };
  let offset = 0;
  const take = (count: number) => {
    const slice = records.slice(offset, offset + count);
    offset += count;
    return slice;
  };
  try {
    await baseline.connect();
    // Warm-up: producer connected, schema registered and its id cached, on events not measured later.
    const warm = take(warmUp);
    await handleSqsEvent({ Records: warm }, lambdaContext, runtime);
    await handleSqsEvent({ Records: take(warmUp) }, lambdaContext, platformatic);
    await baseline.handle(warm);
    const figures: RunFigures[] = [];
    for (let index = 0; index < runs; index++) {
      for (const batch of sizes) {
        // Fresh events each run, so the handler's metadata cache starts cold like a new batch would.
        const slice = take(batch);
        const platformaticSlice = take(batch);
        let handlerMs = 0;
        let platformaticMs = 0;
        let baselineMs = 0;
        let redelivered = 0;
        const timeHandler = async () => {
          const started = nowMs();
          const response = await handleSqsEvent({ Records: slice }, lambdaContext, runtime);
          handlerMs = nowMs() - started;
          redelivered += response.batchItemFailures.length;
        };
        const timePlatformatic = async () => {
          const started = nowMs();
          const response = await handleSqsEvent({ Records: platformaticSlice }, lambdaContext, platformatic);
          platformaticMs = nowMs() - started;
          redelivered += response.batchItemFailures.length;
        };
        const timeBaseline = async () => {
          const started = nowMs();
          await baseline.handle(slice);
          baselineMs = nowMs() - started;
        };
        // The three take turns going first, run by run.
        const order = [timeHandler, timePlatformatic, timeBaseline];
        for (let turn = 0; turn < order.length; turn++)
          await (order[(turn + index) % order.length] as () => Promise<void>)();
        const handlerEventsPerSecond = (batch * 1000) / handlerMs;
        const platformaticEventsPerSecond = (batch * 1000) / platformaticMs;
        const baselineEventsPerSecond = (batch * 1000) / baselineMs;
        figures.push({
          run: index,
          batch,
          handlerEventsPerSecond,
          platformaticEventsPerSecond,
          baselineEventsPerSecond,
          ratio: handlerEventsPerSecond / baselineEventsPerSecond,
          platformaticOverKafkajs: platformaticEventsPerSecond / handlerEventsPerSecond,
          handlerRedelivered: redelivered,
        });
      }
    }
    const redelivered = figures.reduce((sum, f) => sum + f.handlerRedelivered, 0);
    if (redelivered > 0) {
      throw new Error(
        `end-to-end: the handler handed ${redelivered} events back for redelivery; is the stack healthy?`,
      );
    }
    const produced = await topicRecordCount(topic);
    const deadLettered = await topicRecordCount(dlqTopic);
    const table_: string[][] = [
      [
        'batch',
        'handler events/s',
        'baseline events/s',
        'handler / baseline',
        'handler, platformatic client, events/s',
        'platformatic / kafkajs',
      ],
    ];
    const metrics: Record<string, number> = {};
    const budgets: BenchReport['budgets'] = [];
    for (const batch of sizes) {
      const rows = figures.filter((f) => f.batch === batch);
      const handler = median(rows.map((f) => f.handlerEventsPerSecond));
      const base = median(rows.map((f) => f.baselineEventsPerSecond));
      const ratio = median(rows.map((f) => f.ratio));
      const platformaticRate = median(rows.map((f) => f.platformaticEventsPerSecond));
      const clientRatio = median(rows.map((f) => f.platformaticOverKafkajs));
      table_.push([
        String(batch),
        fmt(handler),
        fmt(base),
        fmtRatio(ratio),
        fmt(platformaticRate),
        fmtRatio(clientRatio),
      ]);
      metrics[`platformaticEventsPerSecond_${batch}`] = platformaticRate;
      metrics[`platformaticOverKafkajs_${batch}`] = clientRatio;
      metrics[`handlerEventsPerSecond_${batch}`] = handler;
      metrics[`baselineEventsPerSecond_${batch}`] = base;
      metrics[`ratio_${batch}`] = ratio;
      budgets.push({
        name: `SQS handler / predecessor baseline, batch ${batch}`,
        limit: `≥ ${budgetRatio(batch)}×`,
        value: ratio,
        unit: '×',
        met: ratio >= budgetRatio(batch),
      });
    }
    return {
      name: 'end-to-end',
      title: 'End to end on the local stack: SQS handler vs the predecessor’s per-event loop',
      method: `Medians of ${runs} runs per batch size; the handler (kafkajs, the default client), the same handler with SES_KAFKA_CLIENT=platformatic and the baseline take turns going first; fresh events each run (the platformatic handler gets its own); Kafka acks=all everywhere.`,
      table: table_,
      metrics,
      budgets,
      notes: [
        `topic ${topic}: ${produced} records produced by the handler (incl. warm-up), ${deadLettered} dead letters (the stream's malformed payloads)`,
        `baseline: ${baseline.sent} JSON records sent one at a time to ${baselineTopic}`,
      ],
      config: { sizes, runs, warmUp, table, topic, baselineTopic },
      runs: figures,
    };
  } finally {
    logger.setLogLevel(previousLevel as 'INFO');
    await runtime.producer.close();
    await platformatic.producer.close();
    await baseline.close();
    await deleteTopics([topic, dlqTopic, baselineTopic]);
    await deleteTable(table);
  }
}

export const endToEnd: Benchmark = {
  name: 'end-to-end',
  title: 'End to end on the local stack',
  run,
};
