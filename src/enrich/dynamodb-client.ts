import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EnrichConfig } from './config.ts';

/**
 * The DynamoDB client the enrichment uses. The SDK's own retries are off (maxAttempts 1) because the
 * store retries throttling and network faults itself with jittered backoff: one retry budget, set by
 * SES_KAFKA_METADATA_MAX_ATTEMPTS, instead of the SDK's attempts multiplied by ours. Timeouts are set so
 * an unreachable endpoint fails well inside the Lambda's deadline instead of hanging.
 */
export function createDynamoDbClient(
  config: Pick<EnrichConfig, 'endpoint' | 'requestTimeoutMs' | 'region'>,
): DynamoDBClient {
  // Region and credentials come from the SDK's default chain (`--local` sets the stack's at the CLI edge).
  return new DynamoDBClient({
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(config.requestTimeoutMs, 1_000),
      requestTimeout: config.requestTimeoutMs,
      // Without this the handler only logs a warning and the request keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
}
