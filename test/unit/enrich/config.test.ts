import assert from 'node:assert/strict';
import { SETTINGS } from '../../../src/config/settings.ts';
import { loadEnrichConfig } from '../../../src/enrich/config.ts';
import { ConfigError } from '../../../src/errors.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadEnrichConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('enrich config', () => {
  it('defaults to the predecessor layout with the publish policy', () => {
    const config = loadEnrichConfig({});
    assert.equal(config.enabled, true);
    assert.equal(config.table, 'ses_my_poc');
    assert.equal(config.keyStrategy, 'query-prefix');
    assert.equal(config.partitionKey, 'ses_pk');
    assert.equal(config.sortKey, 'ses_sk');
    assert.deepEqual(config.projection, []);
    assert.equal(config.consistentRead, false);
    assert.equal(config.notFoundPolicy, 'publish');
    assert.equal(config.cacheNotFoundTtlSeconds, 0);
    assert.equal(config.endpoint, undefined);
  });

  it('reads every setting from env', () => {
    const config = loadEnrichConfig({
      SES_KAFKA_METADATA_TABLE: 'meta',
      SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id',
      SES_KAFKA_METADATA_PARTITION_KEY: 'mid',
      SES_KAFKA_METADATA_SORT_KEY: 'kind',
      SES_KAFKA_METADATA_SORT_KEY_VALUE: 'metadata',
      SES_KAFKA_METADATA_PROJECTION: ' campaign, tenant ,status',
      SES_KAFKA_METADATA_CONSISTENT_READ: 'TRUE',
      SES_KAFKA_METADATA_CACHE_MAX_ENTRIES: '0',
      SES_KAFKA_METADATA_CACHE_TTL_SECONDS: '60',
      SES_KAFKA_METADATA_CACHE_NOT_FOUND_TTL_SECONDS: '5',
      SES_KAFKA_METADATA_QUERY_CONCURRENCY: '4',
      SES_KAFKA_METADATA_MAX_ATTEMPTS: '3',
      SES_KAFKA_METADATA_BACKOFF_BASE_MS: '10',
      SES_KAFKA_METADATA_BACKOFF_MAX_MS: '100',
      SES_KAFKA_METADATA_REQUEST_TIMEOUT_MS: '500',
      SES_KAFKA_METADATA_NOT_FOUND_POLICY: 'retry',
      SES_KAFKA_METADATA_NOT_FOUND_MAX_AGE_SECONDS: '120',
      SES_KAFKA_METADATA_SORT_KEY_GUESS: 'off',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
    assert.deepEqual(config, {
      enabled: true,
      table: 'meta',
      keyStrategy: 'get-by-message-id',
      partitionKey: 'mid',
      sortKey: 'kind',
      sortKeyValue: 'metadata',
      sortKeyGuess: 'off',
      gsiName: undefined,
      projection: ['campaign', 'tenant', 'status'],
      consistentRead: true,
      cacheMaxEntries: 0,
      cacheTtlSeconds: 60,
      cacheNotFoundTtlSeconds: 5,
      queryConcurrency: 4,
      maxAttempts: 3,
      backoffBaseMs: 10,
      backoffMaxMs: 100,
      requestTimeoutMs: 500,
      notFoundPolicy: 'retry',
      notFoundMaxAgeSeconds: 120,
      endpoint: 'http://127.0.0.1:8000',
      region: undefined,
    });
  });

  it('gives message-id strategies a messageId partition key and no sort key by default', () => {
    const get = loadEnrichConfig({ SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id' });
    assert.equal(get.partitionKey, 'messageId');
    assert.equal(get.sortKey, undefined);
    const gsi = loadEnrichConfig({
      SES_KAFKA_METADATA_KEY_STRATEGY: 'gsi',
      SES_KAFKA_METADATA_GSI_NAME: 'by-mid',
    });
    assert.equal(gsi.partitionKey, 'messageId');
    assert.equal(gsi.gsiName, 'by-mid');
  });

  it('names the variable and the allowed values for a bad key strategy', () => {
    const error = configError({ SES_KAFKA_METADATA_KEY_STRATEGY: 'scan' });
    assert.equal(error.key, 'SES_KAFKA_METADATA_KEY_STRATEGY');
    assert.match(error.message, /query-prefix, get-by-message-id, gsi/);
    assert.match(error.message, /"scan"/);
    assert.equal(error.retriable, false);
  });

  it('names the variable for a bad not-found policy, boolean, number and endpoint', () => {
    assert.match(configError({ SES_KAFKA_METADATA_NOT_FOUND_POLICY: 'drop' }).message, /publish, retry/);
    assert.equal(
      configError({ SES_KAFKA_METADATA_CONSISTENT_READ: 'yes' }).key,
      SETTINGS.metadataConsistentRead.env,
    );
    const concurrency = configError({ SES_KAFKA_METADATA_QUERY_CONCURRENCY: '0' });
    assert.equal(concurrency.key, SETTINGS.metadataQueryConcurrency.env);
    assert.match(concurrency.message, /from 1 to 256/);
    assert.equal(
      configError({ SES_KAFKA_METADATA_CACHE_TTL_SECONDS: '1.5' }).key,
      SETTINGS.metadataCacheTtlSeconds.env,
    );
    assert.equal(configError({ DYNAMODB_ENDPOINT: 'localhost:8000' }).key, 'DYNAMODB_ENDPOINT');
  });

  it('rejects contradictory combinations, naming the variable to change', () => {
    assert.equal(configError({ SES_KAFKA_METADATA_KEY_STRATEGY: 'gsi' }).key, SETTINGS.metadataGsiName.env);
    assert.equal(
      configError({
        SES_KAFKA_METADATA_KEY_STRATEGY: 'gsi',
        SES_KAFKA_METADATA_GSI_NAME: 'i',
        SES_KAFKA_METADATA_CONSISTENT_READ: 'true',
      }).key,
      SETTINGS.metadataConsistentRead.env,
    );
    assert.equal(configError({ SES_KAFKA_METADATA_GSI_NAME: 'i' }).key, SETTINGS.metadataGsiName.env);
    assert.equal(
      configError({ SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id', SES_KAFKA_METADATA_SORT_KEY: 'sk' })
        .key,
      SETTINGS.metadataSortKeyValue.env,
    );
    assert.equal(
      configError({ SES_KAFKA_METADATA_SORT_KEY_VALUE: 'x' }).key,
      SETTINGS.metadataSortKeyValue.env,
    );
    assert.equal(
      configError({ SES_KAFKA_METADATA_BACKOFF_BASE_MS: '500', SES_KAFKA_METADATA_BACKOFF_MAX_MS: '100' })
        .key,
      SETTINGS.metadataBackoffMaxMs.env,
    );
    assert.match(configError({ SES_KAFKA_METADATA_PROJECTION: 'a,b,a' }).message, /"a" twice/);
  });

  it('treats empty values as unset', () => {
    const config = loadEnrichConfig({ SES_KAFKA_METADATA_TABLE: '', SES_KAFKA_METADATA_KEY_STRATEGY: '' });
    assert.equal(config.table, 'ses_my_poc');
    assert.equal(config.keyStrategy, 'query-prefix');
  });
});
