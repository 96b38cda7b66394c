import assert from 'node:assert/strict';
import type { SQSRecord } from 'aws-lambda';
import { DLQ_HEADERS } from '../../../src/kafka/dlq.ts';
import { handleSqsEvent } from '../../../src/lambda/sqs-handler.ts';
import { EVENT_ID_HEADER } from '../../../src/pipeline.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { parseAnyInput, parseSqsRecord } from '../../../src/ses/index.ts';
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
  distinctSesEvents,
  lambdaContext,
  loadFixtures,
  localPipelineEnv,
  snsNotification,
  sqsEvent,
  sqsRecord,
  tally,
  uniqueName,
} from '../../support/pipeline.ts';

/*
 * SNS → SQS → Lambda with ReportBatchItemFailures, on the local stack: raw and non-raw message delivery
 * mixed with bodies that can never succeed (dead-lettered, never reported, so SQS does not redeliver
 * them forever) and records whose enrichment fails for now (reported, so SQS redelivers them).
 */

const byName = new Map(
  loadFixtures('event-publishing', 'notification', 'edge', 'malformed').map((f) => [f.name, f.text]),
);
function fixture(name: string): string {
  const text = byName.get(name);
  if (text === undefined) throw new Error(`no fixture ${name}`);
  return text;
}

/** The body SNS writes to SQS without raw message delivery: the whole notification as JSON. */
function nonRawBody(sesJson: string, snsMessageId: string): string {
  return JSON.stringify(snsNotification(sesJson, snsMessageId));
}

interface Malformed {
  record: SQSRecord;
  code: string;
  /** The error message starts with the path of what is wrong. */
  path: string;
}

function malformedRecords(prefix: string): Malformed[] {
  return [
    {
      record: sqsRecord('{"eventType": "Send", "mail": {', `${prefix}-raw-not-json`),
      code: 'SES_NOT_JSON',
      path: 'body',
    },
    {
      record: sqsRecord(
        nonRawBody(fixture('malformed/not-json.txt'), `${prefix}-sns`),
        `${prefix}-sns-not-json`,
      ),
      code: 'SES_NOT_JSON',
      path: 'body.Message',
    },
    {
      record: sqsRecord(fixture('malformed/not-ses.json'), `${prefix}-raw-not-ses`),
      code: 'SES_INVALID',
      path: 'eventType',
    },
    {
      record: sqsRecord(fixture('malformed/missing-message-id.json'), `${prefix}-raw-no-message-id`),
      code: 'SES_INVALID',
      path: 'mail.messageId',
    },
    {
      record: sqsRecord(
        nonRawBody(fixture('malformed/missing-message-id.json'), `${prefix}-sns2`),
        `${prefix}-sns-no-message-id`,
      ),
      code: 'SES_INVALID',
      path: 'mail.messageId',
    },
    {
      record: sqsRecord(
        nonRawBody(fixture('malformed/wrong-types.json'), `${prefix}-sns3`),
        `${prefix}-sns-wrong-types`,
      ),
      code: 'SES_INVALID',
      path: 'mail.timestamp',
    },
  ];
}

function eventIdOf(record: SQSRecord): string {
  const parsed = parseSqsRecord(record);
  assert.ok(parsed.ok, `${record.messageId} should parse`);
  return parsed.event.eventId;
}

/** Dead letters by the SQS messageId inside their payload (the SQS record as received). */
function deadLettersById(records: readonly CollectedRecord[]): Map<string, CollectedRecord[]> {
  const byId = new Map<string, CollectedRecord[]>();
  for (const record of records) {
    const id = (JSON.parse(String(record.value)) as { messageId: string }).messageId;
    byId.set(id, [...(byId.get(id) ?? []), record]);
  }
  return byId;
}

function assertDeadLetter(found: CollectedRecord[] | undefined, expected: Malformed): void {
  const id = expected.record.messageId;
  assert.equal(found?.length, 1, `${id}: exactly one dead letter`);
  const letter = found?.[0] as CollectedRecord;
  const payload = JSON.parse(String(letter.value)) as { body: string };
  assert.equal(payload.body, expected.record.body, `${id}: the original body, byte for byte`);
  assert.equal(letter.headers[DLQ_HEADERS.stage], 'parse', `${id}: stage header`);
  assert.equal(letter.headers[DLQ_HEADERS.code], expected.code, `${id}: code header`);
  assert.ok(
    letter.headers[DLQ_HEADERS.message]?.startsWith(`${expected.path}:`),
    `${id}: message names ${expected.path}, got ${letter.headers[DLQ_HEADERS.message]}`,
  );
  // A dead letter can be replayed: it parses back to the same failure.
  const replayed = parseAnyInput(String(letter.value));
  assert.equal(replayed.length, 1);
  assert.equal(replayed[0]?.ok, false);
  assert.equal(replayed[0]?.ok === false && replayed[0].error.code, expected.code, `${id}: replay`);
}

