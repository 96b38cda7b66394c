import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/**
 * Creates the predecessor's table (`ses_pk` sender address, `ses_sk` `<messageId>#<date>`) when missing,
 * and returns once it is ACTIVE: a table still CREATING answers reads and writes with "not found", which
 * on a busy machine (dynalite takes its time too) failed the first write after the create.
 */
export async function ensurePredecessorTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus !== 'CREATING') return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await createPredecessorTable(client, table);
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: table });
}

async function createPredecessorTable(client: DynamoDBClient, table: string): Promise<void> {
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
