import type { Context, SNSEvent, SNSEventRecord } from 'aws-lambda';
import type { PipelineInput } from '../pipeline.ts';
import type { Runtime } from '../runtime.ts';
import { parseSnsRecord } from '../ses/index.ts';
import { assertTrigger, type InvocationSummary, RedeliveryRequired, runInvocation } from './invoke.ts';

/**
 * The SNS trigger. Anything that may succeed later makes the whole invocation fail, so Lambda's async
 * retries and then the on-failure destination keep the event; events already produced are sent again
 * on retry, which consumers absorb by upserting on eventId.
 */
export async function handleSnsEvent(
  event: SNSEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  runtime: Runtime,
  flushMetrics?: () => void,
): Promise<InvocationSummary> {
  assertTrigger('sns', event);
  const records = event.Records;
  const toInput = (record: SNSEventRecord, index: number): PipelineInput => ({
    id: record?.Sns?.MessageId ?? `Records[${index}]`,
    parsed: parseSnsRecord(record),
  });
  const { summary, redeliver } = await runInvocation(runtime, records, toInput, context, flushMetrics);
  if (redeliver.length > 0) throw new RedeliveryRequired(redeliver, records.length);
  return summary;
}
