/**
 * `ses-kafka consume`: the warehouse consumer. Reads SES event records (Confluent- or Glue-framed Avro),
 * decodes them and loads them into JSON lines, DuckDB, PostgreSQL or Parquet (a folder or S3).
 * Exit codes (src/cli/exit.ts): 0 stopped as asked (--max, --until-idle, Ctrl-C, SIGTERM), 2 bad
 * configuration, including a record this consumer could not read because of its own settings (nothing
 * of it is committed), 3 a write, the broker or the registry failed (the failed batch is not committed).
 * Shared settings (brokers, topic, registry, region, S3 endpoint) are the pipeline's own flags and
 * variables (src/cli/settings-cli.ts); --local points them at the local stack.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { splitUrlCredentials } from '../config/pipeline-settings.ts';
import { readSetting, requireSetting, type SettingKey } from '../config/settings.ts';
import { ConfigError, describeError, PipelineError } from '../errors.ts';
import { kafkaClientConfig, loadKafkaSettings } from '../kafka/index.ts';
import { DEFAULT_SESSION_TIMEOUT_MS, KafkajsConsumerGroup } from '../kafka/kafkajs-consumer.ts';
import { AvroDecoder, type DecoderOptions, SCHEMA_NOT_FOUND, SchemaLookupError } from '../serde/decoder.ts';
import {
  type ConsumeOptions,
  type ConsumeProgress,
  type ConsumeSummary,
  runConsumer,
  type UnknownSchemaPolicy,
} from '../warehouse/consumer.ts';
import { WarehouseError } from '../warehouse/errors.ts';
import { ConsumerMetrics, type MetricsServer, startMetricsServer } from '../warehouse/metrics-server.ts';
import { decodeErrorsLocation, openSink, type SinkOptions } from '../warehouse/open-sink.ts';
import { SINK_KINDS, type SinkKind } from '../warehouse/sink.ts';
import { EXIT, errorLine, reportCommandError, warningLine } from './exit.ts';
import { addLocalOption, addSettingOptions, commandSettings } from './settings-cli.ts';

export interface ConsumeCliOptions {
  topic?: string[];
  /** Derived from the sink and its output when absent (defaultGroupId). */
  group?: string;
  fromBeginning?: boolean;
  readerSchema?: string;
  to: SinkKind;
  out?: string;
  postgresUrl?: string;
  postgresSchema?: string;
  max?: string;
  untilIdle?: string | boolean;
  local?: boolean;
  brokers?: string;
  registryUrl?: string;
  region?: string;
  /** The old name of --region. */
  glueRegion?: string;
  glueEndpoint?: string;
  s3Endpoint?: string;
  kafkaAuth?: string;
  campaignAttribute?: string[];
  flushRecords?: string;
  flushBytes?: string;
  flushInterval?: string;
  metricsPort?: string;
  unknownSchema?: UnknownSchemaPolicy;
}

export interface ConsumeIo {
  writeOut(line: string): void;
  writeErr(line: string): void;
}

export const EXIT_FAILED = EXIT.unavailable;
export const EXIT_CONFIG = EXIT.config;

/** The pipeline settings the consumer shares, taken as the same flags and variables as everywhere. */
export const CONSUME_SETTINGS = [
  'brokers',
  'topic',
  'kafkaAuth',
  'registryUrl',
  'glueEndpoint',
  'awsRegion',
  's3Endpoint',
] as const satisfies readonly SettingKey[];
export const DEFAULT_GROUP_PREFIX = 'ses-kafka-warehouse';
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

function port(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 65535) {
    throw configError(`${flag}: expected a port number 0-65535 (0 picks a free one), got "${raw}"`);
  }
  return Number(raw);
}

/** user:password in a URL's authority becomes ***, so a URL can appear in a message. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
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
export function decoderOptions(env: Readonly<Record<string, string | undefined>>): DecoderOptions {
  const registryUrl = readSetting(env, 'registryUrl');
  const glueEndpoint = readSetting(env, 'glueEndpoint');
  const glueRegion = readSetting(env, 'awsRegion');
  if (registryUrl === undefined && glueRegion === undefined) {
    throw new ConfigError(
      '--registry-url',
      'no schema registry configured; set --registry-url (or SES_KAFKA_REGISTRY_URL) for Confluent-framed records, --region (or AWS_REGION) for Glue-framed ones, or --local',
    );
  }
  const username = readSetting(env, 'registryUsername');
  const password = readSetting(env, 'registryPassword');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError(
      'SES_KAFKA_REGISTRY_USERNAME',
      'registry basic auth needs both SES_KAFKA_REGISTRY_USERNAME and SES_KAFKA_REGISTRY_PASSWORD',
    );
  }
  return {
    // Credentials in the URL become basic auth, so no message can echo them; the variables win.
    ...(registryUrl === undefined
      ? {}
      : {
          confluent: {
            ...splitUrlCredentials(registryUrl),
            ...(username === undefined || password === undefined ? {} : { auth: { username, password } }),
          },
        }),
    // Glue credentials come from the SDK's default chain (`--local` puts the stack's in the environment).
    ...(glueRegion === undefined
      ? {}
      : { glue: { region: glueRegion, ...(glueEndpoint === undefined ? {} : { endpoint: glueEndpoint }) } }),
  };
}

/**
 * The group when --group is not given: one per sink and output, so two warehouses fed from one topic
 * never share offsets (with one shared default, `--from-beginning` into a new file read nothing).
 */
