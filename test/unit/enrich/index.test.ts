import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createMetadataStoreFromEnv } from '../../../src/enrich/index.ts';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import { ConfigError } from '../../../src/errors.ts';

describe('createMetadataStoreFromEnv', () => {
  it('with SES_KAFKA_METADATA_ENABLED=false answers SKIPPED without touching DynamoDB', async () => {
    const client = {
      send: async () => assert.fail('DynamoDB must not be called'),
    } as unknown as DynamoDBClient;
    const store = createMetadataStoreFromEnv({ SES_KAFKA_METADATA_ENABLED: 'false' }, { client });
    const results = await store.lookupMany([
      { requestId: 'a', messageId: 'm', sourceAddress: 's@x.y', timestamp: new Date() },
    ]);
    assert.equal((results.get('a') as EmailMetadata).status, 'SKIPPED');
  });

  it('throws a ConfigError at construction for a bad env value', () => {
    assert.throws(
      () => createMetadataStoreFromEnv({ SES_KAFKA_METADATA_NOT_FOUND_POLICY: 'sometimes' }),
      (error) => error instanceof ConfigError && error.key === 'SES_KAFKA_METADATA_NOT_FOUND_POLICY',
    );
  });
});
