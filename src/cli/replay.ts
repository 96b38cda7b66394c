/**
 * `ses-kafka replay`: archived SES events (files, folders, stdin, or S3 prefixes that Firehose wrote,
 * gzip or not) through the same pipeline as the Lambda, streamed in a bounded window (src/replay/).
 * Settings are the Lambda's (flags or environment, see docs/configuration.md); with `--local` every unset
 * one points at the local stack, whose topics and metadata table are created if missing.
 * Exit codes (src/cli/exit.ts): 0 every input written or dead-lettered, 1 some not written or unreadable
 * or the run stopped early, 2 usage or configuration, 3 a service failed before anything was sent,
 * 4 the pipeline broke its own contract (a bug).
 */
import type { Command } from 'commander';
import { readSetting, SETTINGS, type SettingKey, type SettingSpec } from '../config/settings.ts';
import { describeError, PipelineError } from '../errors.ts';
import { redactEmail } from '../observability/logger.ts';
import { type Checkpoint, loadCheckpoint } from '../replay/checkpoint.ts';
import { FailedOutWriter } from '../replay/failed-out.ts';
import { hasWindow, type Listing, listInputs, objectsOf, S3Access } from '../replay/inputs.ts';
import { parseWindowTime, type TimeWindow } from '../replay/key-date.ts';
import { WorkerPreparer, workerCount } from '../replay/preparers.ts';
import { type NotWrittenGroup, type ReplayReport, recordToJson, replay } from '../replay/replay.ts';
import { parseS3Url, S3SourceError } from '../replay/s3-location.ts';
import { buildRuntime, type Runtime } from '../runtime.ts';
import { resolveSecretReferences } from '../secrets/secret-references.ts';
import { prepareLocalStack } from '../stack/prepare.ts';
import { createProgress } from '../terminal/progress.ts';
import { EXIT, errorLine, reportCommandError, warningLine } from './exit.ts';
import {
  addLocalOption,
  addSettingOptions,
  commandSettings,
  KAFKA_FLAG_SETTINGS,
  REGISTRY_FLAG_SETTINGS,
} from './settings-cli.ts';

/** Every pipeline setting that has a flag: replay runs the Lambda's pipeline with the Lambda's settings. */
export const PIPELINE_FLAG_SETTINGS = [
  ...KAFKA_FLAG_SETTINGS,
  'serviceEventsTopic',
  ...REGISTRY_FLAG_SETTINGS,
  'kafkaClient',
  'schemaVersion',
  'transformsFile',
  'metadataTable',
  'dynamodbEndpoint',
] as const satisfies readonly SettingKey[];

/** The settings replay reads besides the pipeline's: where S3 archives are read from. */
export const REPLAY_FLAG_SETTINGS = [
  ...PIPELINE_FLAG_SETTINGS,
  's3Endpoint',
] as const satisfies readonly SettingKey[];

const DEFAULTS = {
  batchSize: '500',
  windowBatches: 4,
  windowMib: '16',
  checkpointEveryMs: 1000,
  workers: 'auto',
} as const;

export interface ReplayFlags {
  dryRun?: boolean;
  local?: boolean;
  batchSize: string;
  windowInputs?: string;
  windowMib: string;
  workers: string;
  failedOut?: string;
  checkpoint?: string;
  since?: string;
  until?: string;
  [flag: string]: unknown;
}

const MIB = 1024 * 1024;

