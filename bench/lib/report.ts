/**
 * What every benchmark hands back, how it is printed, and the JSON written to bench/results/. The JSON
 * carries the machine's load next to the numbers, because a figure from a busy machine means less.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable } from '../../src/terminal/table.ts';

export interface Budget {
  /** What is limited, e.g. "pipeline / JSON.parse floor". */
  name: string;
  /** The limit as people read it, e.g. "≤ 3×". */
  limit: string;
  /** The measured value, in the unit of `limit`. */
  value: number;
  unit: string;
  met: boolean;
}

export interface BenchReport {
  name: string;
  title: string;
  /** How the numbers were produced, in one or two sentences (bench/README.md has the full method). */
  method: string;
  /** Header row first. */
  table: string[][];
  /** The medians and ratios, by name, for the JSON file and for README tables. */
  metrics: Record<string, number>;
  budgets: Budget[];
  notes: string[];
  /** Sizes, run counts and anything else needed to reproduce the run. */
  config: Record<string, unknown>;
  /** Every run's raw figures, so a later reader can redo the statistics. */
  runs: unknown[];
}

export interface BenchContext {
  quick: boolean;
  /** Overrides each benchmark's default number of measured runs. */
  runs?: number;
  resultsDir: string;
  log: (line: string) => void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(context: BenchContext): Promise<BenchReport>;
}

export const RESULTS_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'results');

export function machineInfo(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
  };
}

export function printReport(report: BenchReport, quick: boolean, log: (line: string) => void): void {
  log('');
  log(`== ${report.title} ==`);
  log(report.method);
  log(formatTable(report.table));
  for (const budget of report.budgets) {
    const verdict = quick ? 'not checked (--quick)' : budget.met ? 'MET' : 'NOT MET';
    log(
      `budget  ${budget.name}: ${budget.limit} — measured ${budget.value.toFixed(2)} ${budget.unit}: ${verdict}`,
    );
  }
  for (const note of report.notes) log(`note    ${note}`);
}

/** Writes `<name>-<timestamp>.json` and returns its path. */
export function writeReport(
  report: BenchReport,
  options: { resultsDir: string; quick: boolean; startedAt: Date },
): string {
  mkdirSync(options.resultsDir, { recursive: true });
  const stamp = options.startedAt.toISOString().replace(/[:.]/g, '-');
  const file = path.join(options.resultsDir, `${report.name}-${stamp}.json`);
  const body = {
    benchmark: report.name,
    title: report.title,
    startedAt: options.startedAt.toISOString(),
    quick: options.quick,
    budgetsChecked: !options.quick,
    machine: machineInfo(),
    method: report.method,
    config: report.config,
    metrics: report.metrics,
    budgets: report.budgets,
    notes: report.notes,
    runs: report.runs,
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
