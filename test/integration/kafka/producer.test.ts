import assert from 'node:assert/strict';
import { Producer as PlatformaticClient } from '@platformatic/kafka';
import { Kafka, type KafkaConfig, logLevel, type ProducerBatch, type ProducerConfig } from 'kafkajs';
import type { ClientSettings } from '../../../src/kafka/client.ts';
import { loadKafkaSettings } from '../../../src/kafka/config.ts';
import { PRODUCE_ERROR_CODES } from '../../../src/kafka/errors.ts';
import { EVENT_HEADERS, eventHeaders } from '../../../src/kafka/headers.ts';
import { PlatformaticProducer } from '../../../src/kafka/platformatic-producer.ts';
import {
  KafkajsProducer,
  type OutgoingRecord,
  type ProducerPort,
  type SendResult,
} from '../../../src/kafka/producer.ts';
import { RefreshingTokenCache } from '../../../src/kafka/token-cache.ts';
import { SCRAM_PASSWORD, SCRAM_USER } from '../../../src/stack/endpoints.ts';
import { unsecuredJwsToken } from '../../support/unsecured-jws.ts';
import {
  baseSettings,
  closedPort,
  consume,
  createTopics,
  endpoints,
  forwardTo,
  headerText,
  listTopics,
  silentBroker,
  uniqueTopic,
} from './support.ts';

const QUIET = { logLevel: logLevel.NOTHING };

function events(topic: string, count: number): OutgoingRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    topic,
    key: `0100018f-message-${index}`,
    value: Buffer.from(`avro-bytes-${index}`),
    headers: eventHeaders({
      eventType: index % 2 === 0 ? 'Delivery' : 'Bounce',
      schemaId: 42,
      schemaVersion: 3,
    }),
  }));
}

function assertAllOk(results: SendResult[]): void {
  for (const result of results)
    assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
}

async function assertDelivered(topic: string, sent: OutgoingRecord[]) {
  const received = await consume(topic, sent.length);
  const byKey = new Map(received.map((record) => [String(record.key), record]));
  for (const record of sent) {
    const got = byKey.get(String(record.key));
    assert.ok(got, `record ${String(record.key)} missing from ${topic}`);
    assert.deepEqual(got.value, record.value);
    assert.equal(headerText(got, EVENT_HEADERS.eventType), record.headers?.[EVENT_HEADERS.eventType]);
    assert.equal(headerText(got, EVENT_HEADERS.schemaId), '42');
    assert.equal(headerText(got, EVENT_HEADERS.schemaVersion), '3');
  }
  return received;
}

type Adapter = ProducerPort & { readonly producersCreated: number };

/** What an adapter asked its client for, recorded by wrapping the real client (nothing is faked). */
interface ClientRequests {
  /** Producer-level settings: idempotence, acks, in-flight requests. */
  configs: Array<{ idempotent?: boolean; acks?: number; maxInFlight?: number }>;
  /** The acks of each send request. */
  sendAcks: number[];
}

interface AdapterUnderTest {
  name: 'kafkajs' | 'platformatic';
  create(settings: ClientSettings): Adapter;
  /** The same adapter, over a real client wrapped to record what it is asked. */
  instrumented(settings: ClientSettings): { producer: Adapter; requests: ClientRequests };
}

