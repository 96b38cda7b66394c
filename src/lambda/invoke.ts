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

export type Trigger = 'sns' | 'sqs' | 'eventbridge';

const HANDLER_BY_TRIGGER: Readonly<Record<Trigger, string>> = {
  sns: 'lambda.snsHandler',
  sqs: 'lambda.sqsHandler',
  eventbridge: 'lambda.eventBridgeHandler',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Which trigger an invocation event comes from, by its shape: undefined when it is none of them. A
 * Records array is judged by its first record; a malformed record further on is that record's problem.
 */
export function triggerOf(event: unknown): Trigger | undefined {
  if (!isObject(event)) return undefined;
  if ('detail-type' in event && !('Records' in event)) return 'eventbridge';
  if (!Array.isArray(event.Records)) return undefined;
  const first = event.Records[0];
  if (!isObject(first)) return undefined;
  if ('Sns' in first && !('body' in first)) return 'sns';
  if ('body' in first && !('Sns' in first)) return 'sqs';
  return undefined;
}

/**
 * The event comes from another trigger than this handler's: the function's handler setting does not
 * match its trigger. Thrown, not dead-lettered, so the source keeps the event (async retries and the
 * on-failure destination, or the queue's redrive) until the handler is fixed; the message names the
 * right one.
 */
export class WrongHandler extends PipelineError {
  override readonly name = 'WrongHandler';

  constructor(handler: Trigger, actual: Trigger | undefined) {
    super(
      'config',
      'LAMBDA_WRONG_HANDLER',
      actual === undefined
        ? `${HANDLER_BY_TRIGGER[handler]} was invoked with an event of no known trigger (expected ${handler === 'eventbridge' ? 'an EventBridge event' : `a Lambda ${handler.toUpperCase()} event with Records`})`
        : `${HANDLER_BY_TRIGGER[handler]} was invoked by ${actual === 'eventbridge' ? 'EventBridge' : actual.toUpperCase()}; set the function's handler to ${HANDLER_BY_TRIGGER[actual]}`,
    );
  }
}

/** Throws WrongHandler unless the event can be this handler's (an empty Records array can). */
export function assertTrigger(handler: Trigger, event: unknown): void {
  const actual = triggerOf(event);
  if (actual === handler) return;
  const emptyBatch =
    handler !== 'eventbridge' &&
    isObject(event) &&
    Array.isArray(event.Records) &&
    event.Records.length === 0;
  // A first record of no known shape is that record's problem (it is dead-lettered), not the handler's.
  const oddRecords =
    handler !== 'eventbridge' && actual === undefined && isObject(event) && Array.isArray(event.Records);
  if (emptyBatch || oddRecords) return;
  throw new WrongHandler(handler, actual);
}