export function defaultGroupId(cli: ConsumeCliOptions, env: NodeJS.ProcessEnv = process.env): string {
  let output: string;
  if (cli.to === 'postgres') {
    const url = cli.postgresUrl === undefined ? undefined : new URL(cli.postgresUrl);
    const target = url
      ? `${url.hostname}:${url.port || '5432'}${url.pathname}`
      : `${env.PGHOST ?? 'localhost'}:${env.PGPORT ?? '5432'}/${env.PGDATABASE ?? env.PGUSER ?? ''}`;
    output = `${target}#${cli.postgresSchema ?? 'public'}`;
  } else {
    const out = cli.out ?? '';
    output = out.startsWith('s3://') ? out.replace(/\/+$/, '') : resolve(out);
  }
  const digest = createHash('sha256').update(`${cli.to}:${output}`).digest('hex').slice(0, 10);
  return `${DEFAULT_GROUP_PREFIX}-${cli.to}-${digest}`;
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
  if (summary.extraColumns.length > 0) {
    lines.push(`columns from newer schema versions: ${summary.extraColumns.join(', ')}`);
  }
  return lines.join('\n');
}

/** The settings that decide whether a record's schema can be fetched, named for the message. */
function registrySettings(error: unknown): string {
  const confluent =
    '--registry-url (SES_KAFKA_REGISTRY_URL; credentials SES_KAFKA_REGISTRY_USERNAME/SES_KAFKA_REGISTRY_PASSWORD)';
  const glue =
    '--region (AWS_REGION), --glue-endpoint (SES_KAFKA_GLUE_ENDPOINT) and the AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)';
  if (error instanceof SchemaLookupError) return error.wireFormat === 'confluent' ? confluent : glue;
  if (error instanceof ConfigError) return error.key.startsWith('confluent') ? confluent : glue;
  return `${confluent}, or ${glue}`;
}

/** What to tell a person when the run stopped on a failure. */
function failureLines(summary: ConsumeSummary): string[] {
  const error = summary.error;
  const detail = redactUrlCredentials(describeError(error));
  if (summary.stoppedBecause === 'setup') {
    const lines = [
      errorLine('consume', `a record could not be read because of this consumer's settings: ${detail}`),
    ];
    if (error instanceof PipelineError && error.code === SCHEMA_NOT_FOUND) {
      lines.push(
        `  check ${registrySettings(error)}: is it the registry the producer writes to? If it is and that schema was deleted, --unknown-schema decode-error files such records in ses_decode_errors instead.`,
      );
    } else {
      lines.push(`  check ${registrySettings(error)}.`);
    }
    lines.push('  nothing from that batch on was committed; run again with the setting fixed to read it.');
    return lines;
  }
  const registry = error instanceof SchemaLookupError ? ` (set by ${registrySettings(error)})` : '';
  return [
    errorLine(
      'consume',
      `stopped on an error${registry}; the failed batch was not committed and will be read again: ${detail}`,
    ),
  ];
}

