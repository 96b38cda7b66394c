/**
 * `ses-kafka consume`: the warehouse consumer. Reads SES event records (Confluent- or Glue-framed Avro),
 * decodes them into the reader schema and loads them into JSON lines, DuckDB or PostgreSQL.
 * Exit codes: 0 stopped as asked (--max, --until-idle, Ctrl-C), 1 a write or the consumer failed
 * (offsets of the failed batch are not committed), 2 bad configuration.
 */

import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { splitUrlCredentials } from '../config/pipeline-settings.ts';
import { describeError } from '../errors.ts';
import { kafkaClientConfig, loadKafkaSettings } from '../kafka/index.ts';
import { AvroDecoder, type DecoderOptions } from '../serde/decoder.ts';
import { baseSchemaPath, LATEST_BASE_SCHEMA_VERSION } from '../ses/base-schema.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../stack/endpoints.ts';
import { type ConsumeProgress, type ConsumeSummary, runConsumer } from '../warehouse/consumer.ts';
import { WarehouseError } from '../warehouse/errors.ts';
import { decodeErrorsLocation, openSink, type SinkOptions } from '../warehouse/open-sink.ts';
import { SINK_KINDS, type SinkKind } from '../warehouse/sink.ts';

export interface ConsumeCliOptions {
  topic?: string[];
  group: string;
  fromBeginning?: boolean;
  readerSchema: string;
  to: SinkKind;
  out?: string;
  postgresUrl?: string;
  postgresSchema?: string;
  max?: string;
  untilIdle?: string | boolean;
  local?: boolean;
  brokers?: string;
  registryUrl?: string;
  glueRegion?: string;
  glueEndpoint?: string;
  campaignAttribute?: string[];
}

export interface ConsumeIo {
  writeOut(line: string): void;
  writeErr(line: string): void;
}

export const EXIT_FAILED = 1;
export const EXIT_CONFIG = 2;
export const DEFAULT_GROUP_ID = 'ses-kafka-warehouse';
export const DEFAULT_IDLE_MS = 5_000;
const PROGRESS_INTERVAL_MS = 1_000;

const processIo: ConsumeIo = {
  writeOut: (line) => process.stdout.write(`${line}\n`),
  writeErr: (line) => process.stderr.write(`${line}\n`),
};

function configError(message: string): WarehouseError {
  return new WarehouseError('WAREHOUSE_CONFIG', message);
}

function positiveInteger(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0) {
    throw configError(`${flag}: expected a whole number above 0, got "${raw}"`);
  }
  return Number(raw);
}

async function readReaderSchema(file: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw configError(`--reader-schema: cannot read ${file} (${describeError(error)})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not a JSON object');
    return parsed;
  } catch (error) {
    throw configError(`--reader-schema: ${file} is not a JSON Avro schema (${describeError(error)})`);
  }
}

/** Which registries the decoder may ask: Confluent-compatible by URL, Glue by region. */
export function decoderOptions(cli: ConsumeCliOptions, env: NodeJS.ProcessEnv = process.env): DecoderOptions {
  const local = cli.local ? stackEndpoints() : undefined;
  const registryUrl = cli.registryUrl ?? env.SES_KAFKA_REGISTRY_URL ?? local?.registryUrl;
  const glueEndpoint = cli.glueEndpoint ?? env.SES_KAFKA_GLUE_ENDPOINT ?? local?.glueEndpoint;
  const glueRegion = cli.glueRegion ?? env.AWS_REGION ?? (local ? LOCAL_AWS_REGION : undefined);
  if (registryUrl === undefined && glueRegion === undefined) {
    throw configError(
      '--registry-url: no schema registry configured; set --registry-url (or SES_KAFKA_REGISTRY_URL) for Confluent-framed records, --glue-region (or AWS_REGION) for Glue-framed ones, or --local',
    );
  }
  return {
    // Credentials in the URL become basic auth, so no message can echo them.
    ...(registryUrl === undefined || !URL.canParse(registryUrl)
      ? {}
      : { confluent: splitUrlCredentials(registryUrl) }),
    ...(glueRegion === undefined
      ? {}
      : {
          glue: {
            region: glueRegion,
            ...(glueEndpoint === undefined ? {} : { endpoint: glueEndpoint }),
            // The local stack's moto takes fixed test credentials; elsewhere the SDK's default chain applies.
            ...(local ? { credentials: { ...LOCAL_AWS_CREDENTIALS } } : {}),
          },
        }),
  };
}

function idleMs(untilIdle: string | boolean | undefined): number | undefined {
  if (untilIdle === undefined || untilIdle === false) return undefined;
  if (untilIdle === true) return DEFAULT_IDLE_MS;
  return positiveInteger(untilIdle, '--until-idle');
}

function formatSummary(summary: ConsumeSummary, sink: string, errorsAt: string): string {
  const lines = [
    `consumed ${summary.records} records into ${sink}: ${summary.events} events, ${summary.decodeErrors} undecodable (${errorsAt}); stopped: ${summary.stoppedBecause}`,
  ];
  if (summary.readInWriterShape > 0) {
    lines.push(
      `${summary.readInWriterShape} records were read in their writer's shape: the reader schema cannot resolve it (fields absent from it are NULL)`,
    );
  }
  return lines.join('\n');
}

