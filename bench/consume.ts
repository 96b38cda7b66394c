/**
 * Benchmark 6: warehouse load speed. The same topic (half Confluent-framed, half Glue-framed Avro) is
 * read, in the same run, by:
 * - the floor: a consumer-group member (the same kafkajs adapter and fetch sizes) that decodes every
 *   record's Avro and discards it: the least any loader has to do;
 * - `runConsumer` into DuckDB, PostgreSQL and Parquet, each with a fresh group and a fresh destination.
 * Throughput is events per second from the first fetched batch to the last record decoded (floor) or
 * the last offset committed (sinks: committed means durable), so group joining is left out of both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteSchemaCommand, GlueClient } from '@aws-sdk/client-glue';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import pg from 'pg';
import type { MetadataRequest, MetadataResult, MetadataStore } from '../src/enrich/index.ts';
import type {
  ConsumerGroupHandlers,
  ConsumerGroupPort,
  ConsumerGroupStart,
  TopicPartitionOffset,
} from '../src/kafka/consumer-port.ts';
import { KafkajsConsumerGroup } from '../src/kafka/kafkajs-consumer.ts';
import { buildRuntime } from '../src/runtime.ts';
import { ConfluentSerializer } from '../src/serde/confluent-serializer.ts';
import { AvroDecoder } from '../src/serde/decoder.ts';
import { GlueSerializer } from '../src/serde/glue-serializer.ts';
import { parseSnsRecord } from '../src/ses/index.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../src/stack/endpoints.ts';
import { runConsumer } from '../src/warehouse/consumer.ts';
import { openSink, type SinkOptions } from '../src/warehouse/open-sink.ts';
import { benchStream, snsRecord } from './lib/events.ts';
import type { BenchContext, Benchmark, BenchReport } from './lib/report.ts';
import { benchEnv, createTopics, deleteTopics, endpoints, requireStack, uniqueName } from './lib/stack.ts';
import { fmt, fmtRatio, median, nowMs } from './lib/stats.ts';
import { AcceptingProducer } from './pipeline-cpu.ts';

const DUCKDB_BUDGET = 0.5;
const POSTGRES_BUDGET = 0.25;
const PARTITIONS = 3;
export const BENCH_POSTGRES_URL = `postgres://postgres@127.0.0.1:${process.env.SES_PG_PORT ?? 5433}/ses_warehouse`;

/** Every email FOUND with the same attributes: enrichment is not what this benchmark measures. */
class FixedMetadata implements MetadataStore {
  async lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    return new Map(
      requests.map((request) => [
        request.requestId,
        {
          status: 'FOUND',
          attributes: { campaign: 'spring-sale', template: 'spring-sale-v2', tenantId: 'acme' },
        },
      ]),
    );
  }
}

const kafkaConfig: KafkaConfig = {
  clientId: 'ses-kafka-bench-consume',
  brokers: [endpoints.kafkaBrokers],
  logLevel: logLevel.NOTHING,
};

const glueConnection = {
  endpoint: endpoints.glueEndpoint,
  region: LOCAL_AWS_REGION,
  credentials: { ...LOCAL_AWS_CREDENTIALS },
};

function decoder(): AvroDecoder {
  return new AvroDecoder({ confluent: { url: endpoints.registryUrl }, glue: glueConnection });
}

/** The port, with the moment its first batch arrived noted: the clock starts there. */
class TimedConsumerGroup implements ConsumerGroupPort {
  firstBatchAt: number | undefined;
  lastCommitAt: number | undefined;
  /** This process's CPU time (Node and DuckDB's threads) at the first batch and at the last commit. */
  cpuAtFirstBatch: NodeJS.CpuUsage | undefined;
  cpuAtLastCommit: NodeJS.CpuUsage | undefined;
  constructor(private readonly inner: ConsumerGroupPort) {}
  get groupId() {
    return this.inner.groupId;
  }
  start(options: ConsumerGroupStart, handlers: ConsumerGroupHandlers): Promise<void> {
    return this.inner.start(options, {
      ...handlers,
      onBatch: (batch, control) => {
        if (this.firstBatchAt === undefined) {
          this.firstBatchAt = nowMs();
          this.cpuAtFirstBatch = process.cpuUsage();
        }
        return handlers.onBatch(batch, control);
      },
    });
  }
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.inner.commit(offsets);
    this.lastCommitAt = nowMs();
    this.cpuAtLastCommit = process.cpuUsage();
  }
  pause: ConsumerGroupPort['pause'] = (partitions) => this.inner.pause(partitions);
  committedOffsets: ConsumerGroupPort['committedOffsets'] = (topics) => this.inner.committedOffsets(topics);
  endOffsets: ConsumerGroupPort['endOffsets'] = (topics) => this.inner.endOffsets(topics);
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

