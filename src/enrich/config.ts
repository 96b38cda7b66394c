import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/**
 * Enrichment settings, read once from the environment at start-up. Defaults reproduce the predecessor's
 * layout: table `ses_my_poc`, partition key `ses_pk` = bare sender address, sort key `ses_sk` =
 * `<messageId>#<date>`, found by a Query on the `<messageId>#` prefix.
 */
export const KEY_STRATEGIES = ['query-prefix', 'get-by-message-id', 'gsi'] as const;
export type KeyStrategy = (typeof KEY_STRATEGIES)[number];

export const NOT_FOUND_POLICIES = ['publish', 'retry'] as const;

/** query-prefix: `mail-date` first tries the exact key `<messageId>#<YYYY-MM-DD of mail.timestamp>`. */
export const SORT_KEY_GUESSES = ['mail-date', 'off'] as const;
export type SortKeyGuess = (typeof SORT_KEY_GUESSES)[number];
export type NotFoundPolicy = (typeof NOT_FOUND_POLICIES)[number];

export const ENRICH_ENV = {
  enabled: 'SES_KAFKA_METADATA_ENABLED',
  table: 'SES_KAFKA_METADATA_TABLE',
  keyStrategy: 'SES_KAFKA_METADATA_KEY_STRATEGY',
  partitionKey: 'SES_KAFKA_METADATA_PARTITION_KEY',
  sortKey: 'SES_KAFKA_METADATA_SORT_KEY',
  sortKeyValue: 'SES_KAFKA_METADATA_SORT_KEY_VALUE',
  sortKeyGuess: 'SES_KAFKA_METADATA_SORT_KEY_GUESS',
  gsiName: 'SES_KAFKA_METADATA_GSI_NAME',
  projection: 'SES_KAFKA_METADATA_PROJECTION',
  consistentRead: 'SES_KAFKA_METADATA_CONSISTENT_READ',
  cacheMaxEntries: 'SES_KAFKA_METADATA_CACHE_MAX_ENTRIES',
  cacheTtlSeconds: 'SES_KAFKA_METADATA_CACHE_TTL_SECONDS',
  cacheNotFoundTtlSeconds: 'SES_KAFKA_METADATA_CACHE_NOT_FOUND_TTL_SECONDS',
  queryConcurrency: 'SES_KAFKA_METADATA_QUERY_CONCURRENCY',
  maxAttempts: 'SES_KAFKA_METADATA_MAX_ATTEMPTS',
  backoffBaseMs: 'SES_KAFKA_METADATA_BACKOFF_BASE_MS',
  backoffMaxMs: 'SES_KAFKA_METADATA_BACKOFF_MAX_MS',
  requestTimeoutMs: 'SES_KAFKA_METADATA_REQUEST_TIMEOUT_MS',
  notFoundPolicy: 'SES_KAFKA_METADATA_NOT_FOUND_POLICY',
  notFoundMaxAgeSeconds: 'SES_KAFKA_METADATA_NOT_FOUND_MAX_AGE_SECONDS',
  endpoint: 'DYNAMODB_ENDPOINT',
} as const;

/** Every env var the enrichment reads, so the deploy template can be checked against it. */
export const ENRICH_ENV_VARS: readonly string[] = Object.values(ENRICH_ENV);

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
}

function optionalText() {
  return z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value));
}

function boolean(fallback: boolean) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (value === 'true') return true;
      if (value === 'false') return false;
      ctx.addIssue({ code: 'custom', message: `expected "true" or "false", got "${value}"` });
      return z.NEVER;
    });
}

function integer(fallback: number, min: number, max: number) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a whole number between ${min} and ${max}, got "${value}"`,
        });
        return z.NEVER;
      }
      return parsed;
    });
}

function oneOf<const T extends readonly [string, ...string[]]>(allowed: T, fallback: T[number]) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx): T[number] => {
      if (value === undefined || value === '') return fallback;
      if ((allowed as readonly string[]).includes(value)) return value as T[number];
      ctx.addIssue({
        code: 'custom',
        message: `expected one of ${allowed.join(' | ')}, got "${value}"`,
      });
      return z.NEVER;
    });
}

function attributeList() {
  return z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    );
}

function endpointUrl() {
  return optionalText().superRefine((value, ctx) => {
    if (value === undefined) return;
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an http(s) URL such as http://127.0.0.1:8000, got "${value}"`,
      });
    }
  });
}

