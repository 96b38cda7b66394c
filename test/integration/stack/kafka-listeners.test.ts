import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { SCRAM_PASSWORD, SCRAM_USER, stackEndpoints } from '../../../src/stack/endpoints.ts';

const endpoints = stackEndpoints();

/** An unsigned JWS, the only kind Kafka's unsecured OAUTHBEARER validator accepts. */
function unsecuredJws(subject: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none' })}.${encode({ sub: subject, iat: now, exp: now + 3600, scope: '' })}.`;
}

async function roundTrip(config: Omit<KafkaConfig, 'clientId' | 'logLevel'>): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'stack-test', logLevel: logLevel.NOTHING, ...config });
  const topic = `stack-test-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: 'k1', value: 'first' },
      { key: 'k2', value: 'second' },
    ],
  });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `stack-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; received ${received.length} of 2`)), 30_000);
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push(`${message.key?.toString()}=${message.value?.toString()}`);
          if (received.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

describe('local stack: Kafka listeners', function () {
  this.timeout(90_000);

  it('produces and consumes over PLAINTEXT', async () => {
    assert.deepEqual(await roundTrip({ brokers: [endpoints.kafkaBrokers] }), ['k1=first', 'k2=second']);
  });

  it('produces and consumes over SASL SCRAM-SHA-512', async () => {
    const received = await roundTrip({
      brokers: [endpoints.kafkaScramBrokers],
      sasl: { mechanism: 'scram-sha-512', username: SCRAM_USER, password: SCRAM_PASSWORD },
    });
    assert.deepEqual(received, ['k1=first', 'k2=second']);
  });

  it('produces and consumes over SASL OAUTHBEARER', async () => {
    const received = await roundTrip({
      brokers: [endpoints.kafkaOauthBrokers],
      sasl: {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: unsecuredJws('ses-kafka') }),
      },
    });
    assert.deepEqual(received, ['k1=first', 'k2=second']);
  });

  it('rejects a wrong SCRAM password with an authentication error', async () => {
    const kafka = new Kafka({
      clientId: 'stack-test',
      logLevel: logLevel.NOTHING,
      brokers: [endpoints.kafkaScramBrokers],
      sasl: { mechanism: 'scram-sha-512', username: SCRAM_USER, password: 'not-the-password' },
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await assert.rejects(admin.connect(), (error: Error) => {
      assert.match(`${error.name} ${error.message}`, /SASL|authentication/i);
      return true;
    });
    await admin.disconnect();
  });
});
