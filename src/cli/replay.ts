import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withLocalDefaults } from '../config/local-env.ts';
import { describeError } from '../errors.ts';
import { inputSources } from '../replay/read-inputs.ts';
import { recordToJson, replay } from '../replay/replay.ts';
import { buildRuntime } from '../runtime.ts';
import { createProgress } from './progress.ts';

interface ReplayFlags {
  dryRun?: boolean;
  local?: boolean;
  registry?: 'confluent' | 'glue';
  transforms?: string;
  batchSize: string;
  failedOut?: string;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'feed archived SES events (SNS/SQS/EventBridge/SES JSON or NDJSON; files, folders or - for stdin) through the pipeline into Kafka',
    )
    .argument('[inputs...]', 'files, folders (read recursively) or - for stdin', [])
    .option('--dry-run', 'print the records that would be produced (after transforms) instead of producing')
    .option('--local', 'default every unset setting to the local stack (ses-kafka stack up)')
    .option('--registry <kind>', 'with --local: confluent or glue', 'confluent')
    .option(
      '--transforms <file>',
      'transform chain config (.properties or JSON); same as SES_KAFKA_TRANSFORMS_FILE',
    )
    .option('--batch-size <n>', 'inputs per pipeline batch', '500')
    .option(
      '--failed-out <file>',
      'write inputs that were not written (retriable/failed) here as NDJSON, to replay later',
    )
    .addHelpText(
      'after',
      '\nSettings come from the same environment variables as the Lambda (see README, "Configuration").\nExit codes: 0 all written or dead-lettered, 1 some inputs not written, 2 configuration error.',
    )
    .action(async (targets: string[], flags: ReplayFlags) => {
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        console.error(`--batch-size: expected a positive whole number, got "${flags.batchSize}"`);
        process.exitCode = 2;
        return;
      }
      let env: Record<string, string | undefined> = { ...process.env };
      if (flags.local) env = withLocalDefaults(env, flags.registry);
      if (flags.transforms) env.SES_KAFKA_TRANSFORMS_FILE = flags.transforms;
      let runtime: ReturnType<typeof buildRuntime>;
      try {
        runtime = buildRuntime(env);
      } catch (error) {
        console.error(`configuration error: ${describeError(error)}`);
        process.exitCode = 2;
        return;
      }
      const progress = createProgress(flags.dryRun ? 'replay (dry run)' : 'replay');
      try {
        const report = await replay(runtime.pipeline, inputSources(targets), {
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
          console.error(`${source.label}: cannot read: ${source.message}`);
        for (const input of report.notWritten)
          console.error(`${input.id}: not written: ${input.code}: ${input.message}`);
        if (flags.failedOut && report.notWritten.length > 0) {
          writeFileSync(
            flags.failedOut,
            report.notWritten.map((input) => `${input.raw.replace(/\n/g, ' ')}\n`).join(''),
          );
          console.error(
            `${report.notWritten.length} inputs written to ${flags.failedOut}; replay them with: ses-kafka replay ${flags.failedOut}`,
          );
        }
        const { counts } = report;
        console.error(
          `${counts.inputs} inputs: ${counts.produced} ${flags.dryRun ? 'would be produced' : 'produced'} to ${runtime.topic}${runtime.settings.serviceEventsTopic === undefined ? '' : ` (service events to ${runtime.settings.serviceEventsTopic})`}, ${counts.filtered} filtered, ${counts.deadLettered} dead-lettered${flags.dryRun ? ' (not sent)' : ` to ${runtime.dlqTopic}`}, ${counts.notWritten} not written`,
        );
        process.exitCode = counts.notWritten > 0 || report.unreadable.length > 0 ? 1 : 0;
      } finally {
        await runtime.producer.close();
      }
    });
}
