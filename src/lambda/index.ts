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
import { resolveSecretReferences } from '../secrets/secret-references.ts';
import { handleEventBridgeEvent } from './eventbridge-handler.ts';
import type { InvocationSummary } from './invoke.ts';
import { handleSnsEvent } from './sns-handler.ts';
import { handleSqsEvent } from './sqs-handler.ts';

const metrics = new EmfPipelineMetrics();
installShutdownHook();

/**
 * The environment with secret references (Secrets Manager / SSM ARNs) resolved, once per container.
 * A failure is not kept, so the next invocation tries again (and fails the same way until fixed).
 */
let environment: Promise<Record<string, string | undefined>> | undefined;
function resolvedEnvironment() {
  environment ??= resolveSecretReferences(process.env).catch((error: unknown) => {
    environment = undefined;
    throw error;
  });
  return environment;
}

export async function snsHandler(event: SNSEvent, context: Context): Promise<InvocationSummary> {
  const runtime = sharedRuntime({ metrics }, await resolvedEnvironment());
  return handleSnsEvent(event, context, runtime, () => metrics.flush());
}

export async function sqsHandler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const runtime = sharedRuntime({ metrics }, await resolvedEnvironment());
  return handleSqsEvent(event, context, runtime, () => metrics.flush());
}

export async function eventBridgeHandler(
  event: EventBridgeEvent<string, unknown>,
  context: Context,
): Promise<InvocationSummary> {
  const runtime = sharedRuntime({ metrics }, await resolvedEnvironment());
  return handleEventBridgeEvent(event, context, runtime, () => metrics.flush());
}
