import { PipelineError, type PipelineStage } from '../errors.ts';
import { redactEmail } from '../observability/logger.ts';
import { PRODUCE_ERROR_CODES } from './errors.ts';
import type { OutgoingRecord } from './producer.ts';

/** Header names on dead letters, modelled on Kafka Connect's `__connect.errors.*`. */
export const DLQ_HEADERS = {
  stage: 'ses-kafka.errors.stage',
  code: 'ses-kafka.errors.code',
  errorClass: 'ses-kafka.errors.class',
  causeClass: 'ses-kafka.errors.cause.class',
  message: 'ses-kafka.errors.message',
  originalTopic: 'ses-kafka.errors.topic',
  timestamp: 'ses-kafka.errors.timestamp',
} as const;

/** Long enough for any of our messages plus a cause; short enough that a header never bloats a record. */
export const DLQ_MESSAGE_MAX_CHARS = 1000;

export interface DeadLetterInput {
  /**
   * The input as the entry point received it: the whole Lambda SNS or SQS record (as JSON) or the SNS
   * notification body, envelope included, so `ses-kafka replay` can feed it back unchanged.
   */
  originalPayload: string | Buffer;
  error: unknown;
  /** Where the event would have gone. */
  originalTopic: string;
  dlqTopic: string;
  /** `mail.messageId` when parsing got that far, so replays keep the email's partition; else null. */
  key?: string | null;
  now?: Date;
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max).join('')}… [${chars.length - max} more characters]`;
}

function describe(error: unknown): { stage: string; code: string; errorClass: string; message: string } {
  if (error instanceof PipelineError) {
    return { stage: error.stage, code: error.code, errorClass: error.name, message: error.message };
  }
  if (error instanceof Error) {
    return { stage: 'unknown', code: 'UNEXPECTED_ERROR', errorClass: error.name, message: error.message };
  }
  return { stage: 'unknown', code: 'UNEXPECTED_ERROR', errorClass: typeof error, message: String(error) };
}

/**
 * A dead letter for an input that can never succeed: the original payload, untouched, with headers that
 * say where and why it failed. Email addresses are cut from the message unless SES_KAFKA_LOG_PII=true;
 * the payload itself is the original event and keeps them, so the DLQ topic needs the same access
 * control as the main topic.
 */
export function buildDeadLetter(input: DeadLetterInput): OutgoingRecord {
  const { stage, code, errorClass, message } = describe(input.error);
  const cause = (input.error as { cause?: unknown } | null)?.cause;
  const headers: Record<string, string> = {
    [DLQ_HEADERS.stage]: stage,
    [DLQ_HEADERS.code]: code,
    [DLQ_HEADERS.errorClass]: errorClass,
    [DLQ_HEADERS.message]: truncate(redactEmail(message), DLQ_MESSAGE_MAX_CHARS),
    [DLQ_HEADERS.originalTopic]: input.originalTopic,
    [DLQ_HEADERS.timestamp]: (input.now ?? new Date()).toISOString(),
  };
  if (cause instanceof Error) headers[DLQ_HEADERS.causeClass] = cause.name;
  return {
    topic: input.dlqTopic,
    key: input.key ?? null,
    value: input.originalPayload,
    headers,
    timestamp: (input.now ?? new Date()).getTime(),
  };
}

export type DeadLetterAction = 'retry' | 'dead-letter' | 'fail';

// Failures that stem from the input itself. The others (config, registry, credentials, and enrichment,
// whose permanent failures are a missing table or denied access) hit every input alike, and
// dead-lettering them would quietly move the whole stream into the DLQ.
const INPUT_STAGES: ReadonlySet<PipelineStage> = new Set(['parse', 'to-record', 'transform', 'serialize']);

/**
 * What to do with a failed input:
 * - `retry`: retriable; redeliver (throw, or report an SQS batch item failure). Never dead-lettered.
 * - `dead-letter`: this input can never succeed; send it to the DLQ with `buildDeadLetter`.
 * - `fail`: not retriable, but not the input's fault either (bad config, auth, registry, unknown error);
 *   fail loudly so an operator fixes the cause and the source's own redelivery brings the input back.
 */
export function deadLetterAction(error: unknown): { action: DeadLetterAction; reason: string } {
  if (!(error instanceof PipelineError)) {
    return { action: 'fail', reason: 'not a pipeline error, so nothing says the input is at fault' };
  }
  if (error.retriable) return { action: 'retry', reason: `${error.code} is retriable` };
  if (error.stage === 'produce') {
    return error.code === PRODUCE_ERROR_CODES.recordRejected
      ? { action: 'dead-letter', reason: 'the broker rejected this record' }
      : { action: 'fail', reason: `${error.code} affects every record, not just this one` };
  }
  if (INPUT_STAGES.has(error.stage)) {
    return { action: 'dead-letter', reason: `${error.code} at stage ${error.stage} can never succeed` };
  }
  return { action: 'fail', reason: `stage ${error.stage} failures are not caused by the input` };
}

export function shouldDeadLetter(error: unknown): boolean {
  return deadLetterAction(error).action === 'dead-letter';
}
