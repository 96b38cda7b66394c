/**
 * Benchmark 1: pipeline CPU per event in one process. Parse (from the SNS record's JSON text) → enrich
 * from a warm cache → the example transform chain → Avro encode with a warm schema-id cache → a producer
 * stand-in that accepts every record without sending it (Kafka is measured in the end-to-end benchmark).
 * The floor, measured in the same runs, is JSON.parse of the same SNS record texts and of their inner
 * Message strings: the least any correct implementation has to do.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createMetadataStoreFromEnv } from '../src/enrich/index.ts';
import type { OutgoingRecord, ProducerPort, SendResult } from '../src/kafka/producer.ts';
import { logger } from '../src/observability/logger.ts';
import type { PipelineInput } from '../src/pipeline.ts';
import { buildRuntime } from '../src/runtime.ts';
import { parseSnsRecord } from '../src/ses/index.ts';
import { benchStream, snsRecord } from './lib/events.ts';
import type { BenchContext, Benchmark, BenchReport } from './lib/report.ts';
import { benchEnv, deleteTable, dynamoClient, requireStack, seedTable, uniqueName } from './lib/stack.ts';
import { fmt, fmtRatio, median, nowMs } from './lib/stats.ts';

const BUDGET_RATIO = 3;
const BATCH = 100;

/**
 * Stands in for Kafka in this CPU benchmark only: accepts every record at once and keeps nothing but a
 * byte count, so the records are really built (nothing lazy is skipped) and no network time is added.
 */
export class AcceptingProducer implements ProducerPort {
  records = 0;
  valueBytes = 0;

  async send(batch: readonly OutgoingRecord[]): Promise<SendResult[]> {
    return batch.map((record) => {
      this.records++;
      this.valueBytes += record.value?.length ?? 0;
      return { ok: true, topic: record.topic };
    });
  }

  async close(): Promise<void> {}
}

/** Counts the DynamoDB calls that get through, to prove the measured runs are served from the cache. */
function countingClient(inner: DynamoDBClient): {
  client: Pick<DynamoDBClient, 'send'>;
  calls: () => number;
} {
  let calls = 0;
  const client = {
    send: ((command: Parameters<DynamoDBClient['send']>[0]) => {
      calls++;
      return inner.send(command);
    }) as DynamoDBClient['send'],
  };
  return { client, calls: () => calls };
}

interface RunFigures {
  order: string;
  pipelineUs: number;
  floorUs: number;
  ratio: number;
}

/**
 * The measured work of this benchmark, set up against the stack and ready to time: one pass of the
 * pipeline and one pass of the floor over the same SNS record texts. bench/profile.ts profiles the same
 * passes, so a profile explains exactly what this benchmark measures.
 */
export interface PipelineWorkload {
  texts: readonly string[];
  /** One pass of every text through the pipeline, in batches of BATCH; returns milliseconds. */
  pipelinePass(): Promise<number>;
  /** One pass of the floor (JSON.parse of each record and its Message); returns milliseconds. */
  floorPass(): number;
  /** Outcome counts of the last pipeline pass, by disposition kind. */
  outcomes: ReadonlyMap<string, number>;
  dynamoCalls(): number;
  /** What the floor counted, so its work cannot be optimised away. */
  sink(): number;
  table: string;
  topic: string;
  close(): Promise<void>;
}

export async function preparePipelineWorkload(
  events: number,
  log: (line: string) => void,
): Promise<PipelineWorkload> {
  await requireStack(['registry', 'dynamodb']);
  const stream = benchStream(events);
  const table = uniqueName('ses-bench-cpu');
  const topic = uniqueName('ses-bench-cpu');
  log(`pipeline-cpu: seeding ${stream.metadataRows.length} metadata rows into dynalite table ${table}`);
  await seedTable(table, stream.metadataRows);
  const dynamo = dynamoClient();
  const counting = countingClient(dynamo);
  // Cached NOT_FOUND too, so the 8% of emails the application never recorded also come from the cache.
  const env = benchEnv({
    topic,
    dlqTopic: `${topic}-dlq`,
    table,
    extra: { SES_KAFKA_METADATA_CACHE_NOT_FOUND_TTL_SECONDS: '3600' },
  });
  const producer = new AcceptingProducer();
  const runtime = buildRuntime(env, {
    producer,
    metadata: createMetadataStoreFromEnv(env, { client: counting.client }),
  });
  const texts = stream.messages.map((message, index) => JSON.stringify(snsRecord(message, index)));
  const previousLevel = logger.getLevelName();
  logger.setLogLevel('ERROR');

  let sink = 0;
  const floorPass = (): number => {
    const started = nowMs();
    for (const text of texts) {
      const record = JSON.parse(text) as { Sns: { Message: string } };
      try {
        const message = JSON.parse(record.Sns.Message) as { mail?: unknown };
        if (message.mail !== undefined) sink++;
      } catch {
        // The stream's few malformed payloads: a correct implementation also finds out they are not JSON.
        sink--;
      }
    }
    return nowMs() - started;
  };
  const outcomes = new Map<string, number>();
  const pipelinePass = async (): Promise<number> => {
    outcomes.clear();
    const deadline = Date.now() + 600_000;
    const started = nowMs();
    for (let start = 0; start < texts.length; start += BATCH) {
      const inputs: PipelineInput[] = [];
      for (let index = start; index < Math.min(start + BATCH, texts.length); index++) {
        inputs.push({ id: String(index), parsed: parseSnsRecord(JSON.parse(texts[index] as string)) });
      }
      const results = await runtime.pipeline.process(inputs, deadline);
      for (const { disposition } of results) {
        outcomes.set(disposition.kind, (outcomes.get(disposition.kind) ?? 0) + 1);
      }
    }
    return nowMs() - started;
  };
  return {
    texts,
    pipelinePass,
    floorPass,
    outcomes,
    dynamoCalls: counting.calls,
    sink: () => sink,
    table,
    topic,
    async close() {
      logger.setLogLevel(previousLevel as 'INFO');
      await runtime.producer.close();
      dynamo.destroy();
      await deleteTable(table);
    },
  };
}

