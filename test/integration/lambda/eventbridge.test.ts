// biome-ignore-all lint/suspicious/noExplicitAny: decoded Avro values and fixtures are untyped JSON
import assert from 'node:assert/strict';
import type { EventBridgeEvent, SQSRecord } from 'aws-lambda';
import { handleEventBridgeEvent } from '../../../src/lambda/eventbridge-handler.ts';
import type { InvocationSummary } from '../../../src/lambda/invoke.ts';
import { RedeliveryRequired } from '../../../src/lambda/invoke.ts';
import { handleSqsEvent } from '../../../src/lambda/sqs-handler.ts';
import { EVENT_ID_HEADER } from '../../../src/pipeline.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { EVENT_TYPE_BY_DETAIL_TYPE, parseAnyInput } from '../../../src/ses/index.ts';
import {
  deleteTable,
  localDynamoDbClient,
  seedPredecessorTable,
  uniqueTableName,
} from '../../support/dynamodb.ts';
import {
  type CollectedRecord,
  closedPort,
  collectRecords,
  createTopics,
  type Env,
  type Fixture,
  lambdaContext,
  loadFixtures,
  localDecoder,
  localPipelineEnv,
  snsNotification,
  sqsEvent,
  sqsRecord,
  topicRecordCount,
  uniqueName,
} from '../../support/pipeline.ts';

/*
 * The EventBridge door through the real stack (Kafka, Apicurio or moto Glue, dynalite): a rule invoking
 * the function (lambda.eventBridgeHandler), and a rule delivering to SQS (lambda.sqsHandler). Every email
 * detail-type, the edge cases, the service events and a contradicting event; records read back and
 * decoded. Needs `npx tsx src/cli/main.ts stack up`.
 */

const EMAIL = loadFixtures('eventbridge', 'eventbridge-edge');
const SERVICE = loadFixtures('eventbridge-service');
const MISMATCH = loadFixtures('malformed').filter((f) => f.name.includes('detail-type-mismatch'));

function json(fixture: Fixture): any {
  return JSON.parse(fixture.text);
}

/**
 * The eventId the SNS door gives the same SES event: what every EventBridge copy must carry. The SNS
 * Message always names its eventType; a detail without one stands for the eventType of its detail-type.
 */
function snsEventId(event: any): string {
  const detail = { eventType: EVENT_TYPE_BY_DETAIL_TYPE[event['detail-type']], ...event.detail };
  const [outcome] = parseAnyInput(
    JSON.stringify({
      Records: [{ EventSource: 'aws:sns', Sns: snsNotification(JSON.stringify(detail), 'x') }],
    }),
  );
  if (!outcome?.ok) assert.fail(`the SNS copy does not parse: ${outcome?.error.message}`);
  return outcome.event.eventId;
}

async function decodeAll(records: CollectedRecord[]): Promise<any[]> {
  const decoder = localDecoder();
  return Promise.all(records.map(async (record) => (await decoder.decode(record.value as Buffer)).value));
}

