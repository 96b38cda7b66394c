import type { Context } from 'aws-lambda';
import { PipelineError } from '../errors.ts';
import { logger, redactEmail } from '../observability/logger.ts';
import { needsRedelivery, type PipelineInput, type PipelineResult } from '../pipeline.ts';
import type { Runtime } from '../runtime.ts';

export interface InvocationSummary {
  received: number;
  produced: number;
  filtered: number;
  deadLettered: number;
  /** Inputs handed back to the source for redelivery (retriable or failed). */
  redeliver: number;
}

/** Kafka must be done this long before Lambda's own timeout so the handler can still report failures. */
export function deadlineFor(
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  marginMs: number,
): number {
  const remaining = context?.getRemainingTimeInMillis?.() ?? 30_000;
  return Date.now() + Math.max(100, remaining - marginMs);
}

export function summarize(results: readonly PipelineResult[]): InvocationSummary {
  const summary: InvocationSummary = {
    received: results.length,
    produced: 0,
    filtered: 0,
    deadLettered: 0,
    redeliver: 0,
  };
  for (const { disposition } of results) {
    if (disposition.kind === 'produced') summary.produced++;
    else if (disposition.kind === 'filtered') summary.filtered++;
    else if (disposition.kind === 'dead-lettered') summary.deadLettered++;
    else summary.redeliver++;
  }
  return summary;
}

function logFailures(results: readonly PipelineResult[]): void {
  for (const { id, disposition } of results) {
    if (disposition.kind === 'produced' || disposition.kind === 'filtered') continue;
    const error = disposition.error;
    logger.warn(
      disposition.kind === 'dead-lettered' ? 'input dead-lettered' : 'input handed back for redelivery',
      {
        inputId: id,
        outcome: disposition.kind,
        stage: error.stage,
        code: error.code,
        retriable: error.retriable,
        error: redactEmail(error.message),
      },
    );
  }
}

/**
 * Inputs per pipeline pass. A Lambda batch may hold thousands of records; taking them a slice at a time
 * keeps every stage's copies of only this many events alive at once, which bounds memory.
 */
export const PIPELINE_CHUNK = 500;

/** Runs one invocation's records through the shared pipeline in slices, logs the outcome, flushes metrics. */
export async function runInvocation<R>(
  runtime: Runtime,
  records: readonly R[],
  toInput: (record: R, index: number) => PipelineInput,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  flushMetrics: () => void = () => undefined,
): Promise<{ results: PipelineResult[]; summary: InvocationSummary; redeliver: PipelineResult[] }> {
  const deadline = deadlineFor(context, runtime.settings.deadlineMarginMs);
  const results: PipelineResult[] = [];
  for (let start = 0; start < records.length; start += PIPELINE_CHUNK) {
    const inputs = records
      .slice(start, start + PIPELINE_CHUNK)
      .map((record, offset) => toInput(record, start + offset));
    results.push(...(await runtime.pipeline.process(inputs, deadline)));
  }
  const summary = summarize(results);
  logFailures(results);
  logger.info('invocation done', { ...summary });
  flushMetrics();
  return { results, summary, redeliver: results.filter(needsRedelivery) };
}

/** Thrown by the SNS handler so Lambda's async retries and on-failure destination take over. */
export class RedeliveryRequired extends PipelineError {
  override readonly name = 'RedeliveryRequired';

  constructor(redeliver: readonly PipelineResult[], received: number) {
    const first = redeliver[0]?.disposition;
    const why =
      first && 'error' in first ? `${first.error.code}: ${redactEmail(first.error.message)}` : 'unknown';
    super(
      'produce',
      'REDELIVERY_REQUIRED',
      `${redeliver.length} of ${received} inputs need redelivery (first: ${why})`,
      {
        retriable: true,
      },
    );
  }
}
