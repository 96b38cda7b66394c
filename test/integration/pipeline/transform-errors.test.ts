/**
 * How the pipeline treats a record a transform cannot handle, on the real stack: with
 * errors.tolerance=all it is dead-lettered (original payload, Connect's context headers), never dropped;
 * with tolerance=none it is handed back to the caller like any failure that needs a person.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { localStackEnv } from '../../../src/config/local-env.ts';
import { buildRuntime } from '../../../src/runtime.ts';
import { parseAnyInput } from '../../../src/ses/index.ts';
import { stackEndpoints } from '../../../src/stack/endpoints.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';

const kafka = new Kafka({
  clientId: 'transform-errors',
  brokers: [stackEndpoints().kafkaBrokers],
  logLevel: logLevel.NOTHING,
});
const bounce = readFileSync(path.join(REPO_ROOT, 'test/fixtures/ses/event-publishing/bounce.json'), 'utf8');

// ExtractTopic on mail.sourceIp: event-publishing events have none, so the transform fails per record.
const failingChain = (tolerance: string, chainDlqTopic?: string) =>
  JSON.stringify({
    transforms: 'route',
    'transforms.route.type': 'ExtractTopic',
    'transforms.route.field': 'mail.sourceIp',
    'errors.tolerance': tolerance,
    'errors.deadletterqueue.context.headers.enable': 'true',
    ...(chainDlqTopic ? { 'errors.deadletterqueue.topic.name': chainDlqTopic } : {}),
  });

async function readOne(topic: string): Promise<KafkaMessage> {
  const consumer = kafka.consumer({ groupId: `transform-errors-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing on ${topic}`)), 20_000);
      consumer
        .run({ eachMessage: async ({ message }) => (clearTimeout(timer), resolve(message)) })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('pipeline: transform failures (real stack)', function () {
  this.timeout(60_000);
  const suffix = randomUUID().slice(0, 8);
  const topic = `transform-errors-${suffix}`;
  const dlqTopic = `transform-errors-dlq-${suffix}`;
  const chainDlqTopic = `transform-errors-chain-dlq-${suffix}`;
  const env = (tolerance: string, chainDlq?: string) => ({
    ...localStackEnv('confluent'),
    SES_KAFKA_TOPIC: topic,
    SES_KAFKA_DLQ_TOPIC: dlqTopic,
    SES_KAFKA_METADATA_ENABLED: 'false',
    SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
    SES_KAFKA_TRANSFORMS: failingChain(tolerance, chainDlq),
  });

  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic }, { topic: dlqTopic }, { topic: chainDlqTopic }],
      waitForLeaders: true,
    });
    await admin.disconnect();
  });

  const processBounce = async (runtimeEnv: Record<string, string>) => {
    const runtime = buildRuntime(runtimeEnv);
    try {
      const [result] = await runtime.pipeline.process(
        parseAnyInput(bounce).map((parsed) => ({ id: 'bounce', parsed })),
        Date.now() + 20_000,
      );
      return result;
    } finally {
      await runtime.producer.close();
    }
  };

  it('errors.tolerance=all with a DLQ topic: the original payload lands there with __connect.errors.* headers', async () => {
    const result = await processBounce(env('all', chainDlqTopic));
    assert.equal(result?.disposition.kind, 'dead-lettered');
    const message = await readOne(chainDlqTopic);
    assert.deepEqual(JSON.parse(message.value?.toString() ?? ''), JSON.parse(bounce));
    assert.equal(message.headers?.['__connect.errors.stage']?.toString(), 'TRANSFORMATION');
    assert.match(message.headers?.['__connect.errors.class.name']?.toString() ?? '', /ExtractTopic/);
    assert.equal(message.headers?.['ses-kafka.errors.stage']?.toString(), 'transform');
  });

  it('errors.tolerance=all without a DLQ topic: not dropped as Connect would, but sent to SES_KAFKA_DLQ_TOPIC', async () => {
    const result = await processBounce(env('all'));
    assert.equal(result?.disposition.kind, 'dead-lettered');
    const message = await readOne(dlqTopic);
    assert.deepEqual(JSON.parse(message.value?.toString() ?? ''), JSON.parse(bounce));
    assert.equal(message.headers?.['ses-kafka.errors.stage']?.toString(), 'transform');
  });

  it('errors.tolerance=none: the input is handed back (failed), nothing is written', async () => {
    const result = await processBounce(env('none'));
    assert.equal(result?.disposition.kind, 'failed');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      assert.equal(
        offsets.reduce((sum, partition) => sum + Number(partition.offset), 0),
        0,
      );
    } finally {
      await admin.disconnect();
    }
  });
});
