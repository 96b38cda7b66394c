import {
  type Env,
  KEY_STRATEGIES,
  NOT_FOUND_POLICIES,
  readSetting,
  SETTINGS,
  SORT_KEY_GUESSES,
} from '../config/settings.ts';
import { ConfigError } from '../errors.ts';

/**
 * Enrichment settings, read once from the environment at start-up. Defaults reproduce the predecessor's
 * layout: table `ses_my_poc`, partition key `ses_pk` = bare sender address, sort key `ses_sk` =
 * `<messageId>#<date>`, found by a Query on the `<messageId>#` prefix.
 */
export { KEY_STRATEGIES, NOT_FOUND_POLICIES, SORT_KEY_GUESSES };
export type KeyStrategy = (typeof KEY_STRATEGIES)[number];
/** query-prefix: `mail-date` first tries the exact key `<messageId>#<YYYY-MM-DD of mail.timestamp>`. */
export type SortKeyGuess = (typeof SORT_KEY_GUESSES)[number];
export type NotFoundPolicy = (typeof NOT_FOUND_POLICIES)[number];

export interface EnrichConfig {
  /** False answers every lookup with SKIPPED and never touches DynamoDB. */
  enabled: boolean;
  table: string;
  keyStrategy: KeyStrategy;
  /** For `gsi` this is the index's partition key (the attribute holding the message id). */
  partitionKey: string;
  /** query-prefix: the `<messageId>#<date>` attribute; get-by-message-id: optional second key part. */
  sortKey: string | undefined;
  /** get-by-message-id with a sort key: the fixed sort-key value of the metadata row. */
  sortKeyValue: string | undefined;
  /**
   * query-prefix only: guess the full sort key from mail.timestamp and fetch 100 rows per BatchGetItem;
   * only the misses pay for a Query each. A wrong guess costs one BatchGetItem per 100 emails.
   */
  sortKeyGuess: SortKeyGuess;
  gsiName: string | undefined;
  /** Top-level attribute names to fetch; empty means the whole item. */
  projection: string[];
  consistentRead: boolean;
  /** 0 switches the warm-container cache off. */
  cacheMaxEntries: number;
  cacheTtlSeconds: number;
  /** 0 (the default) never caches NOT_FOUND; see cached-store.ts for why. */
  cacheNotFoundTtlSeconds: number;
  queryConcurrency: number;
  /** Attempts per DynamoDB call, counting the first, for throttling, network errors and UnprocessedKeys. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  requestTimeoutMs: number;
  notFoundPolicy: NotFoundPolicy;
  notFoundMaxAgeSeconds: number;
  endpoint: string | undefined;
  /** AWS_REGION; the SDK's own chain when unset. */
  region: string | undefined;
}

/** Reads the enrichment settings; a bad value throws a ConfigError naming the variable and the fix. */
export function loadEnrichConfig(env: Env = process.env): EnrichConfig {
  const keyStrategy = readSetting(env, 'metadataKeyStrategy') as KeyStrategy;
  const config: EnrichConfig = {
    enabled: readSetting(env, 'metadataEnabled') as boolean,
    table: readSetting(env, 'metadataTable') as string,
    keyStrategy,
    partitionKey:
      readSetting(env, 'metadataPartitionKey') ?? (keyStrategy === 'query-prefix' ? 'ses_pk' : 'messageId'),
    sortKey: readSetting(env, 'metadataSortKey') ?? (keyStrategy === 'query-prefix' ? 'ses_sk' : undefined),
    sortKeyValue: readSetting(env, 'metadataSortKeyValue'),
    sortKeyGuess: readSetting(env, 'metadataSortKeyGuess') as SortKeyGuess,
    gsiName: readSetting(env, 'metadataGsiName'),
    projection: readSetting(env, 'metadataProjection') as string[],
    consistentRead: readSetting(env, 'metadataConsistentRead') as boolean,
    cacheMaxEntries: readSetting(env, 'metadataCacheMaxEntries') as number,
    cacheTtlSeconds: readSetting(env, 'metadataCacheTtlSeconds') as number,
    cacheNotFoundTtlSeconds: readSetting(env, 'metadataCacheNotFoundTtlSeconds') as number,
    queryConcurrency: readSetting(env, 'metadataQueryConcurrency') as number,
    maxAttempts: readSetting(env, 'metadataMaxAttempts') as number,
    backoffBaseMs: readSetting(env, 'metadataBackoffBaseMs') as number,
    backoffMaxMs: readSetting(env, 'metadataBackoffMaxMs') as number,
    requestTimeoutMs: readSetting(env, 'metadataRequestTimeoutMs') as number,
    notFoundPolicy: readSetting(env, 'metadataNotFoundPolicy') as NotFoundPolicy,
    notFoundMaxAgeSeconds: readSetting(env, 'metadataNotFoundMaxAgeSeconds') as number,
    endpoint: readSetting(env, 'dynamodbEndpoint'),
    region: readSetting(env, 'awsRegion'),
  };
  checkCombinations(config);
  return config;
}

/** Settings that are each valid alone but contradict each other. */
function checkCombinations(config: EnrichConfig): void {
  if (config.keyStrategy === 'gsi') {
    if (config.gsiName === undefined) {
      throw new ConfigError(
        SETTINGS.metadataGsiName.env,
        'required when SES_KAFKA_METADATA_KEY_STRATEGY=gsi; set it to the index name',
      );
    }
    if (config.consistentRead) {
      throw new ConfigError(
        SETTINGS.metadataConsistentRead.env,
        'DynamoDB cannot read a global secondary index consistently; set it to false or use another key strategy',
      );
    }
  } else if (config.gsiName !== undefined) {
    throw new ConfigError(
      SETTINGS.metadataGsiName.env,
      `only used with SES_KAFKA_METADATA_KEY_STRATEGY=gsi (strategy is ${config.keyStrategy}); unset it`,
    );
  }
  if (
    config.keyStrategy === 'get-by-message-id' &&
    config.sortKey !== undefined &&
    config.sortKeyValue === undefined
  ) {
    throw new ConfigError(
      SETTINGS.metadataSortKeyValue.env,
      `required with get-by-message-id when ${SETTINGS.metadataSortKey.env} is set: GetItem needs the full key, so give the fixed sort-key value of the metadata row`,
    );
  }
  if (config.sortKeyValue !== undefined && config.keyStrategy !== 'get-by-message-id') {
    throw new ConfigError(
      SETTINGS.metadataSortKeyValue.env,
      `only used with SES_KAFKA_METADATA_KEY_STRATEGY=get-by-message-id; unset it`,
    );
  }
  if (config.backoffMaxMs < config.backoffBaseMs) {
    throw new ConfigError(
      SETTINGS.metadataBackoffMaxMs.env,
      `must be at least ${SETTINGS.metadataBackoffBaseMs.env} (${config.backoffBaseMs}), got ${config.backoffMaxMs}`,
    );
  }
  const duplicate = config.projection.find((name, index) => config.projection.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new ConfigError(
      SETTINGS.metadataProjection.env,
      `lists "${duplicate}" twice; list each attribute once`,
    );
  }
}
