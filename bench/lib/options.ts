/**
 * The options of `npm run bench` (bench/run.ts). The bench is a development tool, not a product
 * command, so it lives here beside the benchmarks and the CLI never imports it.
 * Exit codes: 0 done (and, unless --quick, every budget met), 1 a benchmark failed or a budget was missed.
 */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { REPO_ROOT } from '../../src/stack/paths.ts';

export const BENCHMARK_NAMES = [
  'pipeline-cpu',
  'end-to-end',
  'cold-start',
  'encoding',
  'memory',
  'replay',
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
