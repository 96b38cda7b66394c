import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DemoMetadataRow } from './ses-event-stream.ts';

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