const envSchema = z.object({
  [ENRICH_ENV.enabled]: boolean(true),
  [ENRICH_ENV.table]: optionalText(),
  [ENRICH_ENV.keyStrategy]: oneOf(KEY_STRATEGIES, 'query-prefix'),
  [ENRICH_ENV.partitionKey]: optionalText(),
  [ENRICH_ENV.sortKey]: optionalText(),
  [ENRICH_ENV.sortKeyValue]: optionalText(),
  [ENRICH_ENV.sortKeyGuess]: oneOf(SORT_KEY_GUESSES, 'mail-date'),
  [ENRICH_ENV.gsiName]: optionalText(),
  [ENRICH_ENV.projection]: attributeList(),
  [ENRICH_ENV.consistentRead]: boolean(false),
  [ENRICH_ENV.cacheMaxEntries]: integer(10_000, 0, 10_000_000),
  [ENRICH_ENV.cacheTtlSeconds]: integer(300, 0, 86_400),
  [ENRICH_ENV.cacheNotFoundTtlSeconds]: integer(0, 0, 3_600),
  [ENRICH_ENV.queryConcurrency]: integer(16, 1, 256),
  [ENRICH_ENV.maxAttempts]: integer(5, 1, 20),
  [ENRICH_ENV.backoffBaseMs]: integer(50, 1, 60_000),
  [ENRICH_ENV.backoffMaxMs]: integer(2_000, 1, 300_000),
  [ENRICH_ENV.requestTimeoutMs]: integer(3_000, 100, 300_000),
  [ENRICH_ENV.notFoundPolicy]: oneOf(NOT_FOUND_POLICIES, 'publish'),
  [ENRICH_ENV.notFoundMaxAgeSeconds]: integer(900, 0, 7 * 86_400),
  [ENRICH_ENV.endpoint]: endpointUrl(),
});

/** Reads the enrichment settings; a bad value throws a ConfigError naming the variable and the fix. */
export function loadEnrichConfig(env: Record<string, string | undefined> = process.env): EnrichConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'SES_KAFKA_METADATA_*');
    throw new ConfigError(key, issue?.message ?? 'invalid value');
  }
  const e = parsed.data;
  const keyStrategy = e[ENRICH_ENV.keyStrategy];
  const config: EnrichConfig = {
    enabled: e[ENRICH_ENV.enabled],
    table: e[ENRICH_ENV.table] ?? 'ses_my_poc',
    keyStrategy,
    partitionKey: e[ENRICH_ENV.partitionKey] ?? (keyStrategy === 'query-prefix' ? 'ses_pk' : 'messageId'),
    sortKey: e[ENRICH_ENV.sortKey] ?? (keyStrategy === 'query-prefix' ? 'ses_sk' : undefined),
    sortKeyValue: e[ENRICH_ENV.sortKeyValue],
    sortKeyGuess: e[ENRICH_ENV.sortKeyGuess],
    gsiName: e[ENRICH_ENV.gsiName],
    projection: e[ENRICH_ENV.projection],
    consistentRead: e[ENRICH_ENV.consistentRead],
    cacheMaxEntries: e[ENRICH_ENV.cacheMaxEntries],
    cacheTtlSeconds: e[ENRICH_ENV.cacheTtlSeconds],
    cacheNotFoundTtlSeconds: e[ENRICH_ENV.cacheNotFoundTtlSeconds],
    queryConcurrency: e[ENRICH_ENV.queryConcurrency],
    maxAttempts: e[ENRICH_ENV.maxAttempts],
    backoffBaseMs: e[ENRICH_ENV.backoffBaseMs],
    backoffMaxMs: e[ENRICH_ENV.backoffMaxMs],
    requestTimeoutMs: e[ENRICH_ENV.requestTimeoutMs],
    notFoundPolicy: e[ENRICH_ENV.notFoundPolicy],
    notFoundMaxAgeSeconds: e[ENRICH_ENV.notFoundMaxAgeSeconds],
    endpoint: e[ENRICH_ENV.endpoint],
  };
  checkCombinations(config);
  return config;
}

/** Settings that are each valid alone but contradict each other. */
function checkCombinations(config: EnrichConfig): void {
  if (config.keyStrategy === 'gsi') {
    if (config.gsiName === undefined) {
      throw new ConfigError(
        ENRICH_ENV.gsiName,
        'required when SES_KAFKA_METADATA_KEY_STRATEGY=gsi; set it to the index name',
      );
    }
    if (config.consistentRead) {
      throw new ConfigError(
        ENRICH_ENV.consistentRead,
        'DynamoDB cannot read a global secondary index consistently; set it to false or use another key strategy',
      );
    }
  } else if (config.gsiName !== undefined) {
    throw new ConfigError(
      ENRICH_ENV.gsiName,
      `only used with SES_KAFKA_METADATA_KEY_STRATEGY=gsi (strategy is ${config.keyStrategy}); unset it`,
    );
  }
  if (
    config.keyStrategy === 'get-by-message-id' &&
    config.sortKey !== undefined &&
    config.sortKeyValue === undefined
  ) {
    throw new ConfigError(
      ENRICH_ENV.sortKeyValue,
      `required with get-by-message-id when ${ENRICH_ENV.sortKey} is set: GetItem needs the full key, so give the fixed sort-key value of the metadata row`,
    );
  }
  if (config.sortKeyValue !== undefined && config.keyStrategy !== 'get-by-message-id') {
    throw new ConfigError(
      ENRICH_ENV.sortKeyValue,
      `only used with SES_KAFKA_METADATA_KEY_STRATEGY=get-by-message-id; unset it`,
    );
  }
  if (config.backoffMaxMs < config.backoffBaseMs) {
    throw new ConfigError(
      ENRICH_ENV.backoffMaxMs,
      `must be at least ${ENRICH_ENV.backoffBaseMs} (${config.backoffBaseMs}), got ${config.backoffMaxMs}`,
    );
  }
  const duplicate = config.projection.find((name, index) => config.projection.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new ConfigError(ENRICH_ENV.projection, `lists "${duplicate}" twice; list each attribute once`);
  }
}
