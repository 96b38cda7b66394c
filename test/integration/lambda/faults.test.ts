import assert from 'node:assert/strict';
import type { SQSRecord } from 'aws-lambda';
import { PipelineError } from '../../../src/errors.ts';
import { RedeliveryRequired } from '../../../src/lambda/invoke.ts';
import { handleSnsEvent } from '../../../src/lambda/sns-handler.ts';
import { handleSqsEvent } from '../../../src/lambda/sqs-handler.ts';
import { EVENT_ID_HEADER, type PipelineInput } from '../../../src/pipeline.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { parseSnsRecord, parseSqsRecord } from '../../../src/ses/index.ts';
import { FaultBroker } from '../../support/broker.ts';
import {
  deleteTable,
  localDynamoDbClient,
  seedPredecessorTable,
  uniqueTableName,
} from '../../support/dynamodb.ts';
import {
  closedPort,
  collectRecords,
  createTopics,
  distinctSesEvents,
  type Env,
  lambdaContext,
  localDecoder,
  localPipelineEnv,
  snsEvent,
  sqsEvent,
  sqsRecord,
  tally,
  uniqueName,
} from '../../support/pipeline.ts';

/*
 * Faults against real servers: the broker stopped mid-run (a private broker, so the shared one keeps
 * serving everyone else), the registry unreachable at a cold start, DynamoDB unreachable. In each case
 * nothing may be lost and nothing may be published wrong.
 */

function eventIdOfSqs(record: SQSRecord): string {
  const parsed = parseSqsRecord(record);
  assert.ok(parsed.ok, `${record.messageId} should parse`);
  return parsed.event.eventId;
}

function snsInputs(messages: readonly string[]): PipelineInput[] {
  return snsEvent(messages).Records.map((record) => ({
    id: record.Sns.MessageId,
    parsed: parseSnsRecord(record),
  }));
}

async function expectRedelivery(promise: Promise<unknown>, mentions: string): Promise<RedeliveryRequired> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RedeliveryRequired, `expected RedeliveryRequired, got ${String(error)}`);
    assert.equal(error.retriable, true, 'Lambda must retry the invocation');
    assert.ok(error.message.includes(mentions), `the error should mention ${mentions}: ${error.message}`);
    return error;
  }
  assert.fail('the SNS handler returned instead of failing the invocation');
}

