// biome-ignore-all lint/suspicious/noExplicitAny: decoded Avro values and fixtures are untyped JSON
/**
 * The packaged dist/lambda.zip, extracted and imported by fresh `node` processes (no tsx), with the
 * EventBridge door: `eventBridgeHandler` invoked once per event as a rule invokes it, and `sqsHandler`
 * with a batch of EventBridge bodies as a rule -> SQS target delivers them. Only running the bundle
 * catches a handler missing from the entry point or a module the bundler dropped.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ExtractedBundle, packageAndExtract, runLambdaChild } from '../../../bench/lib/lambda-bundle.ts';
import {
  collectRecords,
  createTopics,
  loadFixtures,
  localDecoder,
  localPipelineEnv,
  sqsRecord,
  topicRecordCount,
  uniqueName,
} from '../../support/pipeline.ts';

const execFileAsync = promisify(execFile);
const CHILD = fileURLToPath(new URL('./children/eventbridge-child.mjs', import.meta.url));

interface ChildInvocation {
  id: string;
  summary?: { received: number; produced: number; filtered: number; deadLettered: number; redeliver: number };
  error?: { name: string; message: string };
}

async function invokeEventBridgeHandler(
  bundle: ExtractedBundle,
  env: Record<string, string>,
  eventsFile: string,
): Promise<ChildInvocation[]> {
  const { stdout, stderr } = await execFileAsync(process.execPath, [CHILD, bundle.dir, eventsFile], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (line === undefined)
    throw new Error(`the child printed no result:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  return (JSON.parse(line.slice('RESULT '.length)) as { invocations: ChildInvocation[] }).invocations;
}

describe('lambda: the packaged bundle through the EventBridge door', function () {
  this.timeout(240_000);
  let bundle: ExtractedBundle;
  const email = loadFixtures('eventbridge');
  const service = loadFixtures('eventbridge-service');

  before(async () => {
    bundle = await packageAndExtract();
  });
  after(() => bundle?.dispose());

  it('eventBridgeHandler: one invocation per event, each email event produced, service events to their topic', async () => {
    const topic = uniqueName('bundle-eb');
    const dlqTopic = `${topic}.dlq`;
    const serviceTopic = `${topic}.service`;
    await createTopics([topic, dlqTopic, serviceTopic]);
    const eventsFile = path.join(bundle.work, 'eventbridge-events.json');
    writeFileSync(
      eventsFile,
      JSON.stringify([...email, ...service].map((fixture) => JSON.parse(fixture.text))),
    );
    const env = localPipelineEnv({
      topic,
      dlqTopic,
      table: uniqueName('bundle_eb_table'),
      registry: 'confluent',
      extra: { SES_KAFKA_METADATA_ENABLED: 'false', SES_KAFKA_SERVICE_EVENTS_TOPIC: serviceTopic },
    });
    const invocations = await invokeEventBridgeHandler(bundle, env, eventsFile);
    assert.deepEqual(
      invocations.filter((invocation) => invocation.error !== undefined),
      [],
      'no invocation failed',
    );
    assert.equal(invocations.length, email.length + service.length);
    for (const { id, summary } of invocations) {
      assert.deepEqual(summary, { received: 1, produced: 1, filtered: 0, deadLettered: 0, redeliver: 0 }, id);
    }
    const values = await Promise.all(
      (await collectRecords(topic, { count: email.length })).map(
        async (record) => (await localDecoder().decode(record.value as Buffer)).value as any,
      ),
    );
    assert.deepEqual(
      values.map((value) => value.source.eventBridgeId).sort(),
      email.map((fixture) => JSON.parse(fixture.text).id).sort(),
    );
    assert.ok(values.every((value) => value.source.envelope === 'eventbridge'));
    assert.equal(await topicRecordCount(serviceTopic), service.length);
    assert.equal(await topicRecordCount(dlqTopic), 0);
  });

  it('sqsHandler: a batch of EventBridge bodies (rule -> SQS) end to end', async () => {
    const topic = uniqueName('bundle-eb-sqs');
    const dlqTopic = `${topic}.dlq`;
    await createTopics([topic, dlqTopic]);
    const eventFile = path.join(bundle.work, 'sqs-event.json');
    const records = [...email, ...service].map((fixture, index) =>
      sqsRecord(fixture.text, `bundle-eb-${index}`),
    );
    writeFileSync(
      eventFile,
      JSON.stringify({ Records: [...records, sqsRecord('{"detail-type":1,"detail":{}}', 'bad')] }),
    );
    const env = localPipelineEnv({
      topic,
      dlqTopic,
      table: uniqueName('bundle_eb_table'),
      registry: 'confluent',
      extra: { SES_KAFKA_METADATA_ENABLED: 'false' },
    });
    // runLambdaChild fails the test itself if any record is handed back for redelivery.
    const result = await runLambdaChild(bundle, 'invoke', env, eventFile);
    assert.equal(result.events, records.length + 1);
    assert.equal(
      await topicRecordCount(topic),
      email.length,
      'service events filtered (no service topic set)',
    );
    assert.equal(await topicRecordCount(dlqTopic), 1, 'the EventBridge body from no known source');
  });
});
