import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import pLimit, { type LimitFunction } from 'p-limit';
import { PipelineError } from '../errors.ts';
import { logger } from '../observability/logger.ts';
import { type BackoffPolicy, drain, realSleep, retryCall, type Sleep } from '../retry.ts';
import { stringifyItem } from './attributes.ts';
import type { EnrichConfig } from './config.ts';
import { toEnrichError } from './dynamodb-errors.ts';
import type { EmailMetadata } from './metadata.ts';
import type { MetadataRequest, MetadataResult, MetadataStore } from './store.ts';

/** BatchGetItem accepts at most 100 keys per call. */
export const BATCH_GET_LIMIT = 100;
/** Pages of one email's rows read before taking the lowest seen: an email has a handful of rows. */
const MAX_QUERY_PAGES = 5;

export type DynamoDbStoreSettings = Pick<
  EnrichConfig,
  | 'table'
  | 'keyStrategy'
  | 'partitionKey'
  | 'sortKey'
  | 'sortKeyValue'
  | 'sortKeyGuess'
  | 'gsiName'
  | 'projection'
  | 'consistentRead'
  | 'queryConcurrency'
  | 'maxAttempts'
  | 'backoffBaseMs'
  | 'backoffMaxMs'
>;

export interface DynamoDbStoreDeps {
  client: Pick<DynamoDBClient, 'send'>;
  sleep?: Sleep;
  random?: () => number;
}

type Item = Record<string, AttributeValue>;

/**
 * Looks metadata up in DynamoDB with one of three key strategies:
 * - `query-prefix` (the predecessor's layout): Query `pk = <sender> AND begins_with(sk, "<messageId>#")`.
 *   With `sortKeyGuess: 'mail-date'` the exact key `<messageId>#<UTC date of mail.timestamp>` is tried
 *   first, 100 per BatchGetItem, and only the misses are queried one by one;
 * - `get-by-message-id`: the message id is the partition key (plus an optional fixed sort-key value),
 *   so whole batches go through BatchGetItem, 100 keys per call;
 * - `gsi`: Query a global secondary index whose partition key is the message id.
 * Identical lookups in one batch are made once. Queries and BatchGetItem calls share one concurrency cap.
 */
export class DynamoDbMetadataStore implements MetadataStore {
  readonly #settings: DynamoDbStoreSettings;
  readonly #client: Pick<DynamoDBClient, 'send'>;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #limit: LimitFunction;
  readonly #source: string;

  constructor(settings: DynamoDbStoreSettings, deps: DynamoDbStoreDeps) {
    this.#settings = settings;
    this.#client = deps.client;
    this.#sleep = deps.sleep ?? realSleep;
    this.#random = deps.random ?? Math.random;
    this.#limit = pLimit(settings.queryConcurrency);
    this.#source =
      settings.keyStrategy === 'gsi'
        ? `dynamodb:${settings.table}/${settings.gsiName}:gsi`
        : `dynamodb:${settings.table}:${settings.keyStrategy}`;
  }

  /** Requests with the same key get the same answer; undefined when the request cannot be looked up. */
  lookupKey(request: MetadataRequest): string | undefined {
    if (this.#unusableReason(request) !== undefined) return undefined;
    return this.#settings.keyStrategy === 'query-prefix'
      ? JSON.stringify([request.sourceAddress, request.messageId])
      : request.messageId;
  }

  async lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    const results = new Map<string, MetadataResult>();
    const waiting = new Map<string, string[]>();
    const unique: MetadataRequest[] = [];
    for (const request of requests) {
      const unusable = this.#unusableReason(request);
      if (unusable !== undefined) {
        results.set(request.requestId, {
          status: 'SKIPPED',
          attributes: {},
          source: this.#source,
          reason: unusable,
        });
        continue;
      }
      const key = this.lookupKey(request) as string;
      const ids = waiting.get(key);
      if (ids === undefined) {
        waiting.set(key, [request.requestId]);
        unique.push(request);
      } else ids.push(request.requestId);
    }

    const answers =
      this.#settings.keyStrategy === 'get-by-message-id'
        ? await this.#batchGetAll(unique)
        : await this.#queryAll(unique);

    let found = 0;
    let notFound = 0;
    const failures = new Map<string, { count: number; retriable: boolean; example: string }>();
    for (const request of unique) {
      const key = this.lookupKey(request) as string;
      const answer = answers.get(key) ?? unexpectedlyMissing();
      if (answer instanceof PipelineError) {
        const seen = failures.get(answer.code);
        if (seen === undefined) {
          failures.set(answer.code, { count: 1, retriable: answer.retriable, example: answer.message });
        } else seen.count++;
      } else if (answer.status === 'FOUND') found++;
      else notFound++;
      for (const id of waiting.get(key) ?? []) results.set(id, answer);
    }
    const summary = {
      requests: requests.length,
      uniqueLookups: unique.length,
      found,
      notFound,
      strategy: this.#settings.keyStrategy,
    };
    // One line per batch, not per email: an outage must not flood the logs. Messages hold no addresses.
    if (failures.size > 0)
      logger.warn('metadata lookups failed', { ...summary, failures: Object.fromEntries(failures) });
    else logger.debug('metadata lookup batch', summary);
    return results;
  }

