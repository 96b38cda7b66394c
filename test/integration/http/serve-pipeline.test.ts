/**
 * `serve` wired to the real pipeline: a signed SNS notification reaches Kafka as Avro; a forged one gets
 * 403 and never reaches Kafka; a signed but non-SES message is dead-lettered and answered 200.
 */
import assert from 'node:assert/strict';
import { pipelineNotificationHandler } from '../../../src/http/pipeline-handler.ts';
import { type RunningSnsServer, startServer } from '../../../src/http/server.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { AvroDecoder } from '../../../src/serde/decoder.ts';
import { stackEndpoints } from '../../../src/stack/endpoints.ts';
import { localSettingsEnv } from '../../../src/stack/local-settings.ts';
import { collectRecords, createTopics, topicRecordCount, uniqueName } from '../../support/pipeline.ts';
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

describe('http: serve wired to the pipeline (real stack)', function () {
  this.timeout(90_000);
  const topic = uniqueName('serve-events');
  const dlqTopic = uniqueName('serve-dlq');
  let signing: Identity;
  let sns: FakeSnsHost;
  let server: RunningSnsServer;
  let runtime: Runtime;

  before(async () => {
    await createTopics([topic, dlqTopic]);
    runtime = buildRuntime({
      ...localSettingsEnv({}),
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
    const [record] = await collectRecords(topic, { count: 1 });
    assert.equal(record?.key, '0100018f-test-delivery');
    const decoded = await new AvroDecoder({ confluent: { url: endpoints.registryUrl } }).decode(
      record?.value as Buffer,
    );
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
    const before = await topicRecordCount(topic);
    const forger = generateIdentity('forger');
    const reply = await post(signFields(notificationFields(sns.certUrl), forger.keyPem, '2'));
    assert.equal(reply.status, 403);
    assert.equal(await topicRecordCount(topic), before);
  });

  it('dead-letters a signed message that is not an SES event and answers 200', async () => {
    const reply = await post(
      signFields(notificationFields(sns.certUrl, { Message: '{"hello":"not SES"}' }), signing.keyPem, '1'),
    );
    assert.equal(reply.status, 200);
    assert.equal(reply.body.outcome, 'rejected');
    assert.equal(await topicRecordCount(dlqTopic), 1);
  });
});
