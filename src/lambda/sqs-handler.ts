import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { PipelineInput } from '../pipeline.ts';
import type { Runtime } from '../runtime.ts';
import { parseSqsRecord } from '../ses/index.ts';
import { assertTrigger, runInvocation } from './invoke.ts';

/**
 * SNS → SQS → Lambda and EventBridge → SQS → Lambda (ReportBatchItemFailures); each body says which door
 * it came through. Each message that must be redelivered is reported by its messageId, so one bad or
 * slow event never holds back the rest of the batch.
 */
export async function handleSqsEvent(
  event: SQSEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  runtime: Runtime,
  flushMetrics?: () => void,
): Promise<SQSBatchResponse> {
  assertTrigger('sqs', event);
  const records = event.Records;
  const toInput = (record: SQSRecord, index: number): PipelineInput => ({
    id: record?.messageId ?? `Records[${index}]`,
    parsed: parseSqsRecord(record),
  });
  const { redeliver } = await runInvocation(runtime, records, toInput, context, flushMetrics);
  return { batchItemFailures: redeliver.map((result) => ({ itemIdentifier: result.id })) };
}