function quoteForShell(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command that runs replay on `inputs` with the settings and options this run was given. */
function replayCommand(
  flags: ReplayFlags,
  fromFlags: ReadonlySet<SettingKey>,
  inputs: readonly string[],
  extra: { checkpoint?: boolean; window?: boolean } = {},
): string {
  const parts = ['ses-kafka replay'];
  if (flags.local) parts.push('--local');
  for (const key of fromFlags) {
    const setting = SETTINGS[key] as SettingSpec<unknown>;
    const property = (setting.flag as string).replace(/-([a-z])/g, (_, letter: string) =>
      letter.toUpperCase(),
    );
    parts.push(`--${setting.flag}`, quoteForShell(String(flags[property])));
  }
  if (flags.batchSize !== DEFAULTS.batchSize) parts.push('--batch-size', flags.batchSize);
  if (extra.window) {
    if (flags.since) parts.push('--since', quoteForShell(flags.since));
    if (flags.until) parts.push('--until', quoteForShell(flags.until));
  }
  if (extra.checkpoint && flags.checkpoint) parts.push('--checkpoint', quoteForShell(flags.checkpoint));
  if (extra.checkpoint && flags.failedOut) parts.push('--failed-out', quoteForShell(flags.failedOut));
  parts.push(...inputs.map(quoteForShell));
  return parts.join(' ');
}

/** Lists not-written inputs grouped by error code: a few of each, then how many more. */
function printNotWritten(groups: ReadonlyMap<string, NotWrittenGroup>): void {
  for (const [code, group] of groups) {
    for (const input of group.examples) {
      process.stderr.write(`${input.id}: not written: ${code}: ${redactEmail(input.message)}\n`);
    }
    if (group.count > group.examples.length) {
      process.stderr.write(`... and ${group.count - group.examples.length} more not written with ${code}\n`);
    }
  }
}

function positiveWhole(flag: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${flag}: expected a positive whole number, got "${raw}"`);
  }
  return value;
}

export function registerReplayCommand(program: Command): void {
  const command = program
    .command('replay')
    .description(
      'feed archived SES events (SNS/SQS/EventBridge/SES JSON, NDJSON or Firehose records, gzip or not; files, folders, s3://bucket/prefix/ or - for stdin) through the pipeline into Kafka, streamed',
    )
    .argument(
      '[inputs...]',
      'files, folders (read recursively: .json, .ndjson, .jsonl, .gz and extension-less files), s3://bucket/prefix/ (every such object under it, in key order) or - for stdin',
      [],
    );
  addSettingOptions(command, REPLAY_FLAG_SETTINGS);
  addLocalOption(command)
    .option('--dry-run', 'print the records that would be produced (after transforms) instead of producing')
    .option(
      '--since <time>',
      'only objects whose key date (Firehose YYYY/MM/DD/HH/) is at or after this UTC time',
    )
    .option('--until <time>', 'only objects whose key date is before this UTC time')
    .option(
      '--checkpoint <file>',
      'record progress here and resume from it: a killed run continues after the last acknowledged record',
    )
    .option(
      '--failed-out <file>',
      'write inputs that were not written (retriable/failed) here as NDJSON, to replay later',
    )
    .option(
      '--batch-size <n>',
      'records per pipeline batch (a record is one JSON value: an NDJSON line, a Firehose record)',
      DEFAULTS.batchSize,
    )
    .option(
      '--window-inputs <n>',
      `records in the pipeline at once, prepared or waiting for Kafka (default ${DEFAULTS.windowBatches} batches)`,
    )
    .option('--window-mib <n>', 'MiB of input text in the pipeline at once', DEFAULTS.windowMib)
    .option(
      '--workers <n>',
      'threads that parse, enrich, transform and encode while this one reads and sends to Kafka; 0 does it all in one thread; auto: one per core but two on 4 cores or more, at most 4, none below 4 cores',
      DEFAULTS.workers,
    )
    .addHelpText(
      'after',
      '\nEvery setting can also be given by its environment variable, as for the Lambda: see docs/configuration.md.\nExit codes: 0 all written or dead-lettered, 1 some inputs not written or unreadable, or stopped early, 2 usage or configuration, 3 a service failed, 4 internal error.',
    )
    .action(async (targets: string[], flags: ReplayFlags) => {
      process.exitCode = await runReplay(targets, flags);
    });
}

interface Plan {
  batchSize: number;
  workers: number;
  window: { inputs: number; bytes: number };
  timeWindow: TimeWindow;
}

function planFrom(targets: readonly string[], flags: ReplayFlags): Plan {
  const batchSize = positiveWhole('--batch-size', flags.batchSize);
  const windowInputs =
    flags.windowInputs === undefined
      ? DEFAULTS.windowBatches * batchSize
      : positiveWhole('--window-inputs', flags.windowInputs);
  const windowBytes = positiveWhole('--window-mib', flags.windowMib) * MIB;
  const timeWindow: TimeWindow = {};
  if (flags.since !== undefined) timeWindow.since = parseWindowTime('--since', flags.since);
  if (flags.until !== undefined) timeWindow.until = parseWindowTime('--until', flags.until);
  if (
    timeWindow.since !== undefined &&
    timeWindow.until !== undefined &&
    timeWindow.until <= timeWindow.since
  ) {
    throw new Error('--until: must be later than --since');
  }
  const stdin = targets.includes('-');
  if (stdin && hasWindow(timeWindow)) throw new Error('--since/--until: stdin has no key to date it by');
  if (stdin && flags.checkpoint) {
    throw new Error(
      '--checkpoint: stdin cannot be read again from where it stopped; give files or s3:// prefixes',
    );
  }
  if (flags.dryRun && flags.checkpoint)
    throw new Error('--checkpoint: a dry run sends nothing to checkpoint');
  // A dry run shows records and sends nothing, so it gains nothing from workers.
  const workers = flags.dryRun ? 0 : workerCount(flags.workers);
  return { batchSize, workers, window: { inputs: windowInputs, bytes: windowBytes }, timeWindow };
}

interface Inventory {
  objects: number;
  bytes: number;
  /** Bytes of the objects a resumed run still has to read (from the checkpoint's object on). */
  remainingBytes: number;
  outsideWindow: number;
  resumeFound: boolean;
}

function byteUnit(bytes: number): { name: string; bytes: number } {
  if (bytes >= 1024 * MIB) return { name: 'GiB', bytes: 1024 * MIB };
  if (bytes >= MIB) return { name: 'MiB', bytes: MIB };
  return { name: 'KiB', bytes: 1024 };
}

/** Walks the listing once, before reading: reports skipped objects and sizes the progress bar. */
async function takeInventory(
  listings: AsyncIterable<Listing>,
  resumeObject: string | undefined,
): Promise<Inventory> {
  const inventory: Inventory = {
    objects: 0,
    bytes: 0,
    remainingBytes: 0,
    outsideWindow: 0,
    resumeFound: false,
  };
  let counting = resumeObject === undefined;
  for await (const listing of listings) {
    if (listing.kind === 'skipped') {
      process.stderr.write(`${listing.label}: skipped: ${listing.reason}\n`);
      continue;
    }
    if (listing.kind === 'outside-window') {
      inventory.outsideWindow++;
      continue;
    }
    inventory.objects++;
    inventory.bytes += listing.object.size ?? 0;
    if (!counting && listing.object.label === resumeObject) {
      counting = true;
      inventory.resumeFound = true;
    }
    if (counting) inventory.remainingBytes += listing.object.size ?? 0;
  }
  return inventory;
}

function stopMessage(report: ReplayReport, flags: ReplayFlags, resumeCommand: string): string | undefined {
  const stopped = report.stopped;
  if (stopped === undefined) return undefined;
  const resume = flags.checkpoint
    ? `; continue with: ${resumeCommand}`
    : '; without --checkpoint a new run starts from the beginning';
  if (stopped.reason === 'interrupted') {
    return `interrupted${stopped.at ? ` while reading ${stopped.at}` : ''}: the inputs already in the pipeline were settled${resume}`;
  }
  return `stopped at ${stopped.at}: it cannot be read (see above); fix that${resume}`;
}

export async function runReplay(targetsGiven: string[], flags: ReplayFlags): Promise<number> {
  const targets = targetsGiven.length === 0 ? ['-'] : targetsGiven;
  const settings = commandSettings(flags, REPLAY_FLAG_SETTINGS);
  const { env, fromFlags } = settings;
  let plan: Plan;
  let checkpoint: { state: Checkpoint; resumed: boolean } | undefined;
  try {
    plan = planFrom(targets, flags);
    if (flags.checkpoint) {
      const loaded = loadCheckpoint(flags.checkpoint, targets, {
        ...(flags.since === undefined ? {} : { since: flags.since }),
        ...(flags.until === undefined ? {} : { until: flags.until }),
      });
      checkpoint = { state: loaded.checkpoint, resumed: loaded.resumed };
    }
  } catch (error) {
    process.stderr.write(`${errorLine('replay', describeError(error))}\n`);
    return EXIT.config;
  }
  if (checkpoint?.state.complete) {
    const counts = checkpoint.state.counts;
    process.stderr.write(
      `${flags.checkpoint}: this backfill already finished (${counts.inputs} inputs: ${counts.produced} produced, ${counts.filtered} filtered, ${counts.deadLettered} dead-lettered, ${counts.notWritten} not written); nothing to do. Delete the checkpoint to replay again.\n`,
    );
    return EXIT.ok;
  }

  let runtime: Runtime;
  let resolvedEnv: Awaited<ReturnType<typeof resolveSecretReferences>>;
  let s3Settings: { endpoint?: string; forcePathStyle: boolean; region?: string };
  try {
    // Secrets given as Secrets Manager or SSM ARNs are fetched once, before anything reads them.
    resolvedEnv = await resolveSecretReferences(env);
    runtime = buildRuntime(resolvedEnv);
    const endpoint = readSetting(env, 's3Endpoint');
    const region = readSetting(env, 'awsRegion');
    s3Settings = {
      forcePathStyle: readSetting(env, 's3ForcePathStyle') ?? endpoint !== undefined,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(region === undefined ? {} : { region }),
    };
  } catch (error) {
    return reportCommandError('replay', error, settings);
  }
  const s3 = new S3Access(s3Settings);
  // Started now, so the workers load their modules while the inputs are listed.
  const preparer =
    plan.workers > 0 ? new WorkerPreparer(plan.workers, resolvedEnv, runtime.pipeline) : undefined;
  const listOptions = { window: plan.timeWindow, s3 };
  try {
    const resumeAt = checkpoint?.state.position ?? null;
    let inventory: Inventory | undefined;
    if (!targets.includes('-')) {
      try {
        inventory = await takeInventory(listInputs(targets, listOptions), resumeAt?.object);
      } catch (error) {
        if (error instanceof S3SourceError) {
          process.stderr.write(`${errorLine('replay', error.message)}\n`);
          return error.usage ? EXIT.config : EXIT.unavailable;
        }
        throw error;
      }
      if (resumeAt !== null && !inventory.resumeFound) {
        process.stderr.write(
          `${errorLine('replay', `--checkpoint ${flags.checkpoint}: it stopped in ${resumeAt.object}, which is no longer among the inputs; delete the checkpoint to start over`)}\n`,
        );
        return EXIT.config;
      }
      if (inventory.outsideWindow > 0) {
        process.stderr.write(`${inventory.outsideWindow} objects outside --since/--until were not read\n`);
      }
    }
    if (checkpoint?.resumed && resumeAt !== null) {
      process.stderr.write(
        `resuming from ${flags.checkpoint}: ${checkpoint.state.counts.records} records done; continuing in ${resumeAt.object}${resumeAt.objectDone ? ' (after it)' : ` after record ${resumeAt.records}`}\n`,
      );
    }
    if (flags.local && !flags.dryRun) {
      const prepared = await prepareLocalStack(runtime.kafka, env).catch((error: unknown) => {
        // Topic creation fails as a PipelineError already; the other step is the metadata table, whose
        // DynamoDB not answering is a service failure (exit 3), not a bug.
        throw error instanceof PipelineError
          ? error
          : new PipelineError(
              'enrich',
              'METADATA_TABLE_CREATE_FAILED',
              `cannot create the metadata table on the local stack: ${describeError(error)}`,
              { retriable: true, cause: error },
            );
      });
      for (const topic of prepared.topics.filter((outcome) => outcome.status === 'created')) {
        process.stderr.write(`created topic ${topic.topic} on the local stack\n`);
      }
      for (const problem of prepared.problems) process.stderr.write(`${warningLine('replay', problem)}\n`);
    }

    const totalBytes = inventory?.remainingBytes;
    // Progress in the unit that suits the whole input (stdin, of unknown size, in MiB), so a few small
    // files do not read 0/0.
    const unit = byteUnit(totalBytes ?? MIB);
    const progress = createProgress(`${flags.dryRun ? 'replay (dry run)' : 'replay'}, ${unit.name}`, {
      lineEvery: unit.name === 'KiB' ? 100 : 10,
    });
    const failedOut = flags.failedOut
      ? new FailedOutWriter(flags.failedOut, { append: checkpoint?.resumed === true })
      : undefined;
    const controller = new AbortController();
    const onSignal = () => {
      process.stderr.write(
        '\nstopping: settling the inputs already in the pipeline (signal again to quit now)\n',
      );
      controller.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let report: ReplayReport;
    try {
      report = await replay(runtime.pipeline, objectsOf(listInputs(targets, listOptions)), {
        batchSize: plan.batchSize,
        window: plan.window,
        ...(preparer === undefined ? {} : { preparer }),
        dryRun: flags.dryRun === true,
        onRecord: (record) => process.stdout.write(`${recordToJson(record)}\n`),
        onProgress: ({ counts, bytesRead }) => {
          const done = Math.round((bytesRead / unit.bytes) * 10) / 10;
          const total =
            totalBytes === undefined ? done : Math.max(done, Math.round((totalBytes / unit.bytes) * 10) / 10);
          progress.update(
            done,
            total,
            `${counts.inputs} inputs: ${flags.dryRun ? 'would produce' : 'produced'} ${counts.produced}, filtered ${counts.filtered}, dead-lettered ${counts.deadLettered}, not written ${counts.notWritten}`,
          );
        },
        ...(failedOut === undefined ? {} : { failedOut }),
        ...(checkpoint === undefined || flags.checkpoint === undefined
          ? {}
          : {
              checkpoint: {
                file: flags.checkpoint,
                state: checkpoint.state,
                saveEveryMs: DEFAULTS.checkpointEveryMs,
              },
              resumeFrom: resumeAt,
              stopOnUnreadable: true,
            }),
        signal: controller.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      progress.stop();
    }

    for (const source of report.unreadable) {
      process.stderr.write(`${source.label}: cannot read: ${redactEmail(source.message)}\n`);
    }
    printNotWritten(report.notWritten);
    const { counts } = report;
    if (failedOut && failedOut.lines > 0) {
      process.stderr.write(
        `${failedOut.lines} inputs written to ${failedOut.file}; replay them with: ${replayCommand(flags, fromFlags, [failedOut.file])}\n`,
      );
    }
    const resumeCommand = replayCommand(flags, fromFlags, targets, { checkpoint: true, window: true });
    if (report.checkpointHeldAt !== undefined && flags.checkpoint) {
      process.stderr.write(
        `${flags.checkpoint}: held before the first input that was not written (there is no --failed-out to hand it back through); a new run redoes everything from there\n`,
      );
    }
    if (preparer !== undefined) process.stderr.write(`${preparer.summary()}\n`);
    const stop = stopMessage(report, flags, resumeCommand);
    if (stop !== undefined) process.stderr.write(`${stop}\n`);
    process.stderr.write(
      `${counts.inputs} inputs: ${counts.produced} ${flags.dryRun ? 'would be produced' : 'produced'} to ${runtime.topic}${runtime.settings.serviceEventsTopic === undefined ? '' : ` (service events to ${runtime.settings.serviceEventsTopic})`}, ${counts.filtered} filtered, ${counts.deadLettered} dead-lettered${flags.dryRun ? ' (not sent)' : ` to ${runtime.dlqTopic}`}, ${counts.notWritten} not written\n`,
    );
    if (checkpoint?.resumed) {
      const total = checkpoint.state.counts;
      process.stderr.write(
        `whole backfill so far (${flags.checkpoint}): ${total.inputs} inputs: ${total.produced} produced, ${total.filtered} filtered, ${total.deadLettered} dead-lettered, ${total.notWritten} not written\n`,
      );
    }
    return counts.notWritten > 0 || report.unreadable.length > 0 || report.stopped !== undefined
      ? EXIT.partial
      : EXIT.ok;
  } catch (error) {
    return reportCommandError('replay', error, settings);
  } finally {
    await preparer?.close();
    await runtime.producer.close();
    await s3.close();
  }
}

/** Exported for tests: whether an argument names an S3 prefix. */
export function isS3Target(target: string): boolean {
  return parseS3Url(target) !== undefined;
}
