import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EnrichConfig } from './config.ts';

/**
 * The DynamoDB client the enrichment uses. The SDK's own retries are off (maxAttempts 1) because the
 * store retries throttling and network faults itself with jittered backoff: one retry budget, set by
 * SES_KAFKA_METADATA_MAX_ATTEMPTS, instead of the SDK's attempts multiplied by ours. Timeouts are set so
 * an unreachable endpoint fails well inside the Lambda's deadline instead of hanging.
 */
export function createDynamoDbClient(
  config: Pick<EnrichConfig, 'endpoint' | 'requestTimeoutMs'>,
  env: Record<string, string | undefined> = process.env,
): DynamoDBClient {
  const region =
    env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (config.endpoint === undefined ? undefined : 'us-east-1');
  return new DynamoDBClient({
    ...(region === undefined ? {} : { region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(config.requestTimeoutMs, 1_000),
      requestTimeout: config.requestTimeoutMs,
    },
  });
}
