/**
 * `ses-kafka bench` (also `npm run bench`): the benchmarks in bench/ with their performance budgets.
 * The bench code is imported only when this command runs, so other subcommands start no slower.
 * Exit codes: 0 done (and, unless --quick, every budget met), 1 a benchmark failed or a budget was missed.
 */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { REPO_ROOT } from '../stack/paths.ts';

export const BENCHMARK_NAMES = [
  'pipeline-cpu',
  'end-to-end',
  'cold-start',
  'encoding',
  'memory',
  'consume',
] as const;
export const DEFAULT_RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

export interface BenchCliOptions {
  quick: boolean;
  only?: string[];
  runs?: number;
  resultsDir: string;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  }
  return parsed;
}

function benchmarkNames(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(BENCHMARK_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(
      `unknown benchmark ${unknown.map((name) => `"${name}"`).join(', ') || '(none given)'}; choose from ${BENCHMARK_NAMES.join(', ')}`,
    );
  }
  return names;
}

/** The options `ses-kafka bench` and `npm run bench` share. */
export function addBenchOptions(command: Command): Command {
  return command
    .option('--quick', 'run every benchmark briefly (CI smoke test); checks no budgets', false)
    .option('--only <names>', `comma-separated subset of: ${BENCHMARK_NAMES.join(', ')}`, benchmarkNames)
    .option('--runs <n>', "measured runs per benchmark (default: each benchmark's own)", positiveInteger)
    .option('--results-dir <dir>', 'where the JSON results go', DEFAULT_RESULTS_DIR);
}

/** Runs the bench and returns the exit code. */
export async function runBenchCli(options: BenchCliOptions): Promise<number> {
  const { exitCodeOf, runBench } = await import('../../bench/run.ts');
  const outcome = await runBench({
    quick: options.quick,
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.runs === undefined ? {} : { runs: options.runs }),
    resultsDir: path.resolve(options.resultsDir),
  });
  return exitCodeOf(outcome);
}

export function registerBenchCommand(program: Command): void {
  addBenchOptions(
    program
      .command('bench')
      .description(
        'benchmarks against the local stack, with performance budgets (results in bench/results/)',
      ),
  ).action(async (options: BenchCliOptions) => {
    process.exitCode = await runBenchCli(options);
    // Kafka and AWS SDK sockets can hold the event loop open after everything was closed.
    process.exit();
  });
}
