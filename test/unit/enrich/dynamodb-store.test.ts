import assert from 'node:assert/strict';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  type DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { loadEnrichConfig } from '../../../src/enrich/config.ts';
import { DynamoDbMetadataStore } from '../../../src/enrich/dynamodb-store.ts';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import type { MetadataRequest } from '../../../src/enrich/store.ts';
import { PipelineError } from '../../../src/errors.ts';

/*
 * These tests drive the retry paths with a scripted client because a real DynamoDB (or dynalite) cannot
 * be made to throttle on demand. Found / not-found / chunking against a real server live in
 * test/integration/enrich/.
 */
type Send = (command: unknown) => Promise<unknown>;

function fakeClient(send: Send): Pick<DynamoDBClient, 'send'> {
  return { send } as unknown as Pick<DynamoDBClient, 'send'>;
}

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'ProvisionedThroughputExceededException',
    $metadata: { httpStatusCode: 400 },
  });
}

function request(requestId: string, messageId: string, sourceAddress?: string): MetadataRequest {
  return { requestId, messageId, sourceAddress, timestamp: new Date() };
}

const sleeps: number[] = [];
const deps = (send: Send) => ({
  client: fakeClient(send),
  sleep: async (ms: number) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
});

describe('DynamoDbMetadataStore retry and batching', () => {
  beforeEach(() => {
    sleeps.length = 0;
  });

  const queryConfig = {
    // The Query path alone; the guessed-key BatchGetItem path is tested against dynalite.
    ...loadEnrichConfig({ SES_KAFKA_METADATA_SORT_KEY_GUESS: 'off' }),
    maxAttempts: 4,
    backoffBaseMs: 100,
    backoffMaxMs: 250,
  };
  const getConfig = {
    ...loadEnrichConfig({ SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id' }),
    maxAttempts: 3,
    backoffBaseMs: 10,
    backoffMaxMs: 1000,
  };

  it('retries a throttled Query with growing, capped, jittered backoff and then succeeds', async () => {
    let calls = 0;
    const store = new DynamoDbMetadataStore(
      queryConfig,
      deps(async (command) => {
        assert.ok(command instanceof QueryCommand);
        calls++;
        if (calls < 4) throw throttled();
        return { Items: [{ ses_pk: { S: 'a@b.c' }, ses_sk: { S: 'm1#2025' }, campaign: { S: 'x' } }] };
      }),
    );
    const result = (await store.lookupMany([request('r', 'm1', 'a@b.c')])).get('r') as EmailMetadata;
    assert.equal(result.status, 'FOUND');
    assert.equal(result.attributes.campaign, 'x');
    // random()=0.5 of min(250, 100 * 2^n): 50, 100, 125.
    assert.deepEqual(sleeps, [50, 100, 125]);
  });

  it('reports throttling that outlasts the attempt budget as a retriable error, not NOT_FOUND', async () => {
    let calls = 0;
    const store = new DynamoDbMetadataStore(
      queryConfig,
      deps(async () => {
        calls++;
        throw throttled();
      }),
    );
    const result = (await store.lookupMany([request('r', 'm1', 'a@b.c')])).get('r');
    assert.ok(result instanceof PipelineError);
    assert.equal(result.code, 'METADATA_THROTTLED');
    assert.equal(result.retriable, true);
    assert.equal(calls, 4);
  });

  it('does not retry a non-retriable error', async () => {
    let calls = 0;
    const store = new DynamoDbMetadataStore(
      queryConfig,
      deps(async () => {
        calls++;
        throw Object.assign(new Error('Requested resource not found'), {
          name: 'ResourceNotFoundException',
          $metadata: { httpStatusCode: 400 },
        });
      }),
    );
    const result = (await store.lookupMany([request('r', 'm1', 'a@b.c')])).get('r') as PipelineError;
    assert.equal(result.retriable, false);
    assert.equal(calls, 1);
  });

  it('queries once per distinct (sender, message id) and fans the answer out', async () => {
    const asked: string[] = [];
    const store = new DynamoDbMetadataStore(
      queryConfig,
      deps(async (command) => {
        const values = (command as QueryCommand).input.ExpressionAttributeValues ?? {};
        asked.push(`${values[':pk']?.S}|${values[':prefix']?.S}`);
        return { Items: [] };
      }),
    );
    const results = await store.lookupMany([
      request('1', 'm1', 'a@b.c'),
      request('2', 'm1', 'a@b.c'),
      request('3', 'm1', 'other@b.c'),
      request('4', 'm2', 'a@b.c'),
    ]);
    assert.deepEqual(asked.sort(), ['a@b.c|m1#', 'a@b.c|m2#', 'other@b.c|m1#']);
    assert.equal(results.size, 4);
  });

  it('SKIPS a request without a sender address under query-prefix, without calling DynamoDB', async () => {
    const store = new DynamoDbMetadataStore(
      queryConfig,
      deps(async () => assert.fail('DynamoDB must not be called')),
    );
    const result = (await store.lookupMany([request('r', 'm1', undefined)])).get('r') as EmailMetadata;
    assert.equal(result.status, 'SKIPPED');
    assert.match(result.reason ?? '', /sender address/);
  });

  it('re-asks for UnprocessedKeys after a backoff and gives up with a retriable error', async () => {
    const rounds: string[][] = [];
    const store = new DynamoDbMetadataStore(
      getConfig,
      deps(async (command) => {
        assert.ok(command instanceof BatchGetItemCommand);
        const keys = (command.input as BatchGetItemCommandInput).RequestItems?.ses_my_poc?.Keys ?? [];
        const ids = keys.map((key) => key.messageId?.S ?? '');
        rounds.push(ids);
        // Each round answers only the first key and leaves the rest unprocessed; m3 never comes back.
        const [first, ...rest] = keys;
        const answered = first?.messageId?.S === 'm3' ? [] : [first as Record<string, AttributeValue>];
        return {
          Responses: { ses_my_poc: answered.map((key) => ({ ...key, tenant: { S: 't' } })) },
          UnprocessedKeys:
            rest.length > 0 || answered.length === 0
              ? { ses_my_poc: { Keys: answered.length ? rest : keys } }
              : {},
        };
      }),
    );
    const results = await store.lookupMany([request('a', 'm1'), request('b', 'm2'), request('c', 'm3')]);
    assert.deepEqual(rounds, [['m1', 'm2', 'm3'], ['m2', 'm3'], ['m3']]);
    assert.equal((results.get('a') as EmailMetadata).status, 'FOUND');
    assert.equal((results.get('b') as EmailMetadata).status, 'FOUND');
    const c = results.get('c') as PipelineError;
    assert.equal(c.code, 'METADATA_UNPROCESSED_KEYS');
    assert.equal(c.retriable, true);
    assert.equal(sleeps.length, 2);
  });

  it('sends no duplicate keys to BatchGetItem and splits beyond 100 keys', async () => {
    const sizes: number[] = [];
    const store = new DynamoDbMetadataStore(
      getConfig,
      deps(async (command) => {
        const keys = (command as BatchGetItemCommand).input.RequestItems?.ses_my_poc?.Keys ?? [];
        const ids = keys.map((key) => key.messageId?.S);
        assert.equal(new Set(ids).size, ids.length, 'duplicate keys in one BatchGetItem');
        sizes.push(keys.length);
        return { Responses: { ses_my_poc: [] } };
      }),
    );
    const requests = Array.from({ length: 250 }, (_, i) => request(`r${i}`, `m${i % 230}`));
    const results = await store.lookupMany(requests);
    assert.deepEqual(
      sizes.sort((a, b) => b - a),
      [100, 100, 30],
    );
    assert.equal(results.size, 250);
  });
});
