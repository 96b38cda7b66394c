import { randomBytes } from 'node:crypto';
import {
  type AttributeDefinition,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { marshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../../src/stack/endpoints.ts';

/** Test helpers for DynamoDB tables on the local stack's dynalite. */

/** A client for the stack's dynalite (or another endpoint), with the local credentials. */
export function localDynamoDbClient(endpoint: string = stackEndpoints().dynamodbEndpoint): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    maxAttempts: 1,
  });
}

/** A table name no parallel test run will also pick. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export interface TableLayout {
  partitionKey: string;
  sortKey?: string;
  /** A global secondary index keyed by one string attribute (all attributes projected). */
  gsi?: { name: string; partitionKey: string };
}

export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  layout: TableLayout,
): Promise<void> {
  const names = [layout.partitionKey, layout.sortKey, layout.gsi?.partitionKey].filter(
    (name): name is string => name !== undefined,
  );
  const definitions: AttributeDefinition[] = [...new Set(names)].map((name) => ({
    AttributeName: name,
    AttributeType: 'S',
  }));
  const input: CreateTableCommandInput = {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: definitions,
    KeySchema: [
      { AttributeName: layout.partitionKey, KeyType: 'HASH' },
      ...(layout.sortKey === undefined ? [] : [{ AttributeName: layout.sortKey, KeyType: 'RANGE' as const }]),
    ],
    ...(layout.gsi === undefined
      ? {}
      : {
          GlobalSecondaryIndexes: [
            {
              IndexName: layout.gsi.name,
              KeySchema: [{ AttributeName: layout.gsi.partitionKey, KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
  };
  await client.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}

/** Writes plain objects (marshalled) in BatchWriteItem chunks of 25, re-sending unprocessed items. */
export async function putItems(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Record<string, NativeAttributeValue>[],
): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    let requests = items
      .slice(start, start + 25)
      .map((item) => ({ PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 10)
        throw new Error(`putItems: ${requests.length} items stayed unprocessed in ${tableName}`);
      const output = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
}

/** One row the way the predecessor's application wrote it. */
export interface PredecessorItem {
  /** Bare sender address: the partition key `ses_pk`. */
  sourceAddress: string;
  messageId: string;
  /** The `<date>` part of the sort key `ses_sk = <messageId>#<date>`; defaults to now (ISO 8601). */
  date?: string;
  /** The application's own columns (campaign, template, user, tenant...). */
  attributes?: Record<string, NativeAttributeValue>;
}

/**
 * Creates `tableName` with the predecessor's layout (partition key `ses_pk`, sort key `ses_sk`) unless it
 * exists, and writes the items. Returns the DynamoDB items as written, for comparing with what the
 * pipeline published.
 */
export async function seedPredecessorTable(
  client: DynamoDBClient,
  tableName: string,
  items: readonly PredecessorItem[],
): Promise<Record<string, NativeAttributeValue>[]> {
  try {
    await createTable(client, tableName, { partitionKey: 'ses_pk', sortKey: 'ses_sk' });
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  const rows = items.map((item) => ({
    ...item.attributes,
    ses_pk: item.sourceAddress,
    ses_sk: `${item.messageId}#${item.date ?? new Date().toISOString()}`,
  }));
  await putItems(client, tableName, rows);
  return rows;
}
