/**
 * The Lambda entry point (bundled to lambda.mjs). Handler strings: `lambda.snsHandler` for the SNS
 * trigger, `lambda.sqsHandler` for SNS → SQS → Lambda and for EventBridge → SQS → Lambda (it tells the
 * bodies apart), `lambda.eventBridgeHandler` for an EventBridge rule whose target is the function.
 * Everything is built on the first invocation and reused while the container stays warm.
 */
import type { Context, EventBridgeEvent, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { installShutdownHook } from '../kafka/lifecycle.ts';
import { EmfPipelineMetrics } from '../observability/metrics.ts';
import { sharedRuntime } from '../runtime.ts';
import { handleEventBridgeEvent } from './eventbridge-handler.ts';
import type { InvocationSummary } from './invoke.ts';
import { handleSnsEvent } from './sns-handler.ts';
import { handleSqsEvent } from './sqs-handler.ts';

const metrics = new EmfPipelineMetrics();
installShutdownHook();

export async function snsHandler(event: SNSEvent, context: Context): Promise<InvocationSummary> {
  return handleSnsEvent(event, context, sharedRuntime({ metrics }), () => metrics.flush());
}

export async function sqsHandler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return handleSqsEvent(event, context, sharedRuntime({ metrics }), () => metrics.flush());
}

export async function eventBridgeHandler(
  event: EventBridgeEvent<string, unknown>,
  context: Context,
): Promise<InvocationSummary> {
  return handleEventBridgeEvent(event, context, sharedRuntime({ metrics }), () => metrics.flush());
}
