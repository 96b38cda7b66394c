/**
 * `npm run bench` / `ses-kafka bench`: runs the benchmarks, prints a table per benchmark and writes each
 * one's JSON to bench/results/. `--quick` runs everything briefly to prove the bench still works and
 * checks no budget; a full run exits 1 when a budget is not met.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { coldStart } from './cold-start.ts';
import { consume } from './consume.ts';
import { encoding } from './encoding.ts';
import { endToEnd } from './end-to-end.ts';
import { addBenchOptions, type BenchCliOptions } from './lib/options.ts';
import { type Benchmark, type BenchReport, printReport, RESULTS_DIR, writeReport } from './lib/report.ts';
import { useLocalAwsCredentials } from './lib/stack.ts';
import { memory } from './memory.ts';
import { pipelineCpu } from './pipeline-cpu.ts';
import { replayBench } from './replay.ts';

export const BENCHMARKS: readonly Benchmark[] = [
  pipelineCpu,
  endToEnd,
  coldStart,
  encoding,
  memory,
  replayBench,
  consume,
];

export interface BenchOptions {
  quick?: boolean;
  /** Benchmark names to run; all when empty. */
  only?: readonly string[];
  runs?: number;
  resultsDir?: string;
  log?: (line: string) => void;
}

export interface BenchOutcome {
  reports: Array<{ report: BenchReport; file: string }>;
  errors: Array<{ name: string; error: Error }>;
  budgetsMissed: number;
}

export function selectBenchmarks(only: readonly string[] = []): Benchmark[] {
  if (only.length === 0) return [...BENCHMARKS];
  const known = new Map(BENCHMARKS.map((bench) => [bench.name, bench]));
  return only.map((name) => {
    const bench = known.get(name);
    if (bench === undefined) {
      throw new Error(`--only: unknown benchmark "${name}"; choose from ${[...known.keys()].join(', ')}`);
    }
    return bench;
  });
}

export async function runBench(options: BenchOptions = {}): Promise<BenchOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  const quick = options.quick ?? false;
  const resultsDir = options.resultsDir ?? RESULTS_DIR;
  const outcome: BenchOutcome = { reports: [], errors: [], budgetsMissed: 0 };
  useLocalAwsCredentials();
  for (const bench of selectBenchmarks(options.only)) {
    const startedAt = new Date();
    log(`\n>> ${bench.title}${quick ? ' (--quick)' : ''}`);
    try {
      const report = await bench.run({
        quick,
        ...(options.runs === undefined ? {} : { runs: options.runs }),
        resultsDir,
        log,
      });
      printReport(report, quick, log);
      const file = writeReport(report, { resultsDir, quick, startedAt });
      log(`wrote   ${path.relative(process.cwd(), file)}`);
      outcome.reports.push({ report, file });
      if (!quick) outcome.budgetsMissed += report.budgets.filter((budget) => !budget.met).length;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      log(`FAILED  ${bench.name}: ${failure.message}`);
      outcome.errors.push({ name: bench.name, error: failure });
    }
  }
  log('');
  log(summaryLine(outcome, quick));
  return outcome;
}

/** 1 when a benchmark failed to run, or (unless --quick) a budget was missed. */
export function exitCodeOf(outcome: BenchOutcome): number {
  return outcome.errors.length > 0 || outcome.budgetsMissed > 0 ? 1 : 0;
}

function summaryLine(outcome: BenchOutcome, quick: boolean): string {
  const budgets = outcome.reports.flatMap(({ report }) => report.budgets);
  const met = budgets.filter((budget) => budget.met).length;
  const parts = [`${outcome.reports.length} benchmark(s) ran`];
  if (outcome.errors.length > 0) parts.push(`${outcome.errors.length} failed to run`);
  parts.push(
    quick
      ? `budgets not checked (--quick; ${met}/${budgets.length} would be met)`
      : `budgets met: ${met}/${budgets.length}`,
  );
  return parts.join('; ');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = addBenchOptions(
    new Command().name('bench').description('benchmarks with performance budgets').showHelpAfterError(),
  );
  command.parse();
  const options = command.opts<BenchCliOptions>();
  const outcome = await runBench({
    quick: options.quick,
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.runs === undefined ? {} : { runs: options.runs }),
    resultsDir: path.resolve(options.resultsDir),
  });
  process.exitCode = exitCodeOf(outcome);
  // Kafka and AWS SDK sockets can hold the event loop open after everything was closed.
  process.exit();
}
