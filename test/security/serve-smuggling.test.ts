/**
 * Threat: "verify one thing, process another" against `serve`, and replays of genuine notifications.
 * Each attack starts from a notification genuinely signed for an allowed topic (the attacker can take one
 * from a dead-letter topic) and runs against the real pipeline (Apicurio, Kafka); nothing it sends may
 * reach the event topic or the DLQ.
 */
import assert from 'node:assert/strict';
import { pipelineNotificationHandler } from '../../src/http/pipeline-handler.ts';
import { type RunningSnsServer, startServer } from '../../src/http/server.ts';
import { buildRuntime, type Runtime } from '../../src/runtime.ts';
import { localSettingsEnv } from '../../src/stack/local-settings.ts';
import { collectRecords, createTopics, topicRecordCount, uniqueName } from '../support/pipeline.ts';
import {
  type FakeSnsHost,
  type Fields,
  generateIdentity,
  type Identity,
  notificationFields,
  recordingLogger,
  SES_DELIVERY,
  signFields,
  startFakeSnsHost,
  TOPIC_ARN,
} from '../unit/http/support/sns-fixtures.ts';

/** The SES event the attacker wants in the warehouse instead of (or besides) the signed one. */
const FORGED_SES = JSON.stringify({
  eventType: 'Complaint',
  mail: {
    timestamp: '2026-01-05T10:00:00.000Z',
    messageId: 'forged-message-id',
    source: 'ceo@example.com',
    destination: ['victim@example.com'],
  },
  complaint: {
    timestamp: '2026-01-05T10:00:01.000Z',
    feedbackId: 'forged',
    complainedRecipients: [{ emailAddress: 'victim@example.com' }],
  },
});

describe('security: serve processes only what SNS signed (smuggling, replay, staleness)', function () {
  this.timeout(90_000);
  const topic = uniqueName('sec-smuggle');
  const dlqTopic = uniqueName('sec-smuggle-dlq');
  let signing: Identity;
  let sns: FakeSnsHost;
  let server: RunningSnsServer;
  let runtime: Runtime;
  const log = recordingLogger();

  before(async () => {
    await createTopics([topic, dlqTopic]);
    runtime = buildRuntime({
      ...localSettingsEnv({}),
      SES_KAFKA_TOPIC: topic,
      SES_KAFKA_DLQ_TOPIC: dlqTopic,
      SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
      SES_KAFKA_METADATA_ENABLED: 'false',
    });
    signing = generateIdentity('sns-signing');
    const tls = generateIdentity('127.0.0.1');
    sns = await startFakeSnsHost(signing, tls);
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      allowedTopicArns: [TOPIC_ARN],
      logger: log,
      handleNotification: pipelineNotificationHandler(runtime.pipeline),
      testOnlyTrust: { extraHosts: [sns.host], ca: tls.certPem },
    });
  });

  after(async () => {
    await server?.close();
    await sns?.close();
    await runtime?.producer.close();
  });

  const post = async (body: unknown) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { outcome?: string; reason?: string },
    };
  };
  const genuine = (overrides: Fields = {}) =>
    signFields(notificationFields(sns.certUrl, overrides), signing.keyPem, '2');
  const counts = async () => [await topicRecordCount(topic), await topicRecordCount(dlqTopic)];

  const smuggled: [string, (signed: Fields) => Record<string, unknown>][] = [
    ['an Sns object', (signed) => ({ ...signed, Sns: { Type: 'Notification', Message: FORGED_SES } })],
    [
      'a Records array',
      (signed) => ({ ...signed, Records: [{ EventSource: 'aws:sns', Sns: { Message: FORGED_SES } }] }),
    ],
    ['an SQS body and messageId', (signed) => ({ ...signed, body: FORGED_SES, messageId: 'sqs-1' })],
    ['bare SES keys', (signed) => ({ ...signed, eventType: 'Complaint', mail: JSON.parse(FORGED_SES).mail })],
  ];
  for (const [name, smuggle] of smuggled) {
    it(`refuses a genuine notification carrying ${name} with 400, and nothing reaches a topic`, async () => {
      const before = await counts();
      const reply = await post(smuggle(genuine()));
      assert.equal(reply.status, 400);
      assert.match(reply.body.reason ?? '', /^body: unexpected top-level key/);
      assert.deepEqual(await counts(), before);
    });
  }

  it('refuses a genuine notification whose Message was swapped for another event (403)', async () => {
    const before = await counts();
    const reply = await post({ ...genuine(), Message: FORGED_SES });
    assert.equal(reply.status, 403);
    assert.equal(reply.body.reason, 'Signature: does not match the message');
    assert.deepEqual(await counts(), before);
  });

  it('processes a genuine notification once; a replay is acknowledged (200 duplicate) and not processed', async () => {
    const signed = genuine({ Message: SES_DELIVERY.replace('0100018f-test-delivery', 'replayed-once') });
    const [topicBefore] = await counts();
    const first = await post(signed);
    assert.deepEqual([first.status, first.body.outcome], [200, 'ok']);
    const replays = await Promise.all([post(signed), post(signed), post(signed)]);
    assert.deepEqual(
      replays.map((reply) => [reply.status, reply.body.outcome]),
      [
        [200, 'duplicate'],
        [200, 'duplicate'],
        [200, 'duplicate'],
      ],
    );
    const records = await collectRecords(topic, { count: (topicBefore ?? 0) + 1 });
    assert.equal(records.filter((record) => record.key === 'replayed-once').length, 1);
  });

  it('processes concurrent copies of one new notification once', async () => {
    const signed = genuine({ Message: SES_DELIVERY.replace('0100018f-test-delivery', 'concurrent-copies') });
    const [topicBefore] = await counts();
    const replies = await Promise.all([post(signed), post(signed), post(signed)]);
    assert.deepEqual(replies.map((reply) => reply.status).sort(), [200, 200, 200]);
    assert.deepEqual(replies.map((reply) => reply.body.outcome).sort(), ['duplicate', 'duplicate', 'ok']);
    const records = await collectRecords(topic, { count: (topicBefore ?? 0) + 1 });
    assert.equal(records.filter((record) => record.key === 'concurrent-copies').length, 1);
  });

  it('refuses a genuinely signed notification older than the maximum age, and one from the future', async () => {
    const before = await counts();
    const stale = await post(genuine({ Timestamp: new Date(Date.now() - 2 * 3_600_000).toISOString() }));
    assert.equal(stale.status, 403);
    assert.match(
      stale.body.reason ?? '',
      /^Timestamp: .* is 2 h old; messages older than 60 min are refused/,
    );
    const future = await post(genuine({ Timestamp: new Date(Date.now() + 3_600_000).toISOString() }));
    assert.equal(future.status, 403);
    assert.match(future.body.reason ?? '', /in the future; check this host's clock/);
    assert.deepEqual(await counts(), before);
  });

  it('logs the refusals at WARN, never ERROR', () => {
    const refusals = log.lines.filter((line) => line.message === 'SNS HTTP delivery refused');
    assert.ok(refusals.length >= 7, `saw ${refusals.length} refusals`);
    assert.ok(refusals.every((line) => line.level === 'warn'));
    assert.deepEqual(
      log.lines.filter((line) => line.level === 'error'),
      [],
    );
  });
});
