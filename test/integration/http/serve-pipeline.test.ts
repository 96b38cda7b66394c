/**
 * `serve` wired to the real pipeline: a signed SNS notification reaches Kafka as Avro; a forged one gets
 * 403 and never reaches Kafka; a signed but non-SES message is dead-lettered and answered 200.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { localStackEnv } from '../../../src/config/local-env.ts';
import { pipelineNotificationHandler } from '../../../src/http/pipeline-handler.ts';
import { type RunningSnsServer, startServer } from '../../../src/http/server.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { AvroDecoder } from '../../../src/serde/decoder.ts';
import { stackEndpoints } from '../../../src/stack/endpoints.ts';
import {
  type FakeSnsHost,
  generateIdentity,
  type Identity,
  notificationFields,
  recordingLogger,
  signFields,
  startFakeSnsHost,
  TOPIC_ARN,
} from '../../unit/http/support/sns-fixtures.ts';

const endpoints = stackEndpoints();
const kafka = new Kafka({
  clientId: 'serve-pipeline-test',
  brokers: [endpoints.kafkaBrokers],
  logLevel: logLevel.NOTHING,
});

async function topicCount(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce(
      (sum, partition) => sum + Number(partition.offset),
      0,
    );
  } finally {
    await admin.disconnect();
  }
}

async function firstRecord(topic: string): Promise<{ key: string; value: Buffer }> {
  const consumer = kafka.consumer({ groupId: `serve-pipeline-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record on ${topic}`)), 20_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve({ key: message.key?.toString() ?? '', value: message.value as Buffer });
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('http: serve wired to the pipeline (real stack)', function () {
  this.timeout(90_000);
  const suffix = randomUUID().slice(0, 8);
  const topic = `serve-events-${suffix}`;
  const dlqTopic = `serve-dlq-${suffix}`;
  let signing: Identity;
  let sns: FakeSnsHost;
  let server: RunningSnsServer;
  let runtime: Runtime;

  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }, { topic: dlqTopic }], waitForLeaders: true });
    await admin.disconnect();
    runtime = buildRuntime({
      ...localStackEnv('confluent'),
      SES_KAFKA_TOPIC: topic,
      SES_KAFKA_DLQ_TOPIC: dlqTopic,
      SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
      // No metadata table for this test: enrichment is switched off and events say SKIPPED.
      SES_KAFKA_METADATA_ENABLED: 'false',
    });
    signing = generateIdentity('sns-signing');
    const tls = generateIdentity('127.0.0.1');
    sns = await startFakeSnsHost(signing, tls);
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      allowedTopicArns: [TOPIC_ARN],
      logger: recordingLogger(),
      handleNotification: pipelineNotificationHandler(runtime.pipeline),
      testOnlyTrust: { extraHosts: [sns.host], ca: tls.certPem },
    });
  });

  after(async () => {
    await server?.close();
    await sns?.close();
    await runtime?.producer.close();
  });

  const post = async (fields: Record<string, string>) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body: JSON.stringify(fields),
    });
    return { status: response.status, body: (await response.json()) as { outcome?: string } };
  };

  it('produces a signed SES notification to Kafka as registry-framed Avro', async () => {
    const reply = await post(signFields(notificationFields(sns.certUrl), signing.keyPem, '2'));
    assert.equal(reply.status, 200);
    assert.equal(reply.body.outcome, 'ok');
    const record = await firstRecord(topic);
    assert.equal(record.key, '0100018f-test-delivery');
    const decoded = await new AvroDecoder({ confluent: { url: endpoints.registryUrl } }).decode(record.value);
    const value = decoded.value as {
      eventType: string;
      metadata: { status: string };
      source: { topicArn: string };
    };
    assert.equal(value.eventType, 'Delivery');
    assert.equal(value.metadata.status, 'SKIPPED');
    assert.equal(value.source.topicArn, TOPIC_ARN);
  });

  it('refuses a forged notification with 403 and writes nothing', async () => {
    const before = await topicCount(topic);
    const forger = generateIdentity('forger');
    const reply = await post(signFields(notificationFields(sns.certUrl), forger.keyPem, '2'));
    assert.equal(reply.status, 403);
    assert.equal(await topicCount(topic), before);
  });

  it('dead-letters a signed message that is not an SES event and answers 200', async () => {
    const reply = await post(
      signFields(notificationFields(sns.certUrl, { Message: '{"hello":"not SES"}' }), signing.keyPem, '1'),
    );
    assert.equal(reply.status, 200);
    assert.equal(reply.body.outcome, 'rejected');
    assert.equal(await topicCount(dlqTopic), 1);
  });
});
