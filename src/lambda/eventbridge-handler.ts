import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { PipelineInput } from '../pipeline.ts';
import type { Runtime } from '../runtime.ts';
import { parseEventBridgeEvent } from '../ses/index.ts';
import { assertTrigger, type InvocationSummary, RedeliveryRequired, runInvocation } from './invoke.ts';

/**
 * An EventBridge rule whose target is the function: one SES event per invocation, invoked
 * asynchronously. As with the SNS trigger, anything that may succeed later fails the invocation, so
 * Lambda's async retries and then the on-failure destination keep the event (the rule's own retry
 * policy and dead-letter queue cover the case where EventBridge cannot invoke the function at all).
 * A redelivered event is produced again; consumers absorb that by upserting on eventId.
 */
export async function handleEventBridgeEvent(
  event: EventBridgeEvent<string, unknown>,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  runtime: Runtime,
  flushMetrics?: () => void,
): Promise<InvocationSummary> {
  assertTrigger('eventbridge', event);
  const toInput = (record: unknown): PipelineInput => {
    const id = (record as { id?: unknown } | null)?.id;
    return { id: typeof id === 'string' ? id : 'event', parsed: parseEventBridgeEvent(record) };
  };
  const { summary, redeliver } = await runInvocation(runtime, [event], toInput, context, flushMetrics);
  if (redeliver.length > 0) throw new RedeliveryRequired(redeliver, 1);
  return summary;
}