/** The floor: decode every record and drop it. Resolves with events/s. */
export async function floor(topic: string, total: number): Promise<ReaderFigures> {
  const group = new KafkajsConsumerGroup(kafkaConfig, { groupId: uniqueName('bench-floor') });
  const avro = decoder();
  let decoded = 0;
  let firstAt = 0;
  let lastAt = 0;
  let cpuFirst: NodeJS.CpuUsage | undefined;
  let cpuLast: NodeJS.CpuUsage | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  try {
    await group.start(
      { topics: [topic], fromBeginning: true },
      {
        onBatch: async (batch, control) => {
          if (firstAt === 0) {
            firstAt = nowMs();
            cpuFirst = process.cpuUsage();
          }
          for (const record of batch.records) {
            // The same synchronous path the consumer takes once a writer schema is known.
            avro.decodeKnown(record.value as Buffer) ?? (await avro.decode(record.value as Buffer));
            decoded += 1;
          }
          const last = batch.records.at(-1);
          if (last) control.markRead(last.offset);
          if (decoded >= total) {
            lastAt = nowMs();
            cpuLast = process.cpuUsage();
            finish();
          }
        },
        onFatal: () => finish(),
      },
    );
    await finished;
  } finally {
    await group.stop();
  }
  if (decoded < total) throw new Error(`floor: decoded ${decoded} of ${total} records`);
  return {
    eventsPerSecond: (total * 1000) / (lastAt - firstAt),
    cpuMicrosPerEvent: cpuPerEvent(cpuFirst, cpuLast, total),
  };
}

/** CPU microseconds per event between two process.cpuUsage() readings. */
function cpuPerEvent(
  from: NodeJS.CpuUsage | undefined,
  to: NodeJS.CpuUsage | undefined,
  events: number,
): number {
  if (from === undefined || to === undefined) return Number.NaN;
  return (to.user - from.user + to.system - from.system) / events;
}

export interface ReaderFigures {
  eventsPerSecond: number;
  /** CPU time of this process (Node and DuckDB's threads; not the PostgreSQL server) per event. */
  cpuMicrosPerEvent: number;
}

/** One sink run: a fresh group reads everything; resolves with events/s. */
export async function sinkRun(
  topic: string,
  total: number,
  sinkOptions: SinkOptions,
): Promise<ReaderFigures> {
  const group = new TimedConsumerGroup(
    new KafkajsConsumerGroup(kafkaConfig, { groupId: uniqueName('bench-sink') }),
  );
  const sink = await openSink(sinkOptions);
  try {
    const summary = await runConsumer({
      consumer: group,
      topics: [topic],
      fromBeginning: true,
      decoder: decoder(),
      sink,
      max: total,
      untilIdleMs: 60_000,
      onWarning: (message) => console.warn(`warning: ${message}`),
    });
    if (summary.stoppedBecause !== 'max' || summary.events !== total) {
      throw new Error(
        `${sinkOptions.kind}: loaded ${summary.events} of ${total} events, stopped: ${summary.stoppedBecause} ${summary.error?.message ?? ''}`,
      );
    }
  } finally {
    await sink.close();
  }
  if (group.firstBatchAt === undefined || group.lastCommitAt === undefined)
    throw new Error('no batch was timed');
  return {
    eventsPerSecond: (total * 1000) / (group.lastCommitAt - group.firstBatchAt),
    cpuMicrosPerEvent: cpuPerEvent(group.cpuAtFirstBatch, group.cpuAtLastCommit, total),
  };
}

