/**
 * `ses-kafka report`: a self-contained HTML report (charts inlined) from a DuckDB warehouse that
 * `ses-kafka consume --to duckdb` filled. Exit codes: 0 written, 1 failed.
 */
import type { Command } from 'commander';
import { describeError } from '../errors.ts';
import { writeReport } from '../warehouse/report/write.ts';

export interface ReportCliOptions {
  db: string;
  out: string;
}

export interface ReportIo {
  writeOut(line: string): void;
  writeErr(line: string): void;
}

const processIo: ReportIo = {
  writeOut: (line) => process.stdout.write(`${line}\n`),
  writeErr: (line) => process.stderr.write(`${line}\n`),
};

export async function runReport(cli: ReportCliOptions, io: ReportIo = processIo): Promise<number> {
  try {
    const report = await writeReport(cli.db, cli.out);
    io.writeOut(
      `wrote ${report.path} (${Math.round(report.bytes / 1024)} KiB): ${report.data.totalEvents} events, ${report.data.decodeErrors} undecodable records`,
    );
    return 0;
  } catch (error) {
    io.writeErr(`report: ${describeError(error)}`);
    return 1;
  }
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report with charts (daily event mix, bounce and complaint rates vs SES review thresholds, top bouncing domains, enrichment coverage) from a DuckDB warehouse',
    )
    .requiredOption('--db <file>', 'DuckDB warehouse file written by `consume --to duckdb`')
    .option('--out <file>', 'HTML file to write', 'report.html')
    .action(async (options: ReportCliOptions) => {
      process.exitCode = await runReport(options);
    });
}