describe('Lambda faults (real stack)', function () {
  this.timeout(600_000);
  const dynamo = localDynamoDbClient();
  const table = uniqueTableName('lambda_faults');

  before(async () => {
    await seedPredecessorTable(dynamo, table, []);
  });

  after(async () => {
    await deleteTable(dynamo, table);
    dynamo.destroy();
  });

  // The same outage against each Kafka client adapter (SES_KAFKA_CLIENT).
  for (const client of ['kafkajs', 'platformatic'] as const)
    describe(`broker stopped mid-run (private broker), ${client} client`, () => {
      const broker = new FaultBroker();
      const topic = uniqueName('lambda-fault');
      const dlqTopic = `${topic}.dlq`;
      let runtime: Runtime;

      before(async () => {
        const startMs = await broker.start();
        console.log(`      fault broker ${broker.brokers} up in ${startMs} ms`);
        await createTopics([topic, dlqTopic], broker.brokers);
        runtime = buildRuntime(
          localPipelineEnv({
            topic,
            dlqTopic,
            table,
            registry: 'confluent',
            brokers: broker.brokers,
            extra: { SES_KAFKA_SEND_TIMEOUT_MS: '4000', SES_KAFKA_CLIENT: client },
          }),
        );
      });

      after(async () => {
        await runtime?.producer.close();
        await broker.dispose();
      });

      it('reports every unsent event, and after a restart and redelivery every input is in the topic', async () => {
        const run = uniqueName('fault');
        const bodies = distinctSesEvents(3000, run);
        let next = 0;
        const take = (count: number) => {
          const records = bodies
            .slice(next, next + count)
            .map((body, i) => sqsRecord(body, `${run}-sqs-${next + i}`));
          next += count;
          return records;
        };
        const sent: SQSRecord[] = [];
        const toRedeliver: SQSRecord[] = [];
        const reportedWhileUp: string[] = [];
        let reportedWhileStopping = 0;
        const invoke = async (records: SQSRecord[], phase: string) => {
          sent.push(...records);
          const { batchItemFailures } = await handleSqsEvent(
            sqsEvent(records),
            lambdaContext(10_000),
            runtime,
          );
          const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
          for (const id of failed) {
            assert.ok(
              records.some((record) => record.messageId === id),
              `${id} is not in the batch it was reported for`,
            );
          }
          toRedeliver.push(...records.filter((record) => failed.has(record.messageId)));
          if (phase === 'up') reportedWhileUp.push(...failed);
          if (phase === 'stopping') reportedWhileStopping += failed.size;
          return failed;
        };

        // 1. Broker up: a batch goes through.
        await invoke(take(10), 'up');
        assert.deepEqual(reportedWhileUp, [], 'with the broker up nothing is reported');

        // 2. Stop the broker while invocations keep arriving.
        let stopped = false;
        const stopping = broker.stop().then((ms) => {
          stopped = true;
          return ms;
        });
        let midRunInvocations = 0;
        while (!stopped) {
          assert.ok(next < bodies.length - 30, 'ran out of events before the broker stopped');
          await invoke(take(10), 'stopping');
          midRunInvocations++;
        }
        const stopMs = await stopping;

        // 3. Broker down: every record of the batch is reported, and the SNS handler fails the invocation.
        const downBatch = take(10);
        const failedWhileDown = await invoke(downBatch, 'down');
        assert.deepEqual(
          [...failedWhileDown].sort(),
          downBatch.map((record) => record.messageId).sort(),
          'with the broker down, exactly the batch is reported',
        );
        const snsMessages = bodies.slice(next, next + 5);
        next += 5;
        const snsFailure = await expectRedelivery(
          handleSnsEvent(snsEvent(snsMessages, `${run}-sns`), lambdaContext(10_000), runtime),
          'KAFKA_',
        );

        // 4. Restart; SQS redelivers what was reported, Lambda retries the SNS event as a whole.
        const startMs = await broker.start();
        let rounds = 0;
        let pending = [...toRedeliver];
        while (pending.length > 0 && rounds < 5) {
          rounds++;
          const { batchItemFailures } = await handleSqsEvent(
            sqsEvent(pending),
            lambdaContext(10_000),
            runtime,
          );
          const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
          pending = pending.filter((record) => failed.has(record.messageId));
        }
        assert.deepEqual(pending, [], `still failing after ${rounds} redelivery rounds`);
        const snsRetry = await handleSnsEvent(
          snsEvent(snsMessages, `${run}-sns`),
          lambdaContext(10_000),
          runtime,
        );
        assert.equal(snsRetry.produced, snsMessages.length);

        // 5. Count by eventId: every input at least once.
        const expectedIds = [
          ...sent.map(eventIdOfSqs),
          ...snsEvent(snsMessages).Records.map((record) => {
            const parsed = parseSnsRecord(record);
            assert.ok(parsed.ok);
            return parsed.event.eventId;
          }),
        ];
        const inputs = expectedIds.length;
        const records = await collectRecords(topic, {
          brokers: broker.brokers,
          idleMs: 5_000,
          timeoutMs: 60_000,
        });
        const counts = tally(records.map((record) => record.headers[EVENT_ID_HEADER] ?? '(none)'));
        const missing = expectedIds.filter((id) => !counts.has(id));
        const deadLetters = await collectRecords(dlqTopic, { brokers: broker.brokers, idleMs: 2_000 });
        const duplicates = [...counts.values()].filter((count) => count > 1).length;

        console.log(
          `      broker fault: inputs ${inputs} (SQS ${sent.length} in ${midRunInvocations} invocations while stopping` +
            ` + 2 batches, SNS ${snsMessages.length}); reported for redelivery ${toRedeliver.length} SQS ` +
            `(${reportedWhileStopping} while stopping) + ` +
            `${snsMessages.length} SNS; redelivery rounds ${rounds}; in topic ${records.length} records / ` +
            `${counts.size} distinct eventIds (${duplicates} duplicated); missing ${missing.length}; ` +
            `in DLQ ${deadLetters.length}; stop ${stopMs} ms, restart ${startMs} ms`,
        );
        assert.ok(snsFailure.message.includes(`of ${snsMessages.length} inputs need redelivery`));
        assert.deepEqual(missing, [], 'no input is lost');
        assert.equal(counts.size, inputs, 'nothing else in the topic');
        assert.equal(deadLetters.length, 0, 'a broker outage is retriable: nothing is dead-lettered');

        // Every record decodes: the redelivered ones were not half-written.
        const decoder = localDecoder();
        for (const record of records) await decoder.decode(record.value as Buffer);
      });
    });

  describe('registry down at a cold start', () => {
    const topic = uniqueName('lambda-fault-registry');
    const dlqTopic = `${topic}.dlq`;
    let port: number;

    before(async () => {
      await createTopics([topic, dlqTopic]);
      port = await closedPort();
    });

    for (const registry of ['confluent', 'glue'] as const) {
      it(`${registry}: every input is retried with an error naming the registry; nothing is published`, async () => {
        const url =
          registry === 'confluent' ? `http://127.0.0.1:${port}/apis/ccompat/v7` : `http://127.0.0.1:${port}`;
        const extra: Env =
          registry === 'confluent' ? { SES_KAFKA_REGISTRY_URL: url } : { SES_KAFKA_GLUE_ENDPOINT: url };
        const runtime = buildRuntime(localPipelineEnv({ topic, dlqTopic, table, registry, extra }));
        try {
          const messages = distinctSesEvents(6, uniqueName(`registry-down-${registry}`));
          const started = Date.now();
          const results = await runtime.pipeline.process(snsInputs(messages), Date.now() + 20_000);
          const elapsed = Date.now() - started;
          for (const { id, disposition } of results) {
            assert.equal(disposition.kind, 'retry', `${id}: ${JSON.stringify(disposition)}`);
            const error = (disposition as { error: PipelineError }).error;
            assert.ok(error instanceof PipelineError);
            assert.equal(error.retriable, true);
            assert.ok(
              error.message.includes(`127.0.0.1:${port}`),
              `${id}: names the registry: ${error.message}`,
            );
          }
          console.log(`      [${registry}] registry down: ${results.length} inputs retry in ${elapsed} ms`);
          await expectRedelivery(
            handleSnsEvent(snsEvent(messages), lambdaContext(20_000), runtime),
            `127.0.0.1:${port}`,
          );
        } finally {
          await runtime.producer.close();
        }
      });
    }

    it('left nothing in the topic or the DLQ', async () => {
      assert.equal((await collectRecords(topic, { idleMs: 2_000 })).length, 0);
      assert.equal((await collectRecords(dlqTopic, { idleMs: 2_000 })).length, 0);
    });
  });

  describe('DynamoDB down', () => {
    it('fails retriably, publishes nothing, and publishes FOUND once DynamoDB is back', async () => {
      const topic = uniqueName('lambda-fault-dynamodb');
      const dlqTopic = `${topic}.dlq`;
      await createTopics([topic, dlqTopic]);
      const prefix = uniqueName('dynamodb-down');
      const messages = distinctSesEvents(10, prefix);
      const rows = messages.map((text) => {
        const mail = (JSON.parse(text) as { mail: { messageId: string; source: string } }).mail;
        const sender = /<([^<>]+)>\s*$/.exec(mail.source)?.[1] ?? mail.source;
        return { sourceAddress: sender, messageId: mail.messageId, attributes: { campaign: 'spring' } };
      });
      await seedPredecessorTable(dynamo, table, rows);

      const down = buildRuntime(
        localPipelineEnv({
          topic,
          dlqTopic,
          table,
          registry: 'confluent',
          extra: { DYNAMODB_ENDPOINT: `http://127.0.0.1:${await closedPort()}` },
        }),
      );
      const up = buildRuntime(localPipelineEnv({ topic, dlqTopic, table, registry: 'confluent' }));
      try {
        const inputs = snsInputs(messages);
        const eventIds = inputs.map((input) => (input.parsed.ok ? input.parsed.event.eventId : ''));
        const started = Date.now();
        const results = await down.pipeline.process(inputs, Date.now() + 20_000);
        const elapsed = Date.now() - started;
        for (const { id, disposition } of results) {
          assert.equal(disposition.kind, 'retry', `${id}: ${JSON.stringify(disposition)}`);
          const error = (disposition as { error: PipelineError }).error;
          assert.equal(error.stage, 'enrich');
          assert.equal(error.retriable, true);
        }
        console.log(`      DynamoDB down: ${results.length} inputs retry in ${elapsed} ms`);
        const event = snsEvent(messages, `${prefix}-sns`);
        await expectRedelivery(handleSnsEvent(event, lambdaContext(20_000), down), 'need redelivery');

        const whileDown = await collectRecords(topic, { idleMs: 2_000 });
        const published = new Set(whileDown.map((record) => record.headers[EVENT_ID_HEADER]));
        assert.deepEqual(
          eventIds.filter((id) => published.has(id)),
          [],
          'no event is published without its metadata',
        );
        assert.equal((await collectRecords(dlqTopic, { idleMs: 2_000 })).length, 0, 'nothing dead-lettered');

        // Lambda retries the same event; with DynamoDB reachable, each event is published once, enriched.
        const summary = await handleSnsEvent(event, lambdaContext(20_000), up);
        assert.equal(summary.produced, messages.length);
        const records = await collectRecords(topic, { count: messages.length + 1, idleMs: 3_000 });
        assert.equal(records.length, messages.length);
        const decoder = localDecoder();
        for (const record of records) {
          const { value } = await decoder.decode(record.value as Buffer);
          const metadata = (value as { metadata: { status: string; attributes: Record<string, string> } })
            .metadata;
          assert.equal(metadata.status, 'FOUND');
          assert.equal(metadata.attributes.campaign, 'spring');
        }
      } finally {
        await down.producer.close();
        await up.producer.close();
      }
    });
  });
});