async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${BENCH_POSTGRES_URL} (${(error as Error).message}); start it with \`bash scripts/install-postgres.sh\` and run the bench again`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // Best effort, as for topics.
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `total` enriched SES values encoded half Confluent (Apicurio), half Glue (moto), interleaved. */
export async function produceInput(topic: string, total: number, glueSchemaName: string): Promise<void> {
  const runtime = buildRuntime(
    benchEnv({ topic, dlqTopic: `${topic}-dlq`, table: 'unused', extra: { SES_KAFKA_TRANSFORMS_FILE: '' } }),
    { producer: new AcceptingProducer(), metadata: new FixedMetadata() },
  );
  try {
    const stream = benchStream(Math.ceil(total * 1.1) + 20, 61);
    const preview = await runtime.pipeline.preview(
      stream.messages.map((message, index) => ({
        id: String(index),
        parsed: parseSnsRecord(snsRecord(message, index)),
      })),
    );
    const records = preview.flatMap((item) => (item.record ? [item.record] : [])).slice(0, total);
    if (records.length < total) throw new Error(`only ${records.length} of ${total} bench events were valid`);
    const schema = runtime.chain.outputValueSchema as object;
    const confluent = new ConfluentSerializer({
      registry: { url: endpoints.registryUrl },
      topic,
      autoRegister: true,
    });
    const glue = new GlueSerializer({
      registry: glueConnection,
      registryName: 'default-registry',
      schemaName: glueSchemaName,
      autoRegister: true,
    });
    const messages: Array<{ key: string; value: Buffer }> = [];
    for (const [index, record] of records.entries()) {
      const serializer = index % 2 === 0 ? confluent : glue;
      const { bytes } = await serializer.encode(record.value, schema, { topic });
      messages.push({ key: String(record.key), value: bytes });
    }
    const producer = new Kafka(kafkaConfig).producer();
    await producer.connect();
    try {
      for (let start = 0; start < messages.length; start += 500) {
        await producer.send({ topic, acks: -1, messages: messages.slice(start, start + 500) });
      }
    } finally {
      await producer.disconnect();
    }
  } finally {
    await runtime.producer.close();
  }
}

type Variant = 'floor' | 'duckdb' | 'postgres' | 'parquet';
const VARIANTS: readonly Variant[] = ['floor', 'duckdb', 'postgres', 'parquet'];

interface RunFigures {
  run: number;
  eventsPerSecond: Record<Variant, number>;
  cpuMicrosPerEvent: Record<Variant, number>;
}