  #unusableReason(request: MetadataRequest): string | undefined {
    if (request.messageId.trim() === '') return 'mail.messageId is empty, so there is no key to look up';
    if (this.#settings.keyStrategy === 'query-prefix' && (request.sourceAddress ?? '').trim() === '') {
      return 'mail.source holds no address; the query-prefix key strategy needs the sender address';
    }
    return undefined;
  }

  async #queryAll(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    const guessed =
      this.#settings.keyStrategy === 'query-prefix' && this.#settings.sortKeyGuess === 'mail-date'
        ? await this.#guessedHits(requests)
        : new Map<string, EmailMetadata>();
    const misses = requests.filter((request) => !guessed.has(this.lookupKey(request) as string));
    const answers = await Promise.all(
      misses.map((request) =>
        this.#limit(() => this.#queryOne(request).catch((error) => this.#asError(error, 'Query'))),
      ),
    );
    const results = new Map<string, MetadataResult>(guessed);
    misses.forEach((request, index) => {
      results.set(this.lookupKey(request) as string, answers[index] as MetadataResult);
    });
    return results;
  }

  /**
   * The query-prefix fast path: rows are usually keyed `<messageId>#<send date>`, and the send date is
   * mail.timestamp's, so the full key can be guessed and fetched 100 at a time. Anything not found this
   * way (another date format, a row written after midnight, a throttled or failed call) is left to the
   * Query path, which is always right; so this can only save calls, never change an answer.
   */
  async #guessedHits(requests: readonly MetadataRequest[]): Promise<Map<string, EmailMetadata>> {
    const s = this.#settings;
    const sortKey = s.sortKey ?? 'ses_sk';
    const guessKey = (pk: string, sk: string) => `${pk}\u0000${sk}`;
    const byGuess = new Map<string, string>();
    const keys: Item[] = [];
    for (const request of requests) {
      const time = request.timestamp.getTime();
      if (Number.isNaN(time)) continue;
      const pk = request.sourceAddress ?? '';
      const sk = `${request.messageId}#${request.timestamp.toISOString().slice(0, 10)}`;
      if (byGuess.has(guessKey(pk, sk))) continue;
      byGuess.set(guessKey(pk, sk), this.lookupKey(request) as string);
      keys.push({ [s.partitionKey]: { S: pk }, [sortKey]: { S: sk } });
    }
    const projection =
      s.projection.length === 0
        ? projectionFor([])
        : projectionFor([...new Set([...s.projection, s.partitionKey, sortKey])]);
    const hits = new Map<string, EmailMetadata>();
    const chunks: Item[][] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT)
      chunks.push(keys.slice(start, start + BATCH_GET_LIMIT));
    await Promise.all(
      chunks.map((chunk) =>
        this.#limit(async () => {
          // A failed or throttled guess only means those emails are queried instead: errors end the rounds.
          await drain(
            this.#policy(),
            chunk,
            async (pending) => {
              const output = await this.#batchGet(pending, projection);
              for (const item of output.Responses?.[s.table] ?? []) {
                const lookupKey = byGuess.get(
                  guessKey(item[s.partitionKey]?.S ?? '', item[sortKey]?.S ?? ''),
                );
                if (lookupKey !== undefined) {
                  hits.set(
                    lookupKey,
                    this.#found(item, s.projection.length === 0 ? undefined : s.projection),
                  );
                }
              }
              return output.UnprocessedKeys?.[s.table]?.Keys ?? [];
            },
            (thrown) => thrown,
            () => false,
          );
        }),
      ),
    );
    return hits;
  }

  #batchGet(
    keys: Item[],
    projection: { expression?: string; names: Record<string, string> },
  ): Promise<BatchGetItemCommandOutput> {
    const s = this.#settings;
    return this.#client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [s.table]: {
            Keys: keys,
            ConsistentRead: s.consistentRead,
            ...(projection.expression === undefined
              ? {}
              : { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }),
          },
        },
      }),
    );
  }

  /**
   * The metadata row of one email. When several rows share the `<messageId>#` prefix, the rule is the
   * one the key-guess fast path follows too, so both paths always pick the same row: the row keyed
   * `<messageId>#<YYYY-MM-DD of mail.timestamp>` if there is one, else the lowest sort key. (gsi: the
   * first row in index order.)
   */
  async #queryOne(request: MetadataRequest): Promise<MetadataResult> {
    const input = this.#queryInput(request);
    if (this.#settings.keyStrategy === 'gsi') {
      const output = await this.#withRetry('Query', () => this.#client.send(new QueryCommand(input)));
      const item = output.Items?.[0];
      return item === undefined ? this.#notFound() : this.#found(item);
    }
    const sortKey = this.#settings.sortKey ?? 'ses_sk';
    const preferred = Number.isNaN(request.timestamp.getTime())
      ? undefined
      : `${request.messageId}#${request.timestamp.toISOString().slice(0, 10)}`;
    const keep = this.#settings.projection.length === 0 ? undefined : this.#settings.projection;
    let first: Item | undefined;
    let exclusiveStartKey: Item | undefined;
    // Rows come in ascending sort-key order, so the first one is the lowest; a few pages at most.
    for (let page = 0; page < MAX_QUERY_PAGES; page++) {
      const pageInput =
        exclusiveStartKey === undefined ? input : { ...input, ExclusiveStartKey: exclusiveStartKey };
      const output = await this.#withRetry('Query', () => this.#client.send(new QueryCommand(pageInput)));
      for (const item of output.Items ?? []) {
        first ??= item;
        if (preferred !== undefined && item[sortKey]?.S === preferred) return this.#found(item, keep);
      }
      exclusiveStartKey = output.LastEvaluatedKey;
      if (exclusiveStartKey === undefined) break;
    }
    return first === undefined ? this.#notFound() : this.#found(first, keep);
  }

  #queryInput(request: MetadataRequest): QueryCommandInput {
    const s = this.#settings;
    // query-prefix needs the sort key back to apply the row rule; #found drops it again.
    const projection =
      s.keyStrategy === 'gsi' || s.projection.length === 0
        ? projectionFor(s.projection)
        : projectionFor([...new Set([...s.projection, s.sortKey ?? 'ses_sk'])]);
    const names: Record<string, string> = { '#pk': s.partitionKey, ...projection.names };
    // query-prefix reads every row of the email (a handful) to apply the row rule; gsi takes the first.
    const base = {
      TableName: s.table,
      ...(s.keyStrategy === 'gsi' ? { Limit: 1 } : {}),
      ...(projection.expression === undefined ? {} : { ProjectionExpression: projection.expression }),
    };
    if (s.keyStrategy === 'gsi') {
      return {
        ...base,
        IndexName: s.gsiName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':pk': { S: request.messageId } },
      };
    }
    return {
      ...base,
      ConsistentRead: s.consistentRead,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { ...names, '#sk': s.sortKey ?? 'ses_sk' },
      ExpressionAttributeValues: {
        ':pk': { S: request.sourceAddress ?? '' },
        ':prefix': { S: `${request.messageId}#` },
      },
    };
  }

  async #batchGetAll(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    const ids = requests.map((request) => request.messageId);
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
      chunks.push(ids.slice(start, start + BATCH_GET_LIMIT));
    }
    const answers = new Map<string, MetadataResult>();
    await Promise.all(
      chunks.map((chunk) =>
        this.#limit(async () => {
          for (const [id, answer] of await this.#batchGetChunk(chunk)) answers.set(id, answer);
        }),
      ),
    );
    return answers;
  }

  /**
   * One BatchGetItem chunk. UnprocessedKeys (partial throttling, or the 16 MB response cap) are asked for
   * again after a jittered backoff; a thrown throttling/network error is retried the same way. Keys still
   * open when the attempt budget runs out get a retriable error, never a NOT_FOUND.
   */
  async #batchGetChunk(messageIds: readonly string[]): Promise<Map<string, MetadataResult>> {
    const s = this.#settings;
    const userProjection = projectionFor(s.projection);
    // The key attributes must come back so each item can be matched to its message id.
    const keyNames = s.sortKey === undefined ? [s.partitionKey] : [s.partitionKey, s.sortKey];
    const projection =
      s.projection.length === 0
        ? userProjection
        : projectionFor([...new Set([...s.projection, ...keyNames])]);
    const keyOf = (messageId: string): Item => ({
      [s.partitionKey]: { S: messageId },
      ...(s.sortKey === undefined ? {} : { [s.sortKey]: { S: s.sortKeyValue ?? '' } }),
    });

    const items = new Map<string, Item>();
    const outcome = await drain(
      this.#policy(),
      messageIds.map(keyOf),
      async (pending) => {
        const output = await this.#batchGet(pending, projection);
        for (const item of output.Responses?.[s.table] ?? []) {
          const id = item[s.partitionKey]?.S;
          if (id !== undefined) items.set(id, item);
        }
        return output.UnprocessedKeys?.[s.table]?.Keys ?? [];
      },
      (thrown) => toEnrichError(thrown, { table: s.table, operation: 'BatchGetItem' }),
      (error) => error.retriable,
    );
    const leftError =
      outcome.error ??
      new PipelineError(
        'enrich',
        'METADATA_UNPROCESSED_KEYS',
        `DynamoDB BatchGetItem on table "${s.table}" left ${outcome.left.length} keys unprocessed after ${outcome.attempts} attempts (throttled)`,
        { retriable: true },
      );
    const failures = new Map<string, PipelineError>(
      outcome.left.map((key) => [key[s.partitionKey]?.S ?? '', leftError]),
    );

    const answers = new Map<string, MetadataResult>();
    for (const id of messageIds) {
      const item = items.get(id);
      const failure = failures.get(id);
      if (item !== undefined)
        answers.set(id, this.#found(item, s.projection.length === 0 ? undefined : s.projection));
      else answers.set(id, failure ?? this.#notFound());
    }
    return answers;
  }

  #withRetry<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return retryCall(
      this.#policy(),
      call,
      (thrown) => toEnrichError(thrown, { table: this.#settings.table, operation }),
      (error) => error.retriable,
    );
  }

  #policy(): BackoffPolicy {
    return {
      maxAttempts: this.#settings.maxAttempts,
      baseMs: this.#settings.backoffBaseMs,
      maxMs: this.#settings.backoffMaxMs,
      random: this.#random,
      sleep: this.#sleep,
    };
  }

  #asError(thrown: unknown, operation: string): PipelineError {
    return toEnrichError(thrown, { table: this.#settings.table, operation });
  }

  #found(item: Item, keep?: readonly string[]): EmailMetadata {
    const attributes = stringifyItem(item);
    if (keep !== undefined) {
      for (const name of Object.keys(attributes)) if (!keep.includes(name)) delete attributes[name];
    }
    return { status: 'FOUND', attributes, source: this.#source };
  }

  #notFound(): EmailMetadata {
    return { status: 'NOT_FOUND', attributes: {}, source: this.#source };
  }
}

/** Attribute names go through ExpressionAttributeNames so reserved words (`status`, `name`) work. */
function projectionFor(names: readonly string[]): { expression?: string; names: Record<string, string> } {
  if (names.length === 0) return { names: {} };
  const placeholders: Record<string, string> = {};
  names.forEach((name, index) => {
    placeholders[`#p${index}`] = name;
  });
  return { expression: Object.keys(placeholders).join(', '), names: placeholders };
}

function unexpectedlyMissing(): PipelineError {
  return new PipelineError(
    'enrich',
    'METADATA_RESULT_MISSING',
    'the DynamoDB store produced no answer for a lookup',
    {
      retriable: true,
    },
  );
}