/** Runs the command and returns its exit code; errors are printed, not thrown. */
export async function runConsume(
  cli: ConsumeCliOptions,
  io: ConsumeIo = processIo,
  signal?: AbortSignal,
): Promise<number> {
  let sinkOptions: SinkOptions;
  let prepared: Omit<Parameters<typeof runConsumer>[0], 'sink'>;
  try {
    const local = cli.local ? stackEndpoints() : undefined;
    const topics = cli.topic ?? (process.env.SES_KAFKA_TOPIC ? [process.env.SES_KAFKA_TOPIC] : []);
    if (topics.length === 0) throw configError('--topic: required (or set SES_KAFKA_TOPIC)');
    const brokers = cli.brokers ?? process.env.SES_KAFKA_BROKERS ?? local?.kafkaBrokers;
    const settings = loadKafkaSettings({
      ...process.env,
      ...(brokers === undefined ? {} : { SES_KAFKA_BROKERS: brokers }),
      SES_KAFKA_TOPIC: topics[0],
    });
    const max = cli.max === undefined ? undefined : positiveInteger(cli.max, '--max');
    const untilIdleMs = idleMs(cli.untilIdle);
    sinkOptions = {
      kind: cli.to,
      ...(cli.out === undefined ? {} : { out: cli.out }),
      ...(cli.postgresUrl === undefined ? {} : { postgresUrl: cli.postgresUrl }),
      ...(cli.postgresSchema === undefined ? {} : { postgresSchema: cli.postgresSchema }),
    };
    prepared = {
      kafka: kafkaClientConfig({ ...settings, clientId: `${settings.clientId}-warehouse` }),
      groupId: cli.group,
      topics,
      fromBeginning: cli.fromBeginning ?? false,
      decoder: new AvroDecoder(decoderOptions(cli)),
      readerSchema: await readReaderSchema(cli.readerSchema),
      ...(max === undefined ? {} : { max }),
      ...(untilIdleMs === undefined ? {} : { untilIdleMs }),
      ...(cli.campaignAttribute === undefined ? {} : { mapping: { campaignKeys: cli.campaignAttribute } }),
    };
  } catch (error) {
    io.writeErr(`consume: ${describeError(error)}`);
    return EXIT_CONFIG;
  }

  let sink: Awaited<ReturnType<typeof openSink>>;
  try {
    sink = await openSink(sinkOptions);
  } catch (error) {
    io.writeErr(`consume: ${describeError(error)}`);
    return error instanceof WarehouseError && error.code === 'WAREHOUSE_CONFIG' ? EXIT_CONFIG : EXIT_FAILED;
  }

  let lastProgressAt = 0;
  const onProgress = (progress: ConsumeProgress) => {
    const now = Date.now();
    if (now - lastProgressAt < PROGRESS_INTERVAL_MS && progress.lag > 0) return;
    lastProgressAt = now;
    io.writeErr(
      `${progress.records} records (${progress.events} events, ${progress.decodeErrors} undecodable); ${progress.topic}[${progress.partition}] at offset ${progress.offset}, lag ${progress.lag}`,
    );
  };
  io.writeErr(
    `consuming ${prepared.topics.join(', ')} as group ${prepared.groupId} into ${sink.description}${prepared.untilIdleMs === undefined ? '' : `, until idle for ${prepared.untilIdleMs} ms`}${prepared.max === undefined ? '' : `, at most ${prepared.max} records`}`,
  );
  let summary: ConsumeSummary;
  try {
    summary = await runConsumer({
      ...prepared,
      sink,
      ...(signal === undefined ? {} : { signal }),
      onProgress,
      onWarning: (message) => io.writeErr(`warning: ${message}`),
    });
  } finally {
    await sink
      .close()
      .catch((error: unknown) => io.writeErr(`consume: closing the sink: ${describeError(error)}`));
  }
  io.writeOut(formatSummary(summary, sink.description, decodeErrorsLocation(sinkOptions)));
  if (summary.stoppedBecause === 'failed') {
    io.writeErr(
      `consume: stopped on an error, the failed batch was not committed and will be read again: ${describeError(summary.error)}`,
    );
    return EXIT_FAILED;
  }
  return 0;
}