async function run(context: BenchContext): Promise<BenchReport> {
  await requireStack(['kafka', 'registry', 'moto']);
  await requirePostgres();
  const total = context.quick ? 2_000 : 20_000;
  const runs = context.runs ?? (context.quick ? 1 : 3);
  const topic = uniqueName('ses-bench-consume');
  const glueSchemaName = uniqueName('ses-bench-consume');
  const dir = mkdtempSync(path.join(tmpdir(), 'ses-bench-consume-'));
  const schemas: string[] = [];
  context.log(
    `consume: producing ${total} events to ${topic} (${PARTITIONS} partitions, half Confluent, half Glue)`,
  );
  try {
    await createTopics([topic], PARTITIONS);
    await produceInput(topic, total, glueSchemaName);
    const figures: RunFigures[] = [];
    for (let index = 0; index < runs; index++) {
      const eventsPerSecond = {} as Record<Variant, number>;
      const cpuMicrosPerEvent = {} as Record<Variant, number>;
      // Rotate the order each run, so a slow patch of the machine does not always hit the same variant.
      for (let n = 0; n < VARIANTS.length; n++) {
        const variant = VARIANTS[(n + index) % VARIANTS.length] as Variant;
        let options: SinkOptions | undefined;
        if (variant === 'duckdb') options = { kind: 'duckdb', out: path.join(dir, `run-${index}.duckdb`) };
        if (variant === 'parquet') options = { kind: 'parquet', out: path.join(dir, `lake-${index}`) };
        if (variant === 'postgres') {
          const schema = `bench_consume_${Date.now().toString(36)}_${index}`;
          schemas.push(schema);
          options = { kind: 'postgres', postgresUrl: BENCH_POSTGRES_URL, postgresSchema: schema };
        }
        const measured =
          options === undefined ? await floor(topic, total) : await sinkRun(topic, total, options);
        eventsPerSecond[variant] = measured.eventsPerSecond;
        cpuMicrosPerEvent[variant] = measured.cpuMicrosPerEvent;
        context.log(
          `consume: run ${index + 1}/${runs} ${variant}: ${fmt(measured.eventsPerSecond)} events/s, ${fmt(measured.cpuMicrosPerEvent)} CPU µs/event`,
        );
      }
      figures.push({ run: index, eventsPerSecond, cpuMicrosPerEvent });
    }
    const floorMedian = median(figures.map((f) => f.eventsPerSecond.floor));
    const floorCpu = median(figures.map((f) => f.cpuMicrosPerEvent.floor));
    const table: string[][] = [['reader', 'events/s', 'ratio to the floor', 'CPU µs/event (this process)']];
    const metrics: Record<string, number> = {
      floorEventsPerSecond: floorMedian,
      floorCpuMicrosPerEvent: floorCpu,
    };
    table.push(['floor: decode Avro and discard', fmt(floorMedian), '1×', fmt(floorCpu)]);
    const ratios: Partial<Record<Variant, number>> = {};
    for (const variant of VARIANTS.filter((name) => name !== 'floor')) {
      const rate = median(figures.map((f) => f.eventsPerSecond[variant]));
      const ratio = median(figures.map((f) => f.eventsPerSecond[variant] / f.eventsPerSecond.floor));
      ratios[variant] = ratio;
      metrics[`${variant}EventsPerSecond`] = rate;
      metrics[`${variant}RatioToFloor`] = ratio;
      const cpu = median(figures.map((f) => f.cpuMicrosPerEvent[variant]));
      metrics[`${variant}CpuMicrosPerEvent`] = cpu;
      table.push([`${variant} sink`, fmt(rate), fmtRatio(ratio), fmt(cpu)]);
    }
    return {
      name: 'consume',
      title: 'Warehouse load: DuckDB, PostgreSQL and Parquet sinks vs a decode-only floor',
      method: `${total} events on ${PARTITIONS} partitions, half Confluent- and half Glue-framed Avro; each reader is a fresh consumer group reading all of them; events/s from the first fetched batch to the last record decoded (floor) or the last offset committed (sinks); ${runs} runs, order rotating run by run; medians of the per-run figures and ratios. CPU is this process's (Node and DuckDB's threads), over the same window; the PostgreSQL server's is not in it.`,
      table,
      metrics,
      budgets: [
        {
          name: 'DuckDB sink / floor',
          limit: `≥ ${DUCKDB_BUDGET}×`,
          value: ratios.duckdb ?? 0,
          unit: '×',
          met: (ratios.duckdb ?? 0) >= DUCKDB_BUDGET,
        },
        {
          name: 'PostgreSQL sink / floor',
          limit: `≥ ${POSTGRES_BUDGET}×`,
          value: ratios.postgres ?? 0,
          unit: '×',
          met: (ratios.postgres ?? 0) >= POSTGRES_BUDGET,
        },
      ],
      notes: [
        `topic ${topic}; Glue schema ${glueSchemaName} in moto's default-registry (both deleted afterwards)`,
      ],
      config: { events: total, partitions: PARTITIONS, runs, topic },
      runs: figures,
    };
  } finally {
    await deleteTopics([topic]);
    await dropSchemas(schemas);
    rmSync(dir, { recursive: true, force: true });
    const glue = new GlueClient(glueConnection);
    try {
      await glue.send(
        new DeleteSchemaCommand({
          SchemaId: { RegistryName: 'default-registry', SchemaName: glueSchemaName },
        }),
      );
    } catch {
      // Best effort: the schema may not exist if registration failed.
    } finally {
      glue.destroy();
    }
  }
}

export const consume: Benchmark = {
  name: 'consume',
  title: 'Warehouse load speed',
  run,
};
