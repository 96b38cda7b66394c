import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EnrichConfig, loadEnrichConfig } from '../../../src/enrich/config.ts';
import { createDynamoDbClient } from '../../../src/enrich/dynamodb-client.ts';
import { createMetadataStore, createMetadataStoreFromEnv } from '../../../src/enrich/index.ts';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import type { MetadataRequest, MetadataResult } from '../../../src/enrich/store.ts';
import { PipelineError } from '../../../src/errors.ts';
import { LOCAL_AWS_REGION, stackEndpoints } from '../../../src/stack/endpoints.ts';
import {
  createTable,
  deleteTable,
  localDynamoDbClient,
  putItems,
  seedPredecessorTable,
  uniqueTableName,
} from '../../support/dynamodb.ts';

/*
 * Against the stack's real dynalite (`ses-kafka stack up`). Every table name is unique per run.
 */
const endpoint = stackEndpoints().dynamodbEndpoint;

/** Counts calls per operation and the most calls in flight at once, as seen on the wire. */
function instrument(client: DynamoDBClient) {
  const seen = { inFlight: 0, maxInFlight: 0, calls: [] as { operation: string; keys: number }[] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { RequestItems?: Record<string, { Keys?: unknown[] }> };
      const keys = Object.values(input.RequestItems ?? {}).reduce(
        (sum, table) => sum + (table.Keys?.length ?? 0),
        0,
      );
      seen.calls.push({ operation: context.commandName ?? '?', keys });
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      try {
        return await next(args);
      } finally {
        seen.inFlight--;
      }
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return seen;
}

function config(env: Record<string, string>): EnrichConfig {
  return loadEnrichConfig({ DYNAMODB_ENDPOINT: endpoint, SES_KAFKA_METADATA_BACKOFF_BASE_MS: '5', ...env });
}

function req(
  requestId: string,
  messageId: string,
  sourceAddress?: string,
  timestamp = new Date(),
): MetadataRequest {
  return { requestId, messageId, sourceAddress, timestamp };
}

function metadata(result: MetadataResult | undefined): EmailMetadata {
  assert.ok(result !== undefined, 'no result');
  assert.ok(!(result instanceof PipelineError), `unexpected error ${(result as Error)?.message}`);
  return result;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('DynamoDB metadata store against dynalite', function () {
  this.timeout(60_000);
  const admin = localDynamoDbClient();
  const tables: string[] = [];

  after(async () => {
    for (const table of tables) await deleteTable(admin, table);
  });

  describe('query-prefix (predecessor layout)', () => {
    const table = uniqueTableName('enrich_prefix');
    before(async () => {
      tables.push(table);
      await seedPredecessorTable(admin, table, [
        {
          sourceAddress: 'alice@example.com',
          messageId: 'msg-1',
          date: '2025-06-01',
          attributes: {
            campaign: 'spring',
            userId: 42,
            vip: true,
            tags: new Set(['b', 'a']),
            prefs: { lang: 'fr' },
          },
        },
        {
          sourceAddress: 'bob@example.com',
          messageId: 'msg-2',
          attributes: { campaign: 'autumn', status: 'sent' },
        },
        // Same sender, a message id that starts like msg-1: the `#` in the prefix must keep them apart.
        { sourceAddress: 'alice@example.com', messageId: 'msg-10', attributes: { campaign: 'other' } },
      ]);
    });

    it('finds rows by sender and message-id prefix, stringifying every attribute type', async () => {
      const store = createMetadataStore(config({ SES_KAFKA_METADATA_TABLE: table }));
      const results = await store.lookupMany([
        req('a', 'msg-1', 'alice@example.com'),
        req('b', 'msg-2', 'bob@example.com'),
        req('c', 'msg-3', 'alice@example.com'),
        req('d', 'msg-2', 'alice@example.com'),
      ]);
      assert.deepEqual(metadata(results.get('a')), {
        status: 'FOUND',
        source: `dynamodb:${table}:query-prefix`,
        attributes: {
          campaign: 'spring',
          prefs: '{"lang":"fr"}',
          ses_pk: 'alice@example.com',
          ses_sk: 'msg-1#2025-06-01',
          tags: '["a","b"]',
          userId: '42',
          vip: 'true',
        },
      });
      assert.equal(metadata(results.get('b')).attributes.campaign, 'autumn');
      assert.equal(metadata(results.get('c')).status, 'NOT_FOUND');
      assert.equal(metadata(results.get('d')).status, 'NOT_FOUND', 'the sender is part of the key');
    });

    it('fetches only the projected attributes, reserved words included', async () => {
      const store = createMetadataStore(
        config({ SES_KAFKA_METADATA_TABLE: table, SES_KAFKA_METADATA_PROJECTION: 'campaign,status' }),
      );
      const result = metadata((await store.lookupMany([req('b', 'msg-2', 'bob@example.com')])).get('b'));
      assert.deepEqual(result.attributes, { campaign: 'autumn', status: 'sent' });
    });

    it('caps concurrent Queries and queries each distinct email once', async () => {
      const client = localDynamoDbClient();
      const seen = instrument(client);
      const store = createMetadataStore(
        config({
          SES_KAFKA_METADATA_TABLE: table,
          SES_KAFKA_METADATA_QUERY_CONCURRENCY: '3',
          // Only the Query path: the guessed-key fast path is covered below.
          SES_KAFKA_METADATA_SORT_KEY_GUESS: 'off',
        }),
        { client },
      );
      const requests = Array.from({ length: 30 }, (_, i) =>
        req(`r${i}`, `msg-${i % 20}`, 'alice@example.com'),
      );
      const results = await store.lookupMany(requests);
      assert.equal(results.size, 30);
      assert.equal(seen.calls.length, 20, 'one Query per distinct (sender, message id)');
      assert.equal(seen.maxInFlight, 3);
      assert.equal(metadata(results.get('r1')).attributes.campaign, 'spring');
      assert.equal(metadata(results.get('r10')).attributes.campaign, 'other');
    });

    it('answers a repeated FOUND lookup from the warm cache, but asks again after a NOT_FOUND', async () => {
      const client = localDynamoDbClient();
      const seen = instrument(client);
      const store = createMetadataStore(
        config({ SES_KAFKA_METADATA_TABLE: table, SES_KAFKA_METADATA_SORT_KEY_GUESS: 'off' }),
        { client },
      );
      await store.lookupMany([
        req('1', 'msg-1', 'alice@example.com'),
        req('2', 'msg-404', 'alice@example.com'),
      ]);
      await store.lookupMany([
        req('3', 'msg-1', 'alice@example.com'),
        req('4', 'msg-404', 'alice@example.com'),
      ]);
      assert.equal(seen.calls.length, 3);
    });

    it('guesses <messageId>#<mail date>: rows keyed that way come from BatchGetItem, others from a Query', async () => {
      const client = localDynamoDbClient();
      const seen = instrument(client);
      const store = createMetadataStore(config({ SES_KAFKA_METADATA_TABLE: table }), { client });
      const sentOn = new Date('2025-06-01T08:30:00Z');
      const results = await store.lookupMany([
        // Rows msg-1 and msg-2 are keyed with 2025-06-01: the guess finds them.
        req('hit-1', 'msg-1', 'alice@example.com', sentOn),
        req('hit-2', 'msg-2', 'bob@example.com', sentOn),
        // Sent the day before the row's date (a time-zone or midnight mismatch): the Query still finds it.
        req('miss-found', 'msg-1', 'alice@example.com', new Date('2025-05-31T23:59:00Z')),
        req('absent', 'msg-404', 'alice@example.com', sentOn),
      ]);
      assert.equal(metadata(results.get('hit-1')).attributes.campaign, 'spring');
      assert.equal(metadata(results.get('hit-2')).attributes.campaign, 'autumn');
      assert.equal(metadata(results.get('miss-found')).attributes.campaign, 'spring');
      assert.equal(metadata(results.get('absent')).status, 'NOT_FOUND');
      const names = seen.calls.map((call) => call.operation);
      assert.equal(names.filter((name) => name === 'BatchGetItemCommand').length, 1);
      assert.equal(
        names.filter((name) => name === 'QueryCommand').length,
        2,
        'only the two misses are queried',
      );
    });

    it('several rows for one email: the fast path and the Query path pick the same row, by one rule', async () => {
      const several = uniqueTableName('enrich_several');
      tables.push(several);
      await seedPredecessorTable(admin, several, [
        // Lowest sort key, but not the send date's: the rule's fallback.
        {
          sourceAddress: 'carol@example.com',
          messageId: 'msg-s',
          date: '2025-05-30',
          attributes: { campaign: 'older' },
        },
        // Keyed with the send date: the rule's first choice, on both paths.
        {
          sourceAddress: 'carol@example.com',
          messageId: 'msg-s',
          date: '2025-06-01',
          attributes: { campaign: 'dated' },
        },
        {
          sourceAddress: 'carol@example.com',
          messageId: 'msg-s',
          date: '2025-06-02',
          attributes: { campaign: 'later' },
        },
        {
          sourceAddress: 'carol@example.com',
          messageId: 'msg-t',
          date: '2025-06-03',
          attributes: { campaign: 't-low' },
        },
        {
          sourceAddress: 'carol@example.com',
          messageId: 'msg-t',
          date: '2025-06-04',
          attributes: { campaign: 't-high' },
        },
      ]);
      const sentOn = new Date('2025-06-01T10:00:00Z');
      const lookups = [
        req('s', 'msg-s', 'carol@example.com', sentOn),
        req('t', 'msg-t', 'carol@example.com', sentOn),
      ];
      const answers = async (guess: string, projection?: string) => {
        const store = createMetadataStore(
          config({
            SES_KAFKA_METADATA_TABLE: several,
            SES_KAFKA_METADATA_SORT_KEY_GUESS: guess,
            SES_KAFKA_METADATA_CACHE_MAX_ENTRIES: '0',
            ...(projection ? { SES_KAFKA_METADATA_PROJECTION: projection } : {}),
          }),
          { client: localDynamoDbClient() },
        );
        const results = await store.lookupMany(lookups);
        return lookups.map((lookup) => metadata(results.get(lookup.requestId)).attributes);
      };
      const fastPath = await answers('mail-date');
      const queryPath = await answers('off');
      assert.deepEqual(
        fastPath.map((attributes) => attributes.campaign),
        ['dated', 't-low'],
      );
      assert.deepEqual(queryPath, fastPath, 'both paths, the same rows, attribute for attribute');
      // With a projection the sort key is read to apply the rule, but not handed on.
      const projected = await answers('off', 'campaign');
      assert.deepEqual(projected, [{ campaign: 'dated' }, { campaign: 't-low' }]);
    });

    it('retry policy: a young email without a row is retriable, an old one is published NOT_FOUND', async () => {
      const now = Date.parse('2025-06-01T12:00:00Z');
      const store = createMetadataStore(
        config({
          SES_KAFKA_METADATA_TABLE: table,
          SES_KAFKA_METADATA_NOT_FOUND_POLICY: 'retry',
          SES_KAFKA_METADATA_NOT_FOUND_MAX_AGE_SECONDS: '300',
        }),
        { now: () => now },
      );
      const young = req('young', 'msg-late', 'carol@example.com', new Date(now - 60_000));
      const old = req('old', 'msg-gone', 'carol@example.com', new Date(now - 301_000));
      const found = req('found', 'msg-1', 'alice@example.com', new Date(now - 60_000));
      const first = await store.lookupMany([young, old, found]);
      const retry = first.get('young');
      assert.ok(retry instanceof PipelineError);
      assert.equal(retry.code, 'METADATA_NOT_FOUND_YET');
      assert.equal(retry.retriable, true);
      assert.equal(metadata(first.get('old')).status, 'NOT_FOUND');
      assert.equal(metadata(first.get('found')).status, 'FOUND');

      // The application writes its row late; the redelivered event must now find it.
      await seedPredecessorTable(admin, table, [
        { sourceAddress: 'carol@example.com', messageId: 'msg-late', attributes: { campaign: 'late' } },
      ]);
      const second = await store.lookupMany([young]);
      assert.equal(metadata(second.get('young')).attributes.campaign, 'late');
    });

    it('publishes SKIPPED for an email whose source has no address', async () => {
      const store = createMetadataStore(config({ SES_KAFKA_METADATA_TABLE: table }));
      const result = metadata((await store.lookupMany([req('x', 'msg-1', undefined)])).get('x'));
      assert.equal(result.status, 'SKIPPED');
    });
  });

  describe('get-by-message-id (BatchGetItem)', () => {
    const table = uniqueTableName('enrich_get');
    const seeded = 230;
    before(async () => {
      tables.push(table);
      await createTable(admin, table, { partitionKey: 'messageId' });
      await putItems(
        admin,
        table,
        Array.from({ length: seeded }, (_, i) => ({ messageId: `m-${i}`, tenant: `t-${i % 7}`, n: i })),
      );
    });

    it('splits 260 lookups into BatchGetItem calls of at most 100 keys, FOUND and NOT_FOUND', async () => {
      const client = localDynamoDbClient();
      const seen = instrument(client);
      const store = createMetadataStore(
        config({ SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id', SES_KAFKA_METADATA_TABLE: table }),
        {
          client,
        },
      );
      // 250 distinct ids (230 exist) plus 10 duplicates.
      const requests = [
        ...Array.from({ length: 250 }, (_, i) => req(`r${i}`, `m-${i}`)),
        ...Array.from({ length: 10 }, (_, i) => req(`dup${i}`, `m-${i}`)),
      ];
      const results = await store.lookupMany(requests);
      assert.deepEqual(seen.calls.map((call) => `${call.operation}:${call.keys}`).sort(), [
        'BatchGetItemCommand:100',
        'BatchGetItemCommand:100',
        'BatchGetItemCommand:50',
      ]);
      assert.equal(results.size, 260);
      const statuses = [...results.values()].map((result) => metadata(result).status);
      assert.equal(statuses.filter((status) => status === 'FOUND').length, 240);
      assert.equal(statuses.filter((status) => status === 'NOT_FOUND').length, 20);
      assert.deepEqual(metadata(results.get('r123')).attributes, {
        messageId: 'm-123',
        n: '123',
        tenant: 't-4',
      });
      assert.deepEqual(metadata(results.get('dup3')), metadata(results.get('r3')));
    });

    it('keeps key attributes out of a projected result', async () => {
      const store = createMetadataStore(
        config({
          SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id',
          SES_KAFKA_METADATA_TABLE: table,
          SES_KAFKA_METADATA_PROJECTION: 'tenant',
        }),
      );
      const result = metadata((await store.lookupMany([req('x', 'm-8')])).get('x'));
      assert.deepEqual(result.attributes, { tenant: 't-1' });
    });

    it('uses the fixed sort-key value when the table has a sort key', async () => {
      const withSort = uniqueTableName('enrich_get_sk');
      tables.push(withSort);
      await createTable(admin, withSort, { partitionKey: 'mid', sortKey: 'kind' });
      await putItems(admin, withSort, [
        { mid: 'm-1', kind: 'metadata', campaign: 'right' },
        { mid: 'm-1', kind: 'audit', campaign: 'wrong' },
      ]);
      const store = createMetadataStore(
        config({
          SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id',
          SES_KAFKA_METADATA_TABLE: withSort,
          SES_KAFKA_METADATA_PARTITION_KEY: 'mid',
          SES_KAFKA_METADATA_SORT_KEY: 'kind',
          SES_KAFKA_METADATA_SORT_KEY_VALUE: 'metadata',
        }),
      );
      const results = await store.lookupMany([req('a', 'm-1'), req('b', 'm-2')]);
      assert.equal(metadata(results.get('a')).attributes.campaign, 'right');
      assert.equal(metadata(results.get('b')).status, 'NOT_FOUND');
    });
  });

  describe('gsi', () => {
    const table = uniqueTableName('enrich_gsi');
    before(async () => {
      tables.push(table);
      await createTable(admin, table, {
        partitionKey: 'id',
        gsi: { name: 'by_message_id', partitionKey: 'messageId' },
      });
      await putItems(admin, table, [
        { id: 'row-1', messageId: 'g-1', campaign: 'indexed' },
        { id: 'row-2', messageId: 'g-2', campaign: 'second' },
      ]);
    });

    it('finds rows through the index by message id', async () => {
      const store = createMetadataStore(
        config({
          SES_KAFKA_METADATA_KEY_STRATEGY: 'gsi',
          SES_KAFKA_METADATA_TABLE: table,
          SES_KAFKA_METADATA_GSI_NAME: 'by_message_id',
        }),
      );
      const results = await store.lookupMany([req('a', 'g-1'), req('b', 'g-9'), req('c', 'g-2')]);
      assert.deepEqual(metadata(results.get('a')), {
        status: 'FOUND',
        source: `dynamodb:${table}/by_message_id:gsi`,
        attributes: { campaign: 'indexed', id: 'row-1', messageId: 'g-1' },
      });
      assert.equal(metadata(results.get('b')).status, 'NOT_FOUND');
      assert.equal(metadata(results.get('c')).attributes.campaign, 'second');
    });

    it('reports a wrong index name as a non-retriable error, never as NOT_FOUND', async () => {
      const store = createMetadataStore(
        config({
          SES_KAFKA_METADATA_KEY_STRATEGY: 'gsi',
          SES_KAFKA_METADATA_TABLE: table,
          SES_KAFKA_METADATA_GSI_NAME: 'no_such_index',
        }),
      );
      const result = (await store.lookupMany([req('a', 'g-1')])).get('a');
      assert.ok(result instanceof PipelineError);
      assert.equal(result.retriable, false);
      assert.equal(result.stage, 'enrich');
    });
  });

  describe('faults', () => {
    it('DynamoDB unreachable: every email gets a retriable error and no metadata', async () => {
      const port = await closedPort();
      const env = {
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
        SES_KAFKA_METADATA_MAX_ATTEMPTS: '3',
        SES_KAFKA_METADATA_BACKOFF_BASE_MS: '5',
      };
      for (const strategy of ['query-prefix', 'get-by-message-id']) {
        const store = createMetadataStoreFromEnv({ ...env, SES_KAFKA_METADATA_KEY_STRATEGY: strategy });
        const started = Date.now();
        const results = await store.lookupMany([
          req('a', 'm-1', 'x@example.com'),
          req('b', 'm-2', 'y@example.com'),
        ]);
        assert.ok(Date.now() - started < 10_000, 'an unreachable endpoint must fail fast');
        for (const id of ['a', 'b']) {
          const result = results.get(id);
          assert.ok(
            result instanceof PipelineError,
            `${strategy}: expected an error, got ${JSON.stringify(result)}`,
          );
          assert.equal(result.code, 'METADATA_STORE_UNAVAILABLE');
          assert.equal(result.retriable, true);
          assert.doesNotMatch(result.message, /@example\.com/);
        }
      }
    });

    it('DynamoDB hanging: the request timeout turns it into a retriable error within the budget', async () => {
      // Accepts connections and never answers, like a blackholed endpoint.
      const sockets: import('node:net').Socket[] = [];
      const server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      try {
        const store = createMetadataStoreFromEnv({
          DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
          SES_KAFKA_METADATA_REQUEST_TIMEOUT_MS: '300',
          SES_KAFKA_METADATA_MAX_ATTEMPTS: '2',
          SES_KAFKA_METADATA_BACKOFF_BASE_MS: '5',
        });
        const started = Date.now();
        const result = (await store.lookupMany([req('a', 'm-1', 'x@example.com')])).get('a');
        const elapsed = Date.now() - started;
        assert.ok(result instanceof PipelineError);
        assert.equal(result.retriable, true);
        assert.ok(elapsed >= 550 && elapsed < 3_000, `two 300 ms attempts took ${elapsed} ms`);
      } finally {
        for (const socket of sockets) socket.destroy();
        server.close();
      }
    });

    it('a missing table is a non-retriable error naming the setting, per email', async () => {
      const missing = uniqueTableName('enrich_missing');
      const store = createMetadataStore(config({ SES_KAFKA_METADATA_TABLE: missing }), {
        client: createDynamoDbClient({ endpoint, requestTimeoutMs: 3000, region: LOCAL_AWS_REGION }),
      });
      const result = (await store.lookupMany([req('a', 'm-1', 'x@example.com')])).get('a');
      assert.ok(result instanceof PipelineError);
      assert.equal(result.code, 'METADATA_TABLE_NOT_FOUND');
      assert.equal(result.retriable, false);
      assert.match(result.message, /SES_KAFKA_METADATA_TABLE/);
    });
  });
});