describe('Lambda EventBridge door end to end (real Kafka, registry and DynamoDB)', function () {
  this.timeout(240_000);
  const dynamo = localDynamoDbClient();
  const table = uniqueTableName('eventbridge_e2e');
  const bounce = json(EMAIL.find((f) => f.name === 'eventbridge/bounce.json') as Fixture);
  const noServiceTopic = uniqueName('eventbridge-no-service');
  const retryTopic = uniqueName('eventbridge-retry');

  before(async () => {
    // Created up front: a topic's leader can still be moving right after creation.
    await createTopics([noServiceTopic, `${noServiceTopic}.dlq`, retryTopic, `${retryTopic}.dlq`]);
    assert.equal(EMAIL.length, 13, '10 email detail-types + 3 edge cases');
    assert.equal(SERVICE.length, 4);
    // The bounced email has a row, so enrichment is seen to work through this door too.
    await seedPredecessorTable(dynamo, table, [
      {
        sourceAddress: 'orders@example.com',
        messageId: bounce.detail.mail.messageId,
        date: '2024-03-11T09:15:00.000Z',
        attributes: { campaign: 'welcome', tenant: 'tenant-7' },
      },
    ]);
  });

  after(async () => {
    await deleteTable(dynamo, table);
    dynamo.destroy();
  });

  for (const registry of ['confluent', 'glue'] as const) {
    it(`${registry}: a rule invoking the function: every email event produced once with the SNS eventId; service events to their topic; a contradiction dead-lettered`, async () => {
      const topic = uniqueName(`eventbridge-${registry}`);
      const dlqTopic = `${topic}.dlq`;
      const serviceTopic = `${topic}.service`;
      await createTopics([topic, dlqTopic, serviceTopic]);
      const runtime = buildRuntime(
        localPipelineEnv({
          topic,
          dlqTopic,
          table,
          registry,
          extra: { SES_KAFKA_SERVICE_EVENTS_TOPIC: serviceTopic },
        }),
      );
      try {
        // EventBridge invokes the function once per event.
        const summaries: InvocationSummary[] = [];
        for (const fixture of [...EMAIL, ...SERVICE, ...MISMATCH]) {
          const event = json(fixture) as EventBridgeEvent<string, unknown>;
          summaries.push(await handleEventBridgeEvent(event, lambdaContext(30_000), runtime));
        }
        const total = (key: 'produced' | 'deadLettered' | 'filtered' | 'redeliver') =>
          summaries.reduce((sum, summary) => sum + summary[key], 0);
        assert.deepEqual(
          {
            produced: total('produced'),
            deadLettered: total('deadLettered'),
            filtered: total('filtered'),
            redeliver: total('redeliver'),
          },
          { produced: EMAIL.length + SERVICE.length, deadLettered: 1, filtered: 0, redeliver: 0 },
        );

        const records = await collectRecords(topic, { count: EMAIL.length });
        const values = await decodeAll(records);
        const byEventBridgeId = new Map(values.map((value) => [value.source.eventBridgeId, value]));
        for (const fixture of EMAIL) {
          const event = json(fixture);
          const value = byEventBridgeId.get(event.id);
          assert.ok(value, `${fixture.name} is in the topic`);
          assert.equal(value.eventId, snsEventId(event), `${fixture.name}: the SNS door's eventId`);
          assert.equal(value.eventType, event.detail.eventType ?? 'Delivery');
          assert.deepEqual(
            {
              envelope: value.source.envelope,
              detailType: value.source.eventBridgeDetailType,
              time: value.source.eventBridgeTime,
              replay: value.source.eventBridgeReplayName,
              configurationSet: value.source.configurationSet,
              snsMessageId: value.source.snsMessageId,
            },
            {
              envelope: 'eventbridge',
              detailType: event['detail-type'],
              time: Date.parse(event.time),
              replay: event['replay-name'] ?? null,
              configurationSet: event.resources[0].split('/')[1],
              snsMessageId: null,
            },
            fixture.name,
          );
        }
        assert.equal(values.length, EMAIL.length, 'nothing else in the event topic');
        const enriched = values.find((value) => value.source.eventBridgeId === bounce.id);
        assert.equal(enriched.metadata.status, 'FOUND');
        assert.equal(enriched.metadata.attributes.campaign, 'welcome');
        for (const record of records)
          assert.equal(record.headers[EVENT_ID_HEADER], (values[records.indexOf(record)] as any).eventId);

        const service = await collectRecords(serviceTopic, { count: SERVICE.length });
        assert.deepEqual(
          service
            .map((record) => JSON.parse((record.value as Buffer).toString('utf8')))
            .sort((a, b) => a.id.localeCompare(b.id)),
          SERVICE.map(json).sort((a, b) => a.id.localeCompare(b.id)),
          'service events go to their topic as the EventBridge JSON',
        );
        for (const record of service) {
          const event = JSON.parse((record.value as Buffer).toString('utf8'));
          assert.equal(record.key, event.resources[0]);
          assert.equal(record.headers['ses.detailType'], event['detail-type']);
        }
        assert.equal(await topicRecordCount(dlqTopic), 1, 'the contradicting event is a dead letter');
        const [deadLetter] = await collectRecords(dlqTopic, { count: 1 });
        assert.ok(deadLetter?.value);
        assert.equal(deadLetter.headers['ses-kafka.errors.code'], 'SES_DETAIL_TYPE_MISMATCH');
        assert.deepEqual(JSON.parse(deadLetter.value.toString('utf8')), json(MISMATCH[0] as Fixture));
      } finally {
        await runtime.producer.close();
      }
    });
  }

  it('filters service events when no service-events topic is set', async () => {
    const topic = noServiceTopic;
    const runtime = buildRuntime(
      localPipelineEnv({ topic, dlqTopic: `${topic}.dlq`, table, registry: 'confluent' }),
    );
    try {
      for (const fixture of SERVICE) {
        const summary = await handleEventBridgeEvent(json(fixture), lambdaContext(30_000), runtime);
        assert.deepEqual(summary, { received: 1, produced: 0, filtered: 1, deadLettered: 0, redeliver: 0 });
      }
      assert.equal(await topicRecordCount(topic), 0);
      assert.equal(await topicRecordCount(`${topic}.dlq`), 0);
    } finally {
      await runtime.producer.close();
    }
  });

  it('fails the invocation when a retry could succeed (registry down), so Lambda retries it', async () => {
    const topic = retryTopic;
    const port = await closedPort();
    const extra: Env = { SES_KAFKA_REGISTRY_URL: `http://127.0.0.1:${port}/apis/ccompat/v7` };
    const runtime = buildRuntime(
      localPipelineEnv({ topic, dlqTopic: `${topic}.dlq`, table, registry: 'confluent', extra }),
    );
    try {
      await assert.rejects(
        handleEventBridgeEvent(bounce, lambdaContext(20_000), runtime),
        (error: unknown) => {
          assert.ok(error instanceof RedeliveryRequired, `expected RedeliveryRequired, got ${String(error)}`);
          assert.equal(error.retriable, true);
          assert.match(error.message, new RegExp(`1 of 1 inputs need redelivery .*127\\.0\\.0\\.1:${port}`));
          return true;
        },
      );
      assert.equal(await topicRecordCount(topic), 0);
      assert.equal(await topicRecordCount(`${topic}.dlq`), 0, 'a retriable failure is never a dead letter');
    } finally {
      await runtime.producer.close();
    }
  });

  describe('rule -> SQS -> lambda.sqsHandler', () => {
    const topic = uniqueName('eventbridge-sqs');
    const dlqTopic = `${topic}.dlq`;
    const serviceTopic = `${topic}.service`;
    let runtime: Runtime;

    before(async () => {
      await createTopics([topic, dlqTopic, serviceTopic]);
      runtime = buildRuntime(
        localPipelineEnv({
          topic,
          dlqTopic,
          table,
          registry: 'confluent',
          extra: { SES_KAFKA_SERVICE_EVENTS_TOPIC: serviceTopic },
        }),
      );
    });

    after(async () => {
      await runtime?.producer.close();
    });

    it('takes a batch of EventBridge bodies, reports none for redelivery, and records the door and the SQS id', async () => {
      const records: SQSRecord[] = [...EMAIL, ...SERVICE, ...MISMATCH].map((fixture, index) =>
        sqsRecord(fixture.text, `eb-sqs-${index}`),
      );
      const response = await handleSqsEvent(sqsEvent(records), lambdaContext(30_000), runtime);
      assert.deepEqual(response, { batchItemFailures: [] });
      const values = await decodeAll(await collectRecords(topic, { count: EMAIL.length }));
      assert.equal(values.length, EMAIL.length);
      for (const [index, fixture] of EMAIL.entries()) {
        const event = json(fixture);
        const value = values.find((candidate) => candidate.source.eventBridgeId === event.id);
        assert.ok(value, fixture.name);
        assert.equal(value.source.envelope, 'sqs-eventbridge');
        assert.equal(value.source.sqsMessageId, `eb-sqs-${index}`);
        assert.equal(value.eventId, snsEventId(event));
      }
      assert.equal(await topicRecordCount(serviceTopic), SERVICE.length);
      assert.equal(await topicRecordCount(dlqTopic), 1);
    });

    it('with DynamoDB down reports the email events for redelivery; service events need no enrichment and go through', async () => {
      const port = await closedPort();
      const ownService = `${serviceTopic}-2`;
      await createTopics([ownService]);
      const down = buildRuntime(
        localPipelineEnv({
          topic,
          dlqTopic,
          table,
          registry: 'confluent',
          extra: {
            DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
            SES_KAFKA_SERVICE_EVENTS_TOPIC: ownService,
          },
        }),
      );
      try {
        const emailRecords = EMAIL.slice(0, 3).map((fixture, index) =>
          sqsRecord(fixture.text, `down-email-${index}`),
        );
        const serviceRecord = sqsRecord((SERVICE[0] as Fixture).text, 'down-service');
        const before = await topicRecordCount(topic);
        const response = await handleSqsEvent(
          sqsEvent([...emailRecords, serviceRecord]),
          lambdaContext(30_000),
          down,
        );
        assert.deepEqual(
          response.batchItemFailures.map((failure) => failure.itemIdentifier),
          emailRecords.map((record) => record.messageId),
        );
        assert.equal(await topicRecordCount(topic), before, 'nothing half-done reached the event topic');
        assert.equal(await topicRecordCount(ownService), 1);
      } finally {
        await down.producer.close();
      }
    });
  });
});