/** Runs the command and returns its exit code; errors are printed, not thrown. */
export async function runConsume(
  cli: ConsumeCliOptions,
  io: ConsumeIo = processIo,
  signal?: AbortSignal,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // Several --topic flags are several topics; each is checked as the topic setting is.
  const topicFlags = Array.isArray(cli.topic)
    ? cli.topic
    : cli.topic === undefined
      ? []
      : [String(cli.topic)];
  const commandLine = commandSettings({ ...cli, topic: topicFlags[0] }, CONSUME_SETTINGS, baseEnv);
  const env = commandLine.env;
  let sinkOptions: SinkOptions;
  let prepared: Omit<ConsumeOptions, 'sink'>;
  let metricsPort: number | undefined;
  try {
    const topics =
      topicFlags.length > 0
        ? topicFlags.map((topic) => readSetting({ SES_KAFKA_TOPIC: topic }, 'topic') as string)
        : [requireSetting(env, 'topic', 'the topic(s) to read; repeat --topic for several')];
    const settings = loadKafkaSettings({ ...env, SES_KAFKA_TOPIC: topics[0] });
    const max = cli.max === undefined ? undefined : positiveInteger(cli.max, '--max');
    const untilIdleMs = idleMs(cli.untilIdle);
    metricsPort = cli.metricsPort === undefined ? undefined : port(cli.metricsPort, '--metrics-port');
    const s3Endpoint = readSetting(env, 's3Endpoint');
    const s3Region = readSetting(env, 'awsRegion');
    sinkOptions = {
      kind: cli.to,
      ...(cli.out === undefined ? {} : { out: cli.out }),
      ...(cli.postgresUrl === undefined ? {} : { postgresUrl: cli.postgresUrl }),
      ...(cli.postgresSchema === undefined ? {} : { postgresSchema: cli.postgresSchema }),
      ...(cli.flushRecords === undefined
        ? {}
        : { flushRecords: positiveInteger(cli.flushRecords, '--flush-records') }),
      ...(cli.flushBytes === undefined
        ? {}
        : { flushBytes: positiveInteger(cli.flushBytes, '--flush-bytes') }),
      ...(cli.flushInterval === undefined
        ? {}
        : { flushIntervalMs: positiveInteger(cli.flushInterval, '--flush-interval') }),
      s3: {
        ...(s3Endpoint === undefined ? {} : { endpoint: s3Endpoint, forcePathStyle: true }),
        ...(s3Region === undefined ? {} : { region: s3Region }),
      },
    };
    if (cli.to !== 'parquet' && (cli.flushRecords ?? cli.flushBytes ?? cli.flushInterval) !== undefined) {
      throw configError('--flush-records, --flush-bytes and --flush-interval apply to --to parquet only');
    }
    const groupId = cli.group ?? defaultGroupId(cli, env);
    prepared = {
      consumer: new KafkajsConsumerGroup(
        kafkaClientConfig({ ...settings, clientId: `${settings.clientId}-warehouse` }),
        {
          groupId,
          sessionTimeoutMs: readSetting(env, 'consumerSessionTimeoutMs') ?? DEFAULT_SESSION_TIMEOUT_MS,
        },
      ),
      topics,
      fromBeginning: cli.fromBeginning ?? false,
      decoder: new AvroDecoder(decoderOptions(env)),
      ...(cli.readerSchema === undefined ? {} : { readerSchema: await readReaderSchema(cli.readerSchema) }),
      ...(max === undefined ? {} : { max }),
      ...(untilIdleMs === undefined ? {} : { untilIdleMs }),
      ...(cli.campaignAttribute === undefined ? {} : { mapping: { campaignKeys: cli.campaignAttribute } }),
      unknownSchema: cli.unknownSchema ?? 'stop',
    };
  } catch (error) {
    return reportCommandError(
      'consume',
      error instanceof WarehouseError && error.code === 'WAREHOUSE_CONFIG'
        ? new ConfigError('consume', error.message)
        : error,
      commandLine,
      io.writeErr,
    );
  }

  let sink: Awaited<ReturnType<typeof openSink>>;
  try {
    sink = await openSink(sinkOptions);
  } catch (error) {
    io.writeErr(errorLine('consume', redactUrlCredentials(describeError(error))));
    return error instanceof WarehouseError && error.code === 'WAREHOUSE_CONFIG' ? EXIT_CONFIG : EXIT_FAILED;
  }

  const consumer = prepared.consumer;
  const metrics = new ConsumerMetrics({ group: consumer.groupId, sink: cli.to });
  let server: MetricsServer | undefined;
  if (metricsPort !== undefined) {
    try {
      server = await startMetricsServer(metrics, metricsPort);
    } catch (error) {
      await sink.close().catch(() => undefined);
      io.writeErr(
        errorLine('consume', `--metrics-port: cannot listen on ${metricsPort}: ${describeError(error)}`),
      );
      return EXIT_CONFIG;
    }
  }

  const continuing = prepared.fromBeginning ? await partitionsWithOffsets(prepared) : 0;
  if (continuing > 0) {
    io.writeErr(
      `note: group ${consumer.groupId} has committed offsets on ${continuing} partition(s); --from-beginning applies only to partitions without one`,
    );
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
    `consuming ${prepared.topics.join(', ')} as group ${consumer.groupId} into ${sink.description}${prepared.untilIdleMs === undefined ? '' : `, until idle for ${prepared.untilIdleMs} ms`}${prepared.max === undefined ? '' : `, at most ${prepared.max} records`}${server === undefined ? '' : `; /healthz and /metrics on port ${server.port}`}`,
  );
  let summary: ConsumeSummary;
  try {
    summary = await runConsumer({
      ...prepared,
      sink,
      ...(signal === undefined ? {} : { signal }),
      onProgress,
      onWarning: (message) => io.writeErr(warningLine('consume', redactUrlCredentials(message))),
      onNotice: (message) => io.writeErr(`note: ${message}`),
      observer: metrics,
    });
  } finally {
    await sink
      .close()
      .catch((error: unknown) =>
        io.writeErr(errorLine('consume', `closing the sink: ${describeError(error)}`)),
      );
    await server?.close();
  }
  io.writeOut(formatSummary(summary, sink.description, decodeErrorsLocation(sinkOptions)));
  if (summary.records === 0 && continuing > 0 && summary.stoppedBecause !== 'failed') {
    io.writeErr(
      `note: nothing was read: group ${consumer.groupId} had already committed past every record. To read the topic again, pass a new --group (rows are upserted on eventId, so nothing is duplicated).`,
    );
  }
  if (summary.stoppedBecause === 'failed' || summary.stoppedBecause === 'setup') {
    for (const line of failureLines(summary)) io.writeErr(line);
    return summary.stoppedBecause === 'setup' ? EXIT_CONFIG : EXIT_FAILED;
  }
  return 0;
}