describe('Lambda SQS handler: batch item failures and dead letters (real stack)', function () {
  this.timeout(120_000);
  const dynamo = localDynamoDbClient();
  const table = uniqueTableName('lambda_sqs');
  const topic = uniqueName('lambda-sqs');
  const dlqTopic = `${topic}.dlq`;
  let healthy: Runtime;
  let dynamoDown: Runtime;

  before(async () => {
    await createTopics([topic, dlqTopic]);
    await seedPredecessorTable(dynamo, table, []);
    healthy = buildRuntime(localPipelineEnv({ topic, dlqTopic, table, registry: 'confluent' }));
    dynamoDown = buildRuntime(
      localPipelineEnv({
        topic,
        dlqTopic,
        table,
        registry: 'confluent',
        extra: { DYNAMODB_ENDPOINT: `http://127.0.0.1:${await closedPort()}` },
      }),
    );
  });

  after(async () => {
    await healthy?.producer.close();
    await dynamoDown?.producer.close();
    await deleteTable(dynamo, table);
    dynamo.destroy();
  });

  it('dead-letters malformed bodies, reports only retriable failures, publishes the rest', async () => {
    const good = [
      sqsRecord(fixture('event-publishing/delivery.json'), 'good-raw-delivery'),
      sqsRecord(nonRawBody(fixture('event-publishing/bounce.json'), 'sns-bounce'), 'good-sns-bounce'),
      sqsRecord(fixture('notification/complaint-with-feedback.json'), 'good-raw-notification'),
      sqsRecord(nonRawBody(fixture('edge/named-source.json'), 'sns-named'), 'good-sns-named-source'),
    ];
    const control = sqsRecord(
      fixture('malformed/sns-subscription-confirmation.json'),
      'control-confirmation',
    );
    const malformed = malformedRecords('bad1');
    const bad = malformed.map((m) => m.record);
    // Interleaved, so a bad record between good ones cannot hold them back.
    const batch1Records = [
      good[0],
      bad[0],
      bad[1],
      good[1],
      control,
      bad[2],
      good[2],
      bad[3],
      bad[4],
      bad[5],
      good[3],
    ] as SQSRecord[];
    const response1 = await handleSqsEvent(sqsEvent(batch1Records), lambdaContext(), healthy);
    assert.deepEqual(response1.batchItemFailures, [], 'nothing needs redelivery: bad input is dead-lettered');

    // Enrichment down: the good records of this batch are reported; the malformed ones still go to the DLQ.
    const retriable = [
      sqsRecord(fixture('event-publishing/open.json'), 'retry-raw-open'),
      sqsRecord(nonRawBody(fixture('notification/delivery.json'), 'sns-delivery'), 'retry-sns-delivery'),
    ];
    const malformed2 = malformedRecords('bad2').slice(0, 3);
    const batch2 = [retriable[0], ...malformed2.map((m) => m.record), retriable[1]] as SQSRecord[];
    const response2 = await handleSqsEvent(sqsEvent(batch2), lambdaContext(), dynamoDown);
    assert.deepEqual(
      response2.batchItemFailures.map((failure) => failure.itemIdentifier).sort(),
      retriable.map((record) => record.messageId).sort(),
      'exactly the records whose enrichment failed are reported',
    );

    const afterFailure = await collectRecords(topic, { count: good.length + 1, idleMs: 3_000 });
    const idsAfterFailure = new Set(afterFailure.map((record) => record.headers[EVENT_ID_HEADER]));
    for (const record of retriable) {
      assert.ok(!idsAfterFailure.has(eventIdOf(record)), `${record.messageId} must not be published yet`);
    }

    // SQS redelivers what was reported; with DynamoDB back, it goes through.
    const redelivered = batch2.filter((record) =>
      response2.batchItemFailures.some((failure) => failure.itemIdentifier === record.messageId),
    );
    const response3 = await handleSqsEvent(sqsEvent(redelivered), lambdaContext(), healthy);
    assert.deepEqual(response3.batchItemFailures, []);

    const published = [...good, ...retriable];
    const events = await collectRecords(topic, { count: published.length + 1, idleMs: 3_000 });
    assert.deepEqual(
      events.map((record) => record.headers[EVENT_ID_HEADER]).sort(),
      published.map(eventIdOf).sort(),
      'the topic holds each good event once, and nothing else',
    );

    const allMalformed = [...malformed, ...malformed2];
    const letters = await collectRecords(dlqTopic, { count: allMalformed.length + 1, idleMs: 3_000 });
    const lettersById = deadLettersById(letters);
    for (const expected of allMalformed)
      assertDeadLetter(lettersById.get(expected.record.messageId), expected);
    assert.equal(letters.length, allMalformed.length, 'no good or control record is dead-lettered');
    assert.ok(!lettersById.has(control.messageId), 'control messages are dropped, not dead-lettered');
  });
  it('publishes a batch bigger than one Kafka request (40 events of ~75 KB) exactly once each', async () => {
    // SQS hands Lambda up to 6 MB per invocation while a broker takes about 1 MB per partition per
    // request (message.max.bytes), so the producer has to cope with a batch no single request can hold.
    const padding = 'x'.repeat(75_000);
    const records = distinctSesEvents(40, uniqueName('large-batch')).map((text, index) => {
      const event = JSON.parse(text) as { mail: { headers?: { name: string; value: string }[] } };
      event.mail.headers = [...(event.mail.headers ?? []), { name: 'X-Padding', value: padding }];
      return sqsRecord(JSON.stringify(event), `large-${index}`);
    });
    const largeTopic = uniqueName('lambda-sqs-large');
    await createTopics([largeTopic, `${largeTopic}.dlq`]);
    const runtime = buildRuntime(
      localPipelineEnv({ topic: largeTopic, dlqTopic: `${largeTopic}.dlq`, table, registry: 'confluent' }),
    );
    try {
      const response = await handleSqsEvent(sqsEvent(records), lambdaContext(), runtime);
      assert.deepEqual(response.batchItemFailures, [], 'every record of the batch was sent');
    } finally {
      await runtime.producer.close();
    }
    const counts = tally(
      (await collectRecords(largeTopic, { count: records.length * 2, idleMs: 3_000 })).map(
        (record) => record.headers[EVENT_ID_HEADER] ?? '(none)',
      ),
    );
    const duplicated = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
    assert.deepEqual(duplicated, [], 'no record written twice');
    assert.deepEqual([...counts.keys()].sort(), records.map(eventIdOf).sort(), 'each event once');
  });
});
