import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type { DemoMetadataRow } from './ses-event-stream.ts';

/** Creates the predecessor's table (`ses_pk` sender address, `ses_sk` `<messageId>#<date>`) when missing. */
export async function ensurePredecessorTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'ses_pk', AttributeType: 'S' },
        { AttributeName: 'ses_sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'ses_pk', KeyType: 'HASH' },
        { AttributeName: 'ses_sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Writes the rows in BatchWriteItem calls of 25 (DynamoDB's limit), retrying unprocessed items. */
export async function seedMetadataRows(
  client: DynamoDBClient,
  table: string,
  rows: readonly DemoMetadataRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += 25) {
    let requests = rows.slice(start, start + 25).map((row) => ({
      PutRequest: {
        Item: {
          ses_pk: { S: row.sourceAddress },
          ses_sk: { S: `${row.messageId}#${row.date}` },
          ...Object.fromEntries(Object.entries(row.attributes).map(([name, value]) => [name, { S: value }])),
        },
      },
    }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === 5)
        throw new Error(`DynamoDB left ${requests.length} items unprocessed after 5 attempts`);
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
      if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
