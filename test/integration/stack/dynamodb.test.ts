import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  BatchGetItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../../../src/stack/endpoints.ts';
import { ensurePredecessorTable } from '../../../src/stack/metadata-table.ts';

const dynamodb = new DynamoDBClient({
  endpoint: stackEndpoints().dynamodbEndpoint,
  region: LOCAL_AWS_REGION,
  credentials: LOCAL_AWS_CREDENTIALS,
});

describe("local stack: dynalite with the predecessor's table layout", () => {
  const table = `ses_my_poc_${randomUUID().slice(0, 8)}`;

  before(async () => {
    await ensurePredecessorTable(dynamodb, table);
    for (const [messageId, campaign] of [
      ['0100-msg-a', 'spring-sale'],
      ['0100-msg-b', 'welcome'],
    ]) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ses_pk: { S: 'sender@example.com' },
            ses_sk: { S: `${messageId}#2026-11-27` },
            campaign: { S: campaign as string },
          },
        }),
      );
    }
  });

  after(async () => {
    await dynamodb.send(new DeleteTableCommand({ TableName: table }));
  });

  it('finds an item by sender and messageId prefix with begins_with', async () => {
    const result = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'ses_pk = :pk AND begins_with(ses_sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: 'sender@example.com' }, ':prefix': { S: '0100-msg-a#' } },
      }),
    );
    assert.equal(result.Count, 1);
    assert.equal(result.Items?.[0]?.campaign?.S, 'spring-sale');
  });

  it('reads several items in one BatchGetItem', async () => {
    const result = await dynamodb.send(
      new BatchGetItemCommand({
        RequestItems: {
          [table]: {
            Keys: [
              { ses_pk: { S: 'sender@example.com' }, ses_sk: { S: '0100-msg-a#2026-11-27' } },
              { ses_pk: { S: 'sender@example.com' }, ses_sk: { S: '0100-msg-b#2026-11-27' } },
              { ses_pk: { S: 'sender@example.com' }, ses_sk: { S: 'missing#2026-11-27' } },
            ],
          },
        },
      }),
    );
    const campaigns = (result.Responses?.[table] ?? []).map((item) => item.campaign?.S).sort();
    assert.deepEqual(campaigns, ['spring-sale', 'welcome']);
  });
});
