/**
 * `ses-kafka replay`: archived SES events (files, folders, stdin) through the same pipeline as the
 * Lambda. Settings are the Lambda's (flags or environment, see docs/configuration.md); with `--local`
 * every unset one points at the local stack, whose topics and metadata table are created if missing.
 * Exit codes (src/cli/exit.ts): 0 every input written or dead-lettered, 1 some not written or unreadable,
 * 2 configuration, 3 a service failed before anything was sent.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SETTINGS, type SettingKey, type SettingSpec } from '../config/settings.ts';
import { redactEmail } from '../observability/logger.ts';
import { inputSources } from '../replay/read-inputs.ts';
import { type NotWrittenInput, recordToJson, replay } from '../replay/replay.ts';
import { buildRuntime, type Runtime } from '../runtime.ts';
import { resolveSecretReferences } from '../secrets/secret-references.ts';
import { prepareLocalStack } from '../stack/prepare.ts';
import { createProgress } from '../terminal/progress.ts';
import { EXIT, reportCommandError, warningLine } from './exit.ts';
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
  'schemaVersion',
  'transformsFile',
  'metadataTable',
  'dynamodbEndpoint',
] as const satisfies readonly SettingKey[];

interface ReplayFlags {
  dryRun?: boolean;
  local?: boolean;
  batchSize: string;
  failedOut?: string;
  [flag: string]: unknown;
}

/** How many not-written inputs are listed one by one for each error code before the rest are counted. */
const LISTED_PER_CODE = 5;

/** The command that replays `file` with the same settings this run was given on its command line. */
function replayAgainCommand(flags: ReplayFlags, fromFlags: ReadonlySet<SettingKey>, file: string): string {
  const parts = ['ses-kafka replay'];
  if (flags.local) parts.push('--local');
  for (const key of fromFlags) {
    const setting = SETTINGS[key] as SettingSpec<unknown>;
    const property = (setting.flag as string).replace(/-([a-z])/g, (_, letter: string) =>
      letter.toUpperCase(),
    );
    parts.push(`--${setting.flag}`, quoteForShell(String(flags[property])));
  }
  if (flags.batchSize !== '500') parts.push('--batch-size', flags.batchSize);
  parts.push(quoteForShell(file));
  return parts.join(' ');
}

function quoteForShell(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Lists not-written inputs grouped by error code: a few of each, then how many more. */
function printNotWritten(notWritten: readonly NotWrittenInput[]): void {
  const byCode = new Map<string, NotWrittenInput[]>();
  for (const input of notWritten) byCode.set(input.code, [...(byCode.get(input.code) ?? []), input]);
  for (const [code, inputs] of byCode) {
    for (const input of inputs.slice(0, LISTED_PER_CODE)) {
      process.stderr.write(`${input.id}: not written: ${code}: ${redactEmail(input.message)}\n`);
    }
    if (inputs.length > LISTED_PER_CODE) {
      process.stderr.write(`... and ${inputs.length - LISTED_PER_CODE} more not written with ${code}\n`);
    }
  }
}

export function registerReplayCommand(program: Command): void {
  const command = program
    .command('replay')
    .description(
      'feed archived SES events (SNS/SQS/EventBridge/SES JSON or NDJSON; files, folders or - for stdin) through the pipeline into Kafka',
    )
    .argument(
      '[inputs...]',
      'files, folders (read recursively: .json, .ndjson, .jsonl and extension-less files) or - for stdin',
      [],
    );
  addSettingOptions(command, PIPELINE_FLAG_SETTINGS);
  addLocalOption(command)
    .option('--dry-run', 'print the records that would be produced (after transforms) instead of producing')
    .option('--batch-size <n>', 'inputs per pipeline batch', '500')
    .option(
      '--failed-out <file>',
      'write inputs that were not written (retriable/failed) here as NDJSON, to replay later',
    )
    .addHelpText(
      'after',
      '\nEvery setting can also be given by its environment variable, as for the Lambda: see docs/configuration.md.\nExit codes: 0 all written or dead-lettered, 1 some inputs not written or unreadable, 2 configuration, 3 a service failed.',
    )
    .action(async (targets: string[], flags: ReplayFlags) => {
      process.exitCode = await runReplay(targets, flags);
    });
}

export async function runReplay(targets: string[], flags: ReplayFlags): Promise<number> {
  const settings = commandSettings(flags, PIPELINE_FLAG_SETTINGS);
  const { env, fromFlags } = settings;
  const batchSize = Number(flags.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    process.stderr.write(
      `ses-kafka replay: error: --batch-size: expected a positive whole number, got "${flags.batchSize}"\n`,
    );
    return EXIT.config;
  }
  let runtime: Runtime;
  try {
    // Secrets given as Secrets Manager or SSM ARNs are fetched once, before anything reads them.
    runtime = buildRuntime(await resolveSecretReferences(env));
  } catch (error) {
    return reportCommandError('replay', error, settings);
  }
  try {
    if (flags.local && !flags.dryRun) {
      const prepared = await prepareLocalStack(runtime.kafka, env);
      for (const topic of prepared.topics.filter((outcome) => outcome.status === 'created')) {
        process.stderr.write(`created topic ${topic.topic} on the local stack\n`);
      }
      for (const problem of prepared.problems) process.stderr.write(`${warningLine('replay', problem)}\n`);
    }
  } catch (error) {
    await runtime.producer.close();
    return reportCommandError('replay', error, settings);
  }
  const sources = inputSources(targets);
  for (const skipped of sources.skipped) {
    process.stderr.write(`${skipped.path}: skipped: ${skipped.reason}\n`);
  }
  const progress = createProgress(flags.dryRun ? 'replay (dry run)' : 'replay');
  try {
    const report = await replay(runtime.pipeline, sources.sources, {
      batchSize,
      dryRun: flags.dryRun === true,
      onRecord: (record) => process.stdout.write(`${recordToJson(record)}\n`),
      onProgress: (counts, total) =>
        progress.update(
          counts.inputs,
          total,
          `${flags.dryRun ? 'would produce' : 'produced'} ${counts.produced}, filtered ${counts.filtered}, dead-lettered ${counts.deadLettered}, not written ${counts.notWritten}`,
        ),
    });
    progress.stop();
    for (const source of report.unreadable)
      process.stderr.write(`${source.label}: cannot read: ${source.message}\n`);
    printNotWritten(report.notWritten);
    if (flags.failedOut && report.notWritten.length > 0) {
      writeFileSync(
        flags.failedOut,
        report.notWritten.map((input) => `${input.raw.replace(/\n/g, ' ')}\n`).join(''),
      );
      process.stderr.write(
        `${report.notWritten.length} inputs written to ${flags.failedOut}; replay them with: ${replayAgainCommand(flags, fromFlags, flags.failedOut)}\n`,
      );
    }
    const { counts } = report;
    process.stderr.write(
      `${counts.inputs} inputs: ${counts.produced} ${flags.dryRun ? 'would be produced' : 'produced'} to ${runtime.topic}${runtime.settings.serviceEventsTopic === undefined ? '' : ` (service events to ${runtime.settings.serviceEventsTopic})`}, ${counts.filtered} filtered, ${counts.deadLettered} dead-lettered${flags.dryRun ? ' (not sent)' : ` to ${runtime.dlqTopic}`}, ${counts.notWritten} not written\n`,
    );
    return counts.notWritten > 0 || report.unreadable.length > 0 ? EXIT.partial : EXIT.ok;
  } finally {
    await runtime.producer.close();
  }
}
