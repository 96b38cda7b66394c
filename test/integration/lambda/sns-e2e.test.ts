import assert from 'node:assert/strict';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { EVENT_HEADERS } from '../../../src/kafka/headers.ts';
import { handleSnsEvent } from '../../../src/lambda/sns-handler.ts';
import { EVENT_ID_HEADER } from '../../../src/pipeline.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { parseSnsRecord } from '../../../src/ses/index.ts';
import {
  deleteTable,
  localDynamoDbClient,
  seedPredecessorTable,
  uniqueTableName,
} from '../../support/dynamodb.ts';
import {
  collectRecords,
  createTopics,
  type Fixture,
  lambdaContext,
  loadFixtures,
  localDecoder,
  localPipelineEnv,
  snsEvent,
  tally,
  uniqueName,
} from '../../support/pipeline.ts';

/*
 * Every SES fixture (10 event-publishing types, 5 identity notifications, the edge cases) through the
 * real SNS handler into the local stack's Kafka, once per registry, read back and decoded. Needs
 * `npx tsx src/cli/main.ts stack up`.
 */

interface Expected {
  fixture: Fixture;
  messageId: string;
  eventType: string;
  /** The bare sender address: the predecessor table's partition key. */
  sender: string;
}

function expectationFor(fixture: Fixture): Expected {
  const json = JSON.parse(fixture.text) as {
    eventType?: string;
    notificationType?: string;
    mail: { messageId: string; source: string };
  };
  const angle = /<([^<>]+)>\s*$/.exec(json.mail.source);
  return {
    fixture,
    messageId: json.mail.messageId,
    eventType: (json.eventType ?? json.notificationType) as string,
    sender: angle?.[1] ?? json.mail.source,
  };
}

/** Emails the application "wrote" a row for; among them a display-name sender and a notification. */
const SEEDED = new Set([
  'event-publishing/send.json', // also covers delivery.json: same email
  'event-publishing/bounce.json',
  'event-publishing/complaint.json',
  'event-publishing/open.json', // also covers click.json
  'event-publishing/rendering-failure.json',
  'notification/bounce-with-dsn.json',
  'notification/delivery.json',
  'edge/named-source.json',
  'edge/unknown-event-type.json',
]);

/** The row's attributes as the Avro `metadata.attributes` map holds them: every value as text. */
function asAttributeStrings(row: Record<string, NativeAttributeValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, String(value)]));
}

const fixtures = loadFixtures('event-publishing', 'notification', 'edge');
const expectations = fixtures.map(expectationFor);

