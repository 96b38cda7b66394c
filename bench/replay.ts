/**
 * Benchmark 6: `ses-kafka replay` at backfill scale. Generated archives of 100k and 1M SNS-wrapped SES
 * events, read from local NDJSON files and from gzip Firehose objects on moto's S3, replayed by the
 * CLI as users run it (a fresh `node --import tsx` process each time) into the local Kafka with the
 * example transform chain, Avro and the Confluent registry. Measured: events/s and peak RSS of the
 * process; the memory flatness ratio (peak RSS at 1M ÷ at 100k); the two Kafka clients side by side;
 * and, in the same run, the pipeline's CPU ceiling (the same records through `Pipeline.process` with
 * Kafka replaced by an accepting stand-in), so the replay rate can be read as a share of it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { logger } from '../src/observability/logger.ts';
import { workerCount } from '../src/replay/preparers.ts';
import { recordInputs } from '../src/replay/record-inputs.ts';
import { buildRuntime } from '../src/runtime.ts';
import { LocalBucket } from '../src/stack/local-bucket.ts';
import { REPO_ROOT } from '../src/stack/paths.ts';
import { archiveParts, writeFirehoseArchive, writeNdjsonArchive } from './lib/replay-archive.ts';
import type { BenchContext, Benchmark, BenchReport } from './lib/report.ts';
import { benchEnv, createTopics, deleteTopics, requireStack, uniqueName } from './lib/stack.ts';
import { fmt, fmtRatio, median, nowMs } from './lib/stats.ts';
import { AcceptingProducer } from './pipeline-cpu.ts';

const execFileAsync = promisify(execFile);
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'children', 'replay-child.mjs');

const BUDGET_EVENTS_PER_SECOND = 10_000;
const BUDGET_PEAK_RSS_MIB = 250;
const BUDGET_FLATNESS = 1.1;

type Source = 'ndjson' | 's3-gzip';
type Client = 'kafkajs' | 'platformatic';

/**
 * `auto`: the CLI's default (`--workers auto`); `1`: one worker thread, measured on every machine so the
 * worker path is always compared with the single thread (`auto` is 0 below 4 cores).
 */
type Workers = 'auto' | '1';

interface Variant {
  events: number;
  source: Source;
  client: Client;
  workers: Workers;
}

interface RunFigures extends Variant {
  run: number;
  eventsPerSecond: number;
  /** The pipeline's own events/s (Kafka stand-in, in-process), measured just before this run. */
  ceilingEventsPerSecond: number;
  /** eventsPerSecond ÷ ceilingEventsPerSecond, for the record; the table divides medians. */
  ofCeiling: number;
  wallMs: number;
  peakRssMiB: number;
  produced: number;
  deadLettered: number;
}

interface ChildOutcome {
  maxRssKiB: number;
  wallMs: number;
  exitCode: number;
  stderr: string;
}