const ADAPTERS: readonly AdapterUnderTest[] = [
  {
    name: 'kafkajs',
    create: (settings) => new KafkajsProducer(settings, QUIET),
    instrumented(settings) {
      const requests: ClientRequests = { configs: [], sendAcks: [] };
      const createKafka = (config: KafkaConfig) => {
        const kafka = new Kafka(config);
        const makeProducer = kafka.producer.bind(kafka);
        kafka.producer = (producerConfig?: ProducerConfig) => {
          requests.configs.push({
            ...(producerConfig?.idempotent === undefined ? {} : { idempotent: producerConfig.idempotent }),
            ...(producerConfig?.maxInFlightRequests === undefined
              ? {}
              : { maxInFlight: producerConfig.maxInFlightRequests }),
          });
          const producer = makeProducer(producerConfig);
          const sendBatch = producer.sendBatch.bind(producer);
          producer.sendBatch = (batch: ProducerBatch) => {
            requests.sendAcks.push(batch.acks ?? Number.NaN);
            return sendBatch(batch);
          };
          return producer;
        };
        return kafka;
      };
      return { producer: new KafkajsProducer(settings, { ...QUIET, createKafka }), requests };
    },
  },
  {
    name: 'platformatic',
    create: (settings) => new PlatformaticProducer(settings),
    instrumented(settings) {
      const requests: ClientRequests = { configs: [], sendAcks: [] };
      const producer = new PlatformaticProducer(settings, {
        createProducer: (options) => {
          requests.configs.push({
            ...(options.idempotent === undefined ? {} : { idempotent: options.idempotent }),
            ...(options.acks === undefined ? {} : { acks: options.acks }),
          });
          const client = new PlatformaticClient(options);
          // The client forces one request in flight per connection for an idempotent producer.
          requests.configs[requests.configs.length - 1] = {
            ...requests.configs[requests.configs.length - 1],
            maxInFlight: options.maxInflights ?? Number.NaN,
          };
          const send = client.send.bind(client) as (...args: unknown[]) => unknown;
          (client as unknown as { send: (options: { acks?: number }) => unknown }).send = (sendOptions) => {
            const result = send(sendOptions);
            requests.sendAcks.push(sendOptions.acks ?? Number.NaN);
            return result;
          };
          return client;
        },
      });
      return { producer, requests };
    },
  },
];