async function run(context: BenchContext): Promise<BenchReport> {
  const events = context.quick ? 400 : 4000;
  const runs = context.runs ?? (context.quick ? 2 : 9);
  const workload = await preparePipelineWorkload(events, context.log);
  const { texts, pipelinePass, floorPass, outcomes } = workload;
  try {
    // Warm-up: fills the metadata cache from dynalite, fetches the schema id, lets the JIT settle.
    await pipelinePass();
    await pipelinePass();
    floorPass();
    floorPass();
    const callsAfterWarmUp = workload.dynamoCalls();
    const figures: RunFigures[] = [];
    for (let index = 0; index < runs; index++) {
      // Alternate which goes first, so a slow patch of the machine hits both sides alike.
      let pipelineMs: number;
      let floorMs: number;
      if (index % 2 === 0) {
        floorMs = floorPass();
        pipelineMs = await pipelinePass();
      } else {
        pipelineMs = await pipelinePass();
        floorMs = floorPass();
      }
      const pipelineUs = (pipelineMs * 1000) / texts.length;
      const floorUs = (floorMs * 1000) / texts.length;
      figures.push({
        order: index % 2 === 0 ? 'floor first' : 'pipeline first',
        pipelineUs,
        floorUs,
        ratio: pipelineUs / floorUs,
      });
    }
    const dynamoCallsMeasured = workload.dynamoCalls() - callsAfterWarmUp;
    const notDone = (outcomes.get('retry') ?? 0) + (outcomes.get('failed') ?? 0);
    if (notDone > 0) {
      throw new Error(
        `pipeline-cpu: ${notDone} events came back retry/failed in a measured run; the numbers would not mean anything`,
      );
    }
    const pipelineUs = median(figures.map((f) => f.pipelineUs));
    const floorUs = median(figures.map((f) => f.floorUs));
    const ratio = median(figures.map((f) => f.ratio));
    const avgBytes = texts.reduce((sum, text) => sum + text.length, 0) / texts.length;
    return {
      name: 'pipeline-cpu',
      title: 'Pipeline CPU per event (single process, warm caches, Kafka replaced by an accepting stand-in)',
      method: `${texts.length} SNS records (${fmt(avgBytes)} B of JSON each) in batches of ${BATCH}; medians of ${runs} runs, pipeline and floor interleaved run by run.`,
      table: [
        ['', 'µs/event', 'events/s', '× floor'],
        [
          'pipeline (parse → enrich → transform → Avro)',
          fmt(pipelineUs),
          fmt(1e6 / pipelineUs),
          fmtRatio(ratio),
        ],
        ['floor (JSON.parse record + Message)', fmt(floorUs), fmt(1e6 / floorUs), '1×'],
      ],
      metrics: {
        pipelineUsPerEvent: pipelineUs,
        pipelineEventsPerSecond: 1e6 / pipelineUs,
        floorUsPerEvent: floorUs,
        floorEventsPerSecond: 1e6 / floorUs,
        ratioToFloor: ratio,
        dynamoCallsDuringMeasuredRuns: dynamoCallsMeasured,
      },
      budgets: [
        {
          name: 'pipeline / JSON.parse floor',
          limit: `≤ ${BUDGET_RATIO}×`,
          value: ratio,
          unit: '×',
          met: ratio <= BUDGET_RATIO,
        },
      ],
      notes: [
        `outcomes per pass: ${[...outcomes].map(([kind, count]) => `${kind} ${count}`).join(', ')}`,
        `DynamoDB calls during the measured runs: ${dynamoCallsMeasured} (all enrichment came from the warm cache)`,
        'the producer is a stand-in that accepts each record without sending it; Kafka is measured end to end in benchmark 2',
      ],
      config: {
        events: texts.length,
        batch: BATCH,
        runs,
        table: workload.table,
        subject: `${workload.topic}-value`,
        sink: workload.sink(),
      },
      runs: figures,
    };
  } finally {
    await workload.close();
  }
}

export const pipelineCpu: Benchmark = {
  name: 'pipeline-cpu',
  title: 'Pipeline CPU per event',
  run,
};