/** How many partitions the group has a committed offset on (0 when the broker cannot tell). */
async function partitionsWithOffsets(options: Omit<ConsumeOptions, 'sink'>): Promise<number> {
  try {
    const committed = await options.consumer.committedOffsets(options.topics);
    return committed.filter((item) => item.offset !== undefined).length;
  } catch {
    return 0;
  }
}

export function registerConsumeCommand(program: Command): void {
  const command = program
    .command('consume')
    .description(
      'the warehouse consumer: decode SES event records (Confluent or Glue Avro) and load them into jsonl, DuckDB, PostgreSQL or Parquet (folder or S3), committing offsets only after each write is durable',
    );
  addSettingOptions(command, CONSUME_SETTINGS, {
    topic: { repeatable: true, description: 'topic to read; repeat for several (env SES_KAFKA_TOPIC)' },
  });
  addLocalOption(command)
    .option(
      '--group <id>',
      `consumer group id (default: ${DEFAULT_GROUP_PREFIX}-<sink>-<hash of the output>, one group per output)`,
    )
    .option('--from-beginning', 'partitions without a committed offset start at the earliest record')
    .option(
      '--reader-schema <file>',
      "Avro schema to read every record into (default: each record in its writer's shape, so fields of newer versions are loaded)",
    )
    .addOption(new Option('--to <sink>', 'where rows go').choices(SINK_KINDS).default('duckdb'))
    .option(
      '--out <path>',
      'the file for --to jsonl or duckdb; the folder or s3://bucket/prefix for --to parquet',
    )
    .option(
      '--postgres-url <url>',
      'PostgreSQL connection URL (default: PGHOST, PGPORT, PGUSER, PGDATABASE...)',
    )
    .option('--postgres-schema <name>', 'PostgreSQL schema for the tables', 'public')
    .option('--flush-records <n>', "parquet: roll a partition's file at this many records (default 50000)")
    .option(
      '--flush-bytes <n>',
      'parquet: ... or at this many bytes of Kafka record values (default 67108864)',
    )
    .option('--flush-interval <ms>', 'parquet: ... or once it has been open this long (default 300000)')
    .option('--max <n>', 'stop after N records')
    .option('--until-idle [ms]', `stop once no record arrived for this long (default ${DEFAULT_IDLE_MS} ms)`)
    .option('--metrics-port <port>', 'serve /healthz and Prometheus /metrics on this port')
    .addOption(
      new Option(
        '--unknown-schema <policy>',
        'a record whose schema id the registry does not hold: stop (nothing committed), or file it in ses_decode_errors',
      )
        .choices(['stop', 'decode-error'])
        .default('stop'),
    )
    // The flag's old name, from before every command called the AWS region --region.
    .addOption(new Option('--glue-region <region>').hideHelp())
    .option('--campaign-attribute <name...>', 'metadata attribute(s) holding the campaign, tried in order')
    .action(async (options: ConsumeCliOptions) => {
      if (options.glueRegion !== undefined) options.region ??= options.glueRegion;
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
