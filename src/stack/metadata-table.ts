import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';

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