export function registerConsumeCommand(program: Command): void {
  program
    .command('consume')
    .description(
      'the warehouse consumer: decode SES event records (Confluent or Glue Avro) and load them into jsonl, DuckDB or PostgreSQL, committing offsets only after each write',
    )
    .option('--topic <topic...>', 'topic(s) to read (env SES_KAFKA_TOPIC)')
    .option('--group <id>', 'consumer group id', DEFAULT_GROUP_ID)
    .option('--from-beginning', 'a group with no committed offsets starts at the earliest record')
    .addOption(
      new Option('--reader-schema <file>', 'Avro schema to read records into').default(
        baseSchemaPath(LATEST_BASE_SCHEMA_VERSION),
        `schemas/ses-email-event/${LATEST_BASE_SCHEMA_VERSION}.avsc`,
      ),
    )
    .addOption(new Option('--to <sink>', 'where rows go').choices(SINK_KINDS).default('duckdb'))
    .option('--out <file>', 'output file for --to jsonl or duckdb')
    .option(
      '--postgres-url <url>',
      'PostgreSQL connection URL (default: PGHOST, PGPORT, PGUSER, PGDATABASE...)',
    )
    .option('--postgres-schema <name>', 'PostgreSQL schema for the tables', 'public')
    .option('--max <n>', 'stop after N records')
    .option('--until-idle [ms]', `stop once no record arrived for this long (default ${DEFAULT_IDLE_MS} ms)`)
    .option('--local', 'use the local stack (brokers, Apicurio ccompat URL, moto Glue with test credentials)')
    .option(
      '--brokers <list>',
      'bootstrap brokers host:port,... (env SES_KAFKA_BROKERS; auth from SES_KAFKA_AUTH...)',
    )
    .option('--registry-url <url>', 'Confluent-compatible registry API root (env SES_KAFKA_REGISTRY_URL)')
    .option('--glue-region <region>', 'AWS Glue Schema Registry region (env AWS_REGION)')
    .option('--glue-endpoint <url>', 'Glue endpoint override (env SES_KAFKA_GLUE_ENDPOINT)')
    .option('--campaign-attribute <name...>', 'metadata attribute(s) holding the campaign, tried in order')
    .action(async (options: ConsumeCliOptions) => {
      const controller = new AbortController();
      const abort = () => controller.abort();
      process.once('SIGINT', abort);
      process.once('SIGTERM', abort);
      try {
        process.exitCode = await runConsume(options, processIo, controller.signal);
      } finally {
        process.off('SIGINT', abort);
        process.off('SIGTERM', abort);
      }
    });
}