for (const adapter of ADAPTERS)
  describe(`${adapter.name} adapter against the local broker`, function () {
    this.timeout(120_000);

    describe('produce and consume through each listener', () => {
      it('PLAINTEXT, settings read from env', async () => {
        const topic = uniqueTopic('plain');
        await createTopics([topic]);
        const settings = loadKafkaSettings({
          SES_KAFKA_BROKERS: endpoints.kafkaBrokers,
          SES_KAFKA_TOPIC: topic,
        });
        const producer = adapter.create(settings);
        const sent = events(topic, 4);
        assertAllOk(await producer.send(sent, Date.now() + 20_000));
        await producer.close();
        await assertDelivered(topic, sent);
      });

      it('SASL SCRAM-SHA-512, settings read from env (bootstrap_server alias)', async () => {
        const topic = uniqueTopic('scram');
        await createTopics([topic]);
        const settings = loadKafkaSettings({
          bootstrap_server: endpoints.kafkaScramBrokers,
          SES_KAFKA_TOPIC: topic,
          SES_KAFKA_AUTH: 'scram-sha-512',
          SES_KAFKA_USERNAME: SCRAM_USER,
          SES_KAFKA_PASSWORD: SCRAM_PASSWORD,
        });
        const producer = adapter.create(settings);
        const sent = events(topic, 3);
        assertAllOk(await producer.send(sent, Date.now() + 20_000));
        await producer.close();
        await assertDelivered(topic, sent);
      });

      it('SASL OAUTHBEARER with a cached unsecured JWS token', async () => {
        const topic = uniqueTopic('oauth');
        await createTopics([topic]);
        let signed = 0;
        const tokens = new RefreshingTokenCache(async () => {
          signed += 1;
          return unsecuredJwsToken({ subject: SCRAM_USER, lifetimeSeconds: 600 });
        });
        const producer = adapter.create(
          baseSettings(topic, {
            brokers: [endpoints.kafkaOauthBrokers],
            auth: { mode: 'oauthbearer', tokens },
          }),
        );
        const sent = events(topic, 3);
        assertAllOk(await producer.send(sent, Date.now() + 20_000));
        assertAllOk(await producer.send(events(topic, 1), Date.now() + 20_000));
        await producer.close();
        await assertDelivered(topic, sent);
        assert.equal(signed, 1, 'every connection reuses the one cached token');
      });
    });

    it('reports a wrong SCRAM password as a non-retriable authentication failure', async () => {
      const topic = uniqueTopic('scram-bad');
      const settings = loadKafkaSettings({
        SES_KAFKA_BROKERS: endpoints.kafkaScramBrokers,
        SES_KAFKA_TOPIC: topic,
        SES_KAFKA_AUTH: 'scram-sha-512',
        SES_KAFKA_USERNAME: SCRAM_USER,
        SES_KAFKA_PASSWORD: 'not-the-password',
      });
      const producer = adapter.create(settings);
      const started = Date.now();
      const results = await producer.send(events(topic, 2), Date.now() + 20_000);
      await producer.close();
      assert.ok(Date.now() - started < 10_000, 'an auth failure is not retried until the deadline');
      for (const result of results) {
        assert.ok(!result.ok);
        assert.equal(result.error.code, PRODUCE_ERROR_CODES.authenticationFailed);
        assert.equal(result.error.retriable, false);
        assert.equal(result.error.stage, 'produce');
        assert.ok(!result.error.message.includes('not-the-password'));
      }
    });

    it('uses an idempotent producer with acks=all, one producer across sends', async () => {
      const topic = uniqueTopic('idempotent');
      await createTopics([topic], 1);
      const { producer, requests } = adapter.instrumented(baseSettings(topic));
      assertAllOk(await producer.send(events(topic, 2), Date.now() + 20_000));
      assertAllOk(await producer.send(events(topic, 2).slice(0, 1), Date.now() + 20_000));
      await producer.close();

      assert.equal(requests.configs.length, 1);
      assert.equal(requests.configs[0]?.idempotent, true);
      assert.equal(requests.configs[0]?.maxInFlight, 1);
      if (adapter.name === 'kafkajs') assert.deepEqual(requests.sendAcks, [-1, -1]);
      // @platformatic/kafka takes acks from the producer's options (an idempotent one refuses anything else).
      else assert.equal(requests.configs[0]?.acks, -1);
      assert.equal(requests.sendAcks.length, 2);

      // What the broker stored: record batches carry the producer id and sequence of an idempotent producer
      // (a plain producer writes producerId -1 and sequence -1).
      const received = await consume(topic, 3);
      const producerIds = new Set(received.map((record) => record.batchContext.producerId));
      assert.equal(producerIds.size, 1, 'both sends came from the same producer');
      const [producerId] = producerIds;
      assert.ok(Number(producerId) >= 0, `producerId ${producerId}`);
      const sequences = [...new Set(received.map((record) => record.batchContext.firstSequence))].sort(
        (a, b) => a - b,
      );
      assert.deepEqual(sequences, [0, 2], 'sequence numbers continue from one send to the next');
    });

    it('reports records as retriable failures when the broker hangs past the deadline', async () => {
      const silent = await silentBroker();
      try {
        const topic = uniqueTopic('hang');
        const producer = adapter.create(baseSettings(topic, { brokers: [`127.0.0.1:${silent.port}`] }));
        const started = Date.now();
        const results = await producer.send(events(topic, 3), Date.now() + 800);
        const waited = Date.now() - started;
        assert.ok(waited >= 750 && waited < 3_000, `waited ${waited} ms`);
        for (const result of results) {
          assert.ok(!result.ok);
          assert.equal(result.error.code, PRODUCE_ERROR_CODES.deadlineExceeded);
          assert.equal(result.error.retriable, true);
        }
        await producer.send(events(topic, 1), Date.now() + 200);
        assert.equal(producer.producersCreated, 2, 'the hung producer was replaced');
        await producer.close();
      } finally {
        await silent.close();
      }
    });

    it('recovers after a failed send: the next send builds a new producer and gets through', async () => {
      const topic = uniqueTopic('recover');
      await createTopics([topic]);
      const port = await closedPort();
      const producer = adapter.create(baseSettings(topic, { brokers: [`127.0.0.1:${port}`] }));

      const failed = await producer.send(events(topic, 2), Date.now() + 10_000);
      for (const result of failed) {
        assert.ok(!result.ok);
        assert.equal(result.error.code, PRODUCE_ERROR_CODES.unavailable);
        assert.equal(result.error.retriable, true);
      }

      // The bootstrap address now leads to the real broker, as if it had come back.
      const forward = await forwardTo(port, endpoints.kafkaBrokers);
      try {
        const sent = events(topic, 2);
        assertAllOk(await producer.send(sent, Date.now() + 20_000));
        assert.equal(producer.producersCreated, 2);
        await producer.close();
        await assertDelivered(topic, sent);
      } finally {
        await forward.close();
      }
    });

    it('keeps the records of a healthy topic when another topic fails', async () => {
      const topic = uniqueTopic('mixed');
      await createTopics([topic]);
      const missing = uniqueTopic('missing');
      const producer = adapter.create(baseSettings(topic));
      const results = await producer.send([...events(topic, 2), ...events(missing, 1)], Date.now() + 30_000);
      await producer.close();
      assert.ok(results[0]?.ok && results[1]?.ok);
      const failed = results[2];
      assert.ok(failed && !failed.ok, 'the record for a topic that does not exist is reported');
      // Waiting does not create a topic: handed back (never dead-lettered), with the command that fixes it.
      assert.equal(failed.error.code, 'KAFKA_TOPIC_NOT_FOUND');
      assert.equal(failed.error.retriable, false);
      assert.match(
        failed.error.message,
        new RegExp(`topic "${missing}" does not exist.*ses-kafka topics create`),
      );
      assert.ok(
        !(await listTopics()).includes(missing),
        'a topic that does not exist is not created on the fly',
      );
    });

    it('splits a send larger than the broker accepts per request, and writes each record exactly once', async () => {
      const topic = uniqueTopic('large-batch');
      await createTopics([topic], 1);
      const producer = adapter.create(baseSettings(topic));
      // 36 × 100 KB = 3.6 MB for one partition: more than message.max.bytes, though each record fits.
      const records: OutgoingRecord[] = Array.from({ length: 36 }, (_, index) => ({
        topic,
        key: `large-${index}`,
        value: Buffer.alloc(100 * 1024, index),
      }));
      const results = await producer.send(records, Date.now() + 30_000);
      assertAllOk(results);
      assert.equal(producer.producersCreated, 1, 'no failure, so no replacement producer');
      await producer.close();
      const received = await consume(topic, 36);
      assert.equal(received.length, 36);
      assert.equal(new Set(received.map((record) => String(record.key))).size, 36);
    });

    it('fails only the record the broker finds too large, and sends its neighbours', async () => {
      const topic = uniqueTopic('too-large');
      await createTopics([topic], 1);
      const producer = adapter.create(baseSettings(topic));
      const [first, second] = events(topic, 2) as [OutgoingRecord, OutgoingRecord];
      // Above the broker's default message.max.bytes (about 1 MiB).
      const huge: OutgoingRecord = { topic, key: 'huge', value: Buffer.alloc(2 * 1024 * 1024, 1) };
      const results = await producer.send([first, huge, second], Date.now() + 20_000);
      assert.ok(results[0]?.ok && results[2]?.ok);
      const rejected = results[1];
      assert.ok(rejected && !rejected.ok);
      assert.equal(rejected.error.code, PRODUCE_ERROR_CODES.recordRejected);
      assert.equal(rejected.error.retriable, false);
      // The same producer carries on: its sequence numbers were not disturbed by the rejection.
      assertAllOk(await producer.send(events(topic, 3).slice(2), Date.now() + 20_000));
      assert.equal(producer.producersCreated, 1);
      await producer.close();
      const received = await consume(topic, 3);
      assert.deepEqual(received.map((record) => String(record.key)).sort(), [
        String(first.key),
        String(second.key),
        '0100018f-message-2',
      ]);
    });
  });