describe('Lambda SNS handler end to end (real Kafka, registry and DynamoDB)', function () {
  this.timeout(180_000);
  const dynamo = localDynamoDbClient();
  const table = uniqueTableName('lambda_e2e');
  /** `<sender>|<messageId>` → the seeded row. */
  const rows = new Map<string, Record<string, NativeAttributeValue>>();

  before(async () => {
    assert.equal(fixtures.length, 21, 'fixture set changed: 10 event-publishing + 5 notification + 6 edge');
    const seeded = expectations.filter((e) => SEEDED.has(e.fixture.name));
    const written = await seedPredecessorTable(
      dynamo,
      table,
      seeded.map((e, index) => ({
        sourceAddress: e.sender,
        messageId: e.messageId,
        date: '2024-03-11T09:15:00.000Z',
        attributes: {
          campaign: `campaign-${index}`,
          tenant: 'tenant-42',
          templateVersion: index + 1,
          transactional: index % 2 === 0,
        },
      })),
    );
    for (const row of written) rows.set(`${row.ses_pk}|${String(row.ses_sk).split('#')[0]}`, row);
  });

  after(async () => {
    await deleteTable(dynamo, table);
    dynamo.destroy();
  });

  for (const registry of ['confluent', 'glue'] as const) {
    describe(`SES_KAFKA_REGISTRY=${registry}`, () => {
      const topic = uniqueName(`lambda-e2e-${registry}`);
      const dlqTopic = `${topic}.dlq`;
      let runtime: Runtime;

      before(async () => {
        await createTopics([topic, dlqTopic]);
        runtime = buildRuntime(localPipelineEnv({ topic, dlqTopic, table, registry }));
      });

      after(async () => {
        await runtime?.producer.close();
      });

      it('publishes one decodable, enriched record per SES event, keyed by messageId', async () => {
        const event = snsEvent(fixtures.map((fixture) => fixture.text));
        const started = Date.now();
        const summary = await handleSnsEvent(event, lambdaContext(30_000), runtime);
        const coldMs = Date.now() - started;
        assert.deepEqual(summary, {
          received: fixtures.length,
          produced: fixtures.length,
          filtered: 0,
          deadLettered: 0,
          redeliver: 0,
        });

        // A second, warm invocation of one event: the figure the lead quotes for warm latency.
        const warmStarted = Date.now();
        await handleSnsEvent(snsEvent([fixtures[0]?.text as string]), lambdaContext(30_000), runtime);
        const warmMs = Date.now() - warmStarted;
        console.log(
          `      [${registry}] cold invocation (21 events) ${coldMs} ms, warm (1 event) ${warmMs} ms`,
        );

        const expectedIds = new Map<string, Expected>();
        event.Records.forEach((record, index) => {
          const parsed = parseSnsRecord(record);
          assert.ok(parsed.ok, `${expectations[index]?.fixture.name} should parse`);
          expectedIds.set(parsed.event.eventId, expectations[index] as Expected);
        });
        assert.equal(expectedIds.size, fixtures.length, 'each fixture has its own eventId');

        const records = await collectRecords(topic, { count: fixtures.length + 1, idleMs: 5_000 });
        const decoder = localDecoder();
        const decoded = await Promise.all(
          records.map(async (record) => ({
            record,
            ...(await decoder.decode(record.value as Buffer)),
          })),
        );
        const counts = tally(decoded.map(({ value }) => (value as { eventId: string }).eventId));
        const warmEventId = [...expectedIds.keys()][0];
        for (const [eventId, expected] of expectedIds) {
          // The warm invocation sent the first fixture again: same eventId, which consumers upsert on.
          const wanted = eventId === warmEventId ? 2 : 1;
          assert.equal(counts.get(eventId), wanted, `${expected.fixture.name}: records with its eventId`);
        }
        assert.equal(decoded.length, fixtures.length + 1, 'nothing else in the topic');

        for (const { record, value, schemaRef } of decoded) {
          const v = value as {
            eventId: string;
            eventType: string;
            mail: { messageId: string };
            metadata: { status: string; attributes: Record<string, string>; source: string | null };
            source: { envelope: string | null; snsMessageId: string | null };
          };
          const expected = expectedIds.get(v.eventId) as Expected;
          const name = expected.fixture.name;
          assert.equal(v.eventType, expected.eventType, `${name}: eventType`);
          assert.equal(v.mail.messageId, expected.messageId, `${name}: mail.messageId`);
          assert.equal(record.key, expected.messageId, `${name}: Kafka key is mail.messageId`);
          assert.equal(record.headers[EVENT_HEADERS.eventType], expected.eventType, `${name}: type header`);
          assert.equal(record.headers[EVENT_HEADERS.schemaId], schemaRef.id, `${name}: schema id header`);
          assert.equal(record.headers[EVENT_ID_HEADER], v.eventId, `${name}: eventId header`);
          if (schemaRef.version !== undefined) {
            assert.equal(
              record.headers[EVENT_HEADERS.schemaVersion],
              String(schemaRef.version),
              `${name}: version`,
            );
          }
          assert.equal(schemaRef.format, registry, `${name}: wire format`);
          assert.equal(v.source.envelope, 'sns-lambda', `${name}: source.envelope`);

          const row = rows.get(`${expected.sender}|${expected.messageId}`);
          if (row === undefined) {
            assert.equal(v.metadata.status, 'NOT_FOUND', `${name}: no row was seeded`);
            assert.deepEqual(v.metadata.attributes, {}, `${name}: NOT_FOUND carries no attributes`);
          } else {
            assert.equal(v.metadata.status, 'FOUND', `${name}: a row was seeded for ${expected.messageId}`);
            assert.deepEqual(
              v.metadata.attributes,
              asAttributeStrings(row),
              `${name}: the item's attributes`,
            );
          }
        }
        const found = decoded.filter(
          ({ value }) => (value as { metadata: { status: string } }).metadata.status === 'FOUND',
        );
        assert.ok(found.length >= SEEDED.size, 'every seeded email was found at least once');

        const deadLetters = await collectRecords(dlqTopic, { idleMs: 2_000, timeoutMs: 10_000 });
        assert.equal(deadLetters.length, 0, 'no valid event is dead-lettered');
      });
    });
  }
});
