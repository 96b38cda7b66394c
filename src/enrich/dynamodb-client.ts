import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../stack/endpoints.ts';
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
  const local = config.endpoint !== undefined && isLoopback(config.endpoint);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? LOCAL_AWS_REGION : undefined);
  // A loopback endpoint is the local stack (dynalite), which accepts any signature; real endpoints
  // always use the SDK's credential chain.
  const credentials = local && env.AWS_ACCESS_KEY_ID === undefined ? LOCAL_AWS_CREDENTIALS : undefined;
  return new DynamoDBClient({
    ...(region === undefined ? {} : { region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(config.requestTimeoutMs, 1_000),
      requestTimeout: config.requestTimeoutMs,
      // Without this the handler only logs a warning and the request keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