describe('both adapters write alike', function () {
  this.timeout(120_000);

  it('put each key on the same partition (kafkajs partitions as the Java client does) and keep every header', async () => {
    const topic = uniqueTopic('same-partitions');
    await createTopics([topic], 6);
    const keys = Array.from({ length: 40 }, (_, index) => `0100018f-${index.toString(16)}-message`);
    for (const adapter of ADAPTERS) {
      const producer = adapter.create(baseSettings(topic));
      const records: OutgoingRecord[] = keys.map((key) => ({
        topic,
        key,
        value: `${adapter.name}:${key}`,
        headers: { 'ses.eventType': 'Delivery', repeated: ['one', 'two'] },
      }));
      assertAllOk(await producer.send(records, Date.now() + 20_000));
      await producer.close();
    }
    const received = await consume(topic, keys.length * ADAPTERS.length);
    const partitionsByKey = new Map<string, Set<number>>();
    for (const record of received) {
      const key = String(record.key);
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(record.partition));
      assert.equal(headerText(record, 'ses.eventType'), 'Delivery');
      assert.deepEqual(((record.headers?.repeated ?? []) as Buffer[]).map(String), ['one', 'two']);
    }
    for (const [key, partitions] of partitionsByKey) {
      assert.equal(partitions.size, 1, `${key} went to partitions ${[...partitions].join(', ')}`);
    }
    assert.ok(new Set(received.map((record) => record.partition)).size > 1, 'keys spread over partitions');
  });
});
