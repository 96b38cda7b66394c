import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Sleep } from '../retry.ts';
import { CachedMetadataStore } from './cached-store.ts';
import { type EnrichConfig, loadEnrichConfig } from './config.ts';
import { createDynamoDbClient } from './dynamodb-client.ts';
import { DynamoDbMetadataStore } from './dynamodb-store.ts';
import { NotFoundPolicyStore } from './not-found-policy.ts';
import type { MetadataRequest, MetadataResult, MetadataStore } from './store.ts';

export { type EnrichConfig, loadEnrichConfig } from './config.ts';
export type { EmailMetadata, MetadataStatus } from './metadata.ts';
export type { MetadataRequest, MetadataResult, MetadataStore } from './store.ts';

export interface MetadataStoreDeps {
  /** Defaults to a client built from the config (endpoint override, timeouts, SDK retries off). */
  client?: Pick<DynamoDBClient, 'send'>;
  /** Milliseconds clock for the cache TTL and the not-found age; defaults to Date.now. */
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
}

/**
 * The enrichment as the pipeline uses it: not-found policy, over the warm-container cache, over the
 * DynamoDB key strategy. Build it once per container and reuse it across invocations.
 */
export function createMetadataStore(config: EnrichConfig, deps: MetadataStoreDeps = {}): MetadataStore {
  if (!config.enabled) return new SkippingMetadataStore();
  const dynamo = new DynamoDbMetadataStore(config, {
    client: deps.client ?? createDynamoDbClient(config),
    ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    ...(deps.random === undefined ? {} : { random: deps.random }),
  });
  const cached = new CachedMetadataStore(dynamo, {
    maxEntries: config.cacheMaxEntries,
    ttlMs: config.cacheTtlSeconds * 1000,
    notFoundTtlMs: config.cacheNotFoundTtlSeconds * 1000,
    keyOf: (request) => dynamo.lookupKey(request),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  return new NotFoundPolicyStore(cached, {
    policy: config.notFoundPolicy,
    maxAgeMs: config.notFoundMaxAgeSeconds * 1000,
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
}

/** Reads the config from env (ConfigError on a bad value) and builds the store. */
export function createMetadataStoreFromEnv(
  env: Record<string, string | undefined> = process.env,
  deps: MetadataStoreDeps = {},
): MetadataStore {
  const config = loadEnrichConfig(env);
  return createMetadataStore(config, { client: deps.client ?? createDynamoDbClient(config), ...deps });
}

/** SES_KAFKA_METADATA_ENABLED=false: every event is published with status SKIPPED. */
class SkippingMetadataStore implements MetadataStore {
  async lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    return new Map(
      requests.map((request) => [
        request.requestId,
        { status: 'SKIPPED', attributes: {}, reason: 'enrichment is off (SES_KAFKA_METADATA_ENABLED=false)' },
      ]),
    );
  }
}