async function runCli(args: readonly string[], env: Record<string, string>): Promise<ChildOutcome> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ses-bench-replay-child-'));
  const resultFile = path.join(work, 'result.json');
  try {
    let stderr = '';
    try {
      const output = await execFileAsync(process.execPath, ['--import', 'tsx', CHILD, resultFile, ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 3_600_000,
      });
      stderr = output.stderr;
    } catch (error) {
      stderr = (error as { stderr?: string }).stderr ?? String(error);
    }
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as Omit<ChildOutcome, 'stderr'>;
    return { ...result, stderr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const SUMMARY =
  /^(\d+) inputs: (\d+) produced to \S+, (\d+) filtered, (\d+) dead-lettered to \S+, (\d+) not written$/m;

/**
 * The pipeline itself on the archive's first records, Kafka replaced by a stand-in: `pass()` returns the
 * CPU µs per event of one pass. Warmed up once (JIT, schema id); passes run right before every replay
 * run, so the ceiling is sampled throughout the benchmark on a machine whose load drifts.
 */
async function pipelineCeiling(
  env: Record<string, string>,
  events: number,
): Promise<{ pass: () => Promise<number>; close: () => Promise<void> }> {
  const producer = new AcceptingProducer();
  const runtime = buildRuntime(env, { producer });
  const records = archiveParts(events).next().value as string[];
  const batch = 500;
  const pass = async () => {
    const started = nowMs();
    const deadline = Date.now() + 600_000;
    for (let start = 0; start < records.length; start += batch) {
      const inputs = records
        .slice(start, start + batch)
        .flatMap((text, index) => recordInputs('ceiling', { text, line: start + index + 1, onLine: 1 }));
      await runtime.pipeline.process(inputs, deadline);
    }
    return ((nowMs() - started) * 1000) / records.length;
  };
  await pass();
  await pass();
  return { pass, close: () => runtime.producer.close() };
}

function label(variant: Variant): string {
  const workers = variant.workers === '1' ? ', --workers 1' : '';
  return `${variant.events.toLocaleString('en-US')} events, ${variant.source === 'ndjson' ? 'local NDJSON' : 'S3 gzip'}, ${variant.client}${workers}`;
}

function sameVariant(figure: RunFigures, variant: Variant): boolean {
  return (
    figure.events === variant.events &&
    figure.source === variant.source &&
    figure.client === variant.client &&
    figure.workers === variant.workers
  );
}

/** Two variants side by side: per run, `top` ÷ `bottom` in events/s and in peak RSS, then the medians. */
function perRunRatios(
  figures: readonly RunFigures[],
  runs: number,
  top: Variant,
  bottom: Variant,
): { throughput: number; rss: number } {
  const throughput: number[] = [];
  const rss: number[] = [];
  for (let runIndex = 0; runIndex < runs; runIndex++) {
    const of = (variant: Variant) => figures.find((f) => f.run === runIndex && sameVariant(f, variant));
    const above = of(top);
    const below = of(bottom);
    if (above && below) {
      throughput.push(above.eventsPerSecond / below.eventsPerSecond);
      rss.push(above.peakRssMiB / below.peakRssMiB);
    }
  }
  return { throughput: median(throughput), rss: median(rss) };
}

async function run(context: BenchContext): Promise<BenchReport> {
  await requireStack(['kafka', 'registry', 'moto']);
  const small = context.quick ? 2_000 : 100_000;
  const large = context.quick ? 4_000 : 1_000_000;
  const runs = context.runs ?? (context.quick ? 1 : 3);
  const work = mkdtempSync(path.join(os.tmpdir(), 'ses-bench-replay-'));
  const bucket = new LocalBucket(uniqueName('ses-bench-replay'));
  const archives = new Map<string, string>();
  const sizes: Record<string, unknown> = {};
  const previousLevel = logger.getLevelName();
  logger.setLogLevel('ERROR');
  let ceiling: Awaited<ReturnType<typeof pipelineCeiling>> | undefined;
  try {
    await bucket.create();
    for (const events of [small, large]) {
      context.log(
        `replay: writing ${events.toLocaleString('en-US')} events as NDJSON files and as gzip on S3`,
      );
      const folder = path.join(work, `ndjson-${events}`);
      const local = writeNdjsonArchive(folder, events);
      const prefix = `firehose-${events}/`;
      const remote = await writeFirehoseArchive(prefix, events, (key, body) => bucket.put(key, body));
      archives.set(`${events}:ndjson`, folder);
      archives.set(`${events}:s3-gzip`, `s3://${bucket.name}/${prefix}`);
      sizes[events] = { ndjson: local, s3Gzip: remote };
    }

    const ceilingTopic = uniqueName('ses-bench-replay-ceiling');
    const ceilingEnv = benchEnv({
      topic: ceilingTopic,
      dlqTopic: `${ceilingTopic}-dlq`,
      table: 'unused',
      extra: { SES_KAFKA_METADATA_ENABLED: 'false' },
    });
    ceiling = await pipelineCeiling(ceilingEnv, Math.min(small, 4_000));
    const ceilingRun = ceiling;

    const help = await runCli(['replay', '--help'], {});
    const baselineRssMiB = help.maxRssKiB / 1024;

    // Every variant of the small archive each run, in an order that rotates run by run; the large
    // archive once per source with the default client, for the flatness ratio.
    const smallVariants: Variant[] = [];
    for (const source of ['ndjson', 's3-gzip'] as const) {
      for (const client of ['kafkajs', 'platformatic'] as const)
        smallVariants.push({ events: small, source, client, workers: 'auto' });
    }
    // One worker thread side by side with the default, on every machine.
    smallVariants.push({ events: small, source: 'ndjson', client: 'kafkajs', workers: '1' });
    const figures: RunFigures[] = [];
    const measure = async (variant: Variant, runIndex: number) => {
      // Three passes, the median: one pass of a few seconds can catch a garbage collection.
      const ceilingEventsPerSecond =
        1e6 / median([await ceilingRun.pass(), await ceilingRun.pass(), await ceilingRun.pass()]);
      const topic = uniqueName('ses-bench-replay');
      const dlqTopic = `${topic}-dlq`;
      await createTopics([topic, dlqTopic], 6);
      try {
        const env = benchEnv({
          topic,
          dlqTopic,
          table: 'unused',
          extra: { SES_KAFKA_METADATA_ENABLED: 'false', SES_KAFKA_CLIENT: variant.client, CI: 'true' },
        });
        const outcome = await runCli(
          [
            'replay',
            '--local',
            '--workers',
            variant.workers,
            archives.get(`${variant.events}:${variant.source}`) as string,
          ],
          env,
        );
        const summary = SUMMARY.exec(outcome.stderr);
        if (outcome.exitCode !== 0 || summary === null) {
          throw new Error(
            `replay (${label(variant)}) exited ${outcome.exitCode}: ${outcome.stderr.slice(-1500)}`,
          );
        }
        const [, inputs, produced, , deadLettered, notWritten] = summary.map(Number) as number[];
        if (inputs !== variant.events || notWritten !== 0) {
          throw new Error(`replay (${label(variant)}): ${summary[0]}`);
        }
        const eventsPerSecond = (variant.events * 1000) / outcome.wallMs;
        const figure: RunFigures = {
          ...variant,
          run: runIndex,
          eventsPerSecond,
          ceilingEventsPerSecond,
          ofCeiling: eventsPerSecond / ceilingEventsPerSecond,
          wallMs: outcome.wallMs,
          peakRssMiB: outcome.maxRssKiB / 1024,
          produced: produced as number,
          deadLettered: deadLettered as number,
        };
        figures.push(figure);
        context.log(
          `replay: ${label(variant)}: ${fmt(figure.eventsPerSecond)} events/s (pipeline ceiling just before: ${fmt(ceilingEventsPerSecond)}), peak RSS ${fmt(figure.peakRssMiB)} MiB`,
        );
      } finally {
        await deleteTopics([topic, dlqTopic]);
      }
    };
    for (let runIndex = 0; runIndex < runs; runIndex++) {
      const order = smallVariants.map(
        (_, index) => smallVariants[(index + runIndex) % smallVariants.length] as Variant,
      );
      for (const variant of order) await measure(variant, runIndex);
    }
    for (const source of ['ndjson', 's3-gzip'] as const) {
      await measure({ events: large, source, client: 'kafkajs', workers: 'auto' }, 0);
    }

    const pick = (variant: Variant) => figures.filter((f) => sameVariant(f, variant));
    const table: string[][] = [['replay', 'events/s', 'peak RSS MiB', '÷ pipeline ceiling', 'runs']];
    const ceilingEventsPerSecond = median(figures.map((f) => f.ceilingEventsPerSecond));
    const metrics: Record<string, number> = {
      ceilingEventsPerSecond,
      ceilingUsPerEvent: 1e6 / ceilingEventsPerSecond,
      cliBaselineRssMiB: baselineRssMiB,
    };
    const allVariants = [
      ...smallVariants,
      ...(['ndjson', 's3-gzip'] as const).map((source) => ({
        events: large,
        source,
        client: 'kafkajs' as const,
        workers: 'auto' as const,
      })),
    ];
    for (const variant of allVariants) {
      const rows = pick(variant);
      const rate = median(rows.map((f) => f.eventsPerSecond));
      const rss = median(rows.map((f) => f.peakRssMiB));
      const ofCeiling = rate / median(rows.map((f) => f.ceilingEventsPerSecond));
      table.push([label(variant), fmt(rate), fmt(rss), fmtRatio(ofCeiling), String(rows.length)]);
      const key =
        `${variant.events}_${variant.source}_${variant.client}${variant.workers === '1' ? '_oneWorker' : ''}`.replace(
          '-',
          '',
        );
      metrics[`eventsPerSecond_${key}`] = rate;
      metrics[`peakRssMiB_${key}`] = rss;
      metrics[`ofCeiling_${key}`] = ofCeiling;
    }
    table.push([
      'pipeline ceiling (same records, Kafka stand-in, in-process; a pass before each run)',
      fmt(ceilingEventsPerSecond),
      '',
      '1×',
      String(figures.length),
    ]);

    // Client side by side: per run and source, platformatic ÷ kafkajs, then the median.
    const clientRatios: Record<string, number> = {};
    for (const source of ['ndjson', 's3-gzip'] as const) {
      const base = { events: small, source, workers: 'auto' } as const;
      const ratio = perRunRatios(
        figures,
        runs,
        { ...base, client: 'platformatic' },
        { ...base, client: 'kafkajs' },
      );
      clientRatios[`throughput_${source}`] = ratio.throughput;
      clientRatios[`rss_${source}`] = ratio.rss;
      metrics[`platformaticOverKafkajsThroughput_${source.replace('-', '')}`] = ratio.throughput;
      metrics[`platformaticOverKafkajsRss_${source.replace('-', '')}`] = ratio.rss;
    }

    const flatness: Record<Source, number> = { ndjson: Number.NaN, 's3-gzip': Number.NaN };
    for (const source of ['ndjson', 's3-gzip'] as const) {
      const big = median(
        pick({ events: large, source, client: 'kafkajs', workers: 'auto' }).map((f) => f.peakRssMiB),
      );
      const little = median(
        pick({ events: small, source, client: 'kafkajs', workers: 'auto' }).map((f) => f.peakRssMiB),
      );
      flatness[source] = big / little;
      metrics[`rssFlatness_${source.replace('-', '')}`] = flatness[source];
    }
    table.push(['', '', '', '', '']);
    table.push([
      `peak RSS ${large.toLocaleString('en-US')} ÷ ${small.toLocaleString('en-US')} events (kafkajs)`,
      '',
      `NDJSON ${fmtRatio(flatness.ndjson)}, S3 ${fmtRatio(flatness['s3-gzip'])}`,
      '',
      '',
    ]);
    table.push([
      `platformatic ÷ kafkajs (${small.toLocaleString('en-US')} events, per-run ratios)`,
      `NDJSON ${fmtRatio(clientRatios.throughput_ndjson as number)}, S3 ${fmtRatio(clientRatios['throughput_s3-gzip'] as number)}`,
      `NDJSON ${fmtRatio(clientRatios.rss_ndjson as number)}, S3 ${fmtRatio(clientRatios['rss_s3-gzip'] as number)}`,
      '',
      '',
    ]);

    // Workers side by side: per run, one worker ÷ the default (auto), then the median.
    const localKafkajs = { events: small, source: 'ndjson', client: 'kafkajs' } as const;
    const workerRatio = perRunRatios(
      figures,
      runs,
      { ...localKafkajs, workers: '1' },
      { ...localKafkajs, workers: 'auto' },
    );
    metrics.oneWorkerOverAutoThroughput = workerRatio.throughput;
    metrics.oneWorkerOverAutoRss = workerRatio.rss;
    metrics.autoWorkers = workerCount('auto');
    table.push([
      `--workers 1 ÷ --workers auto (${metrics.autoWorkers} here) (${small.toLocaleString('en-US')} events, NDJSON, per-run ratios)`,
      fmtRatio(metrics.oneWorkerOverAutoThroughput),
      fmtRatio(metrics.oneWorkerOverAutoRss),
      '',
      '',
    ]);

    const headline = median(
      pick({ events: small, source: 'ndjson', client: 'kafkajs', workers: 'auto' }).map(
        (f) => f.eventsPerSecond,
      ),
    );
    const largePeak = median(
      pick({ events: large, source: 'ndjson', client: 'kafkajs', workers: 'auto' }).map((f) => f.peakRssMiB),
    );
    return {
      name: 'replay',
      title: 'Replay: a backfill streamed from local NDJSON and from gzip on S3 (moto) into Kafka',
      method: `Each figure is one fresh \`ses-kafka replay --local\` process (node --import tsx, as bin/ses-kafka.js runs it), events/s over the whole process including start-up; ${runs} run(s) of every ${small.toLocaleString('en-US')}-event variant, the order rotating run by run, and one ${large.toLocaleString('en-US')}-event run per source. Example transform chain, Avro with Apicurio, acks=all, enrichment off; default batch (500), window and workers (--workers auto) unless a row says otherwise.`,
      table,
      metrics,
      budgets: [
        {
          name: `replay events/s (${small.toLocaleString('en-US')} events, local NDJSON, kafkajs)`,
          limit: `≥ ${BUDGET_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s`,
          value: headline,
          unit: 'events/s',
          met: headline >= BUDGET_EVENTS_PER_SECOND,
        },
        {
          name: `peak RSS (${large.toLocaleString('en-US')} events, local NDJSON, kafkajs)`,
          limit: `≤ ${BUDGET_PEAK_RSS_MIB} MiB`,
          value: largePeak,
          unit: 'MiB',
          met: largePeak <= BUDGET_PEAK_RSS_MIB,
        },
        ...(['ndjson', 's3-gzip'] as const).map((source) => ({
          name: `memory flatness, peak RSS ${large.toLocaleString('en-US')} ÷ ${small.toLocaleString('en-US')} events (${source})`,
          limit: `≤ ${BUDGET_FLATNESS}×`,
          value: flatness[source],
          unit: '×',
          met: flatness[source] <= BUDGET_FLATNESS,
        })),
      ],
      notes: [
        `the CLI's own start (\`ses-kafka replay --help\`) peaks at ${fmt(baselineRssMiB)} MiB RSS: node, tsx compiling the sources, and replay's own modules (the pipeline, kafkajs, the AWS SDK clients)`,
        'enrichment is off: a backfill enriches at the pace of its DynamoDB table (measured with dynalite in pipeline-cpu and end-to-end), which would hide the replay path itself',
        `ceiling: ${fmt(1e6 / ceilingEventsPerSecond)} µs/event, median of the passes over ${Math.min(small, 4_000)} of the same records (batches of 500) run just before each replay; the ratio is a variant's median rate over the median of the ceilings measured before its runs`,
      ],
      config: { small, large, runs, archives: sizes, bucket: bucket.name, partEvents: 10_000 },
      runs: figures,
    };
  } finally {
    logger.setLogLevel(previousLevel as 'INFO');
    await ceiling?.close();
    rmSync(work, { recursive: true, force: true });
    // Best effort, like the other benchmarks' clean-up: a leftover bucket on the local stack harms nobody.
    await bucket.delete().catch(() => undefined);
  }
}

export const replayBench: Benchmark = {
  name: 'replay',
  title: 'Replay at backfill scale',
  run,
};
