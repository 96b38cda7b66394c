import assert from 'node:assert/strict';
import type { KafkaConfig, ProducerBatch, ProducerConfig } from 'kafkajs';
import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import type { ClientSettings } from '../../../src/kafka/client.ts';
import { PRODUCE_ERROR_CODES } from '../../../src/kafka/errors.ts';
import {
  ACKS_ALL,
  KafkajsProducer,
  type OutgoingRecord,
  type SendResult,
} from '../../../src/kafka/producer.ts';

/**
 * A stand-in for the kafkajs client that records what the adapter asks of it and answers each
 * sendBatch from a script. The real broker is exercised in test/integration/kafka; these tests pin the
 * adapter's own logic (deadlines, recreation, grouping) with timing the broker cannot give on demand.
 */
class FakeKafka {
  readonly producerConfigs: ProducerConfig[] = [];
  readonly producers: FakeProducer[] = [];
  clientConfig: KafkaConfig | undefined;
  constructor(readonly answer: (batch: ProducerBatch, producer: FakeProducer) => Promise<unknown>) {}
  producer(config: ProducerConfig): FakeProducer {
    this.producerConfigs.push(config);
    const producer = new FakeProducer(this);
    this.producers.push(producer);
    return producer;
  }
}

class FakeProducer {
  connects = 0;
  disconnects = 0;
  readonly batches: ProducerBatch[] = [];
  constructor(readonly kafka: FakeKafka) {}
  async connect(): Promise<void> {
    this.connects += 1;
  }
  async disconnect(): Promise<void> {
    this.disconnects += 1;
  }
  sendBatch(batch: ProducerBatch): Promise<unknown> {
    this.batches.push(batch);
    return this.kafka.answer(batch, this);
  }
}

const SETTINGS: ClientSettings = {
  brokers: ['127.0.0.1:9'],
  topic: 'events',
  dlqTopic: 'events.dlq',
  clientId: 'unit',
  auth: { mode: 'none' },
  tls: { enabled: false },
  sendTimeoutMs: 5_000,
  connectionTimeoutMs: 1_000,
};

function adapter(answer: FakeKafka['answer'], settings: Partial<ClientSettings> = {}) {
  const kafka = new FakeKafka(answer);
  const producer = new KafkajsProducer(
    { ...SETTINGS, ...settings },
    {
      createKafka: (config) => {
        kafka.clientConfig = config;
        return kafka as never;
      },
    },
  );
  return { kafka, producer };
}

const ok = async () => [];
const never = () => new Promise<never>(() => undefined);
const record = (topic: string, key: string, value = `v-${key}`): OutgoingRecord => ({ topic, key, value });
const soon = (ms = 5_000) => Date.now() + ms;
const codes = (results: SendResult[]) => results.map((result) => (result.ok ? 'ok' : result.error.code));

describe('KafkajsProducer', () => {
  it('creates one idempotent producer lazily and reuses it across sends', async () => {
    const { kafka, producer } = adapter(ok);
    assert.equal(kafka.producers.length, 0, 'nothing connects before the first send');
    await producer.send([record('events', 'm-1')], soon());
    await producer.send([record('events', 'm-2')], soon());
    assert.equal(kafka.producers.length, 1);
    assert.equal(kafka.producers[0]?.connects, 1);
    assert.equal(producer.producersCreated, 1);
    const config = kafka.producerConfigs[0];
    assert.equal(config?.idempotent, true);
    assert.equal(config?.maxInFlightRequests, 1);
    assert.equal(config?.allowAutoTopicCreation, false);
  });

  it('sends with acks=all, one sendBatch per topic, keeping key, headers and timestamp', async () => {
    const { kafka, producer } = adapter(ok);
    const results = await producer.send(
      [
        {
          topic: 'events',
          key: 'm-1',
          value: Buffer.from([0, 1]),
          headers: { 'ses.eventType': 'Bounce' },
          timestamp: 1_700_000_000_000,
        },
        record('events.dlq', 'm-2'),
        record('events', 'm-3'),
      ],
      soon(),
    );
    assert.deepEqual(codes(results), ['ok', 'ok', 'ok']);
    const batches = kafka.producers[0]?.batches ?? [];
    assert.equal(batches.length, 2);
    for (const batch of batches) {
      assert.equal(batch.acks, ACKS_ALL);
      assert.equal(batch.topicMessages?.length, 1);
      assert.ok((batch.timeout ?? 0) > 0 && (batch.timeout ?? 0) <= 5_000);
    }
    const events = batches[0]?.topicMessages?.[0];
    assert.equal(events?.topic, 'events');
    assert.deepEqual(
      events?.messages.map((message) => message.key),
      ['m-1', 'm-3'],
    );
    assert.deepEqual(events?.messages[0]?.headers, { 'ses.eventType': 'Bounce' });
    assert.equal(events?.messages[0]?.timestamp, '1700000000000');
    assert.equal(batches[1]?.topicMessages?.[0]?.topic, 'events.dlq');
  });

  it('reports every record as a retriable failure when the deadline has already passed', async () => {
    const { kafka, producer } = adapter(ok);
    const results = await producer.send([record('events', 'a'), record('events', 'b')], Date.now() - 1);
    assert.deepEqual(codes(results), [
      PRODUCE_ERROR_CODES.deadlineExceeded,
      PRODUCE_ERROR_CODES.deadlineExceeded,
    ]);
    assert.ok(results.every((result) => !result.ok && result.error.retriable));
    assert.equal(kafka.producers.length, 0);
  });

  it('gives up at the deadline, reports retriable failures, and starts a new producer next time', async () => {
    let hang = true;
    const { kafka, producer } = adapter(() => (hang ? never() : ok()));
    const started = Date.now();
    const results = await producer.send([record('events', 'a'), record('other', 'b')], Date.now() + 150);
    const waited = Date.now() - started;
    assert.ok(waited >= 140 && waited < 1_000, `waited ${waited} ms`);
    assert.deepEqual(codes(results), [
      PRODUCE_ERROR_CODES.deadlineExceeded,
      PRODUCE_ERROR_CODES.deadlineExceeded,
    ]);
    assert.ok(
      results.every((result) => !result.ok && result.error.retriable && result.error.stage === 'produce'),
    );
    assert.equal(kafka.producers[0]?.disconnects, 1, 'the stuck producer is dropped');

    hang = false;
    assert.deepEqual(codes(await producer.send([record('events', 'a')], soon())), ['ok']);
    assert.equal(producer.producersCreated, 2);
  });

  it('caps a send at SES_KAFKA_SEND_TIMEOUT_MS even with a distant deadline', async () => {
    const { producer } = adapter(never, { sendTimeoutMs: 100 });
    const started = Date.now();
    const results = await producer.send([record('events', 'a')], soon(60_000));
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual(codes(results), [PRODUCE_ERROR_CODES.deadlineExceeded]);
  });

  it('drops the producer after a broker error and reconnects on the next send', async () => {
    let fail = true;
    const { kafka, producer } = adapter(async () => {
      if (fail) throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
      return [];
    });
    const first = await producer.send([record('events', 'a')], soon());
    assert.deepEqual(codes(first), [PRODUCE_ERROR_CODES.unavailable]);
    assert.ok(!first[0]?.ok && first[0]?.error.retriable);
    assert.equal(kafka.producers[0]?.disconnects, 1);
    fail = false;
    assert.deepEqual(codes(await producer.send([record('events', 'a')], soon())), ['ok']);
    assert.equal(kafka.producers.length, 2);
    assert.equal(kafka.producers[1]?.connects, 1);
  });

  it('reports per topic: a topic that fails does not fail records of another topic', async () => {
    const { producer } = adapter(async (batch) => {
      if (batch.topicMessages?.[0]?.topic === 'forbidden') {
        throw new KafkaJSProtocolError({
          type: 'TOPIC_AUTHORIZATION_FAILED',
          retriable: false,
          message: 'no',
        } as never);
      }
      return [];
    });
    const results = await producer.send(
      [record('events', 'a'), record('forbidden', 'b'), record('events', 'c')],
      soon(),
    );
    assert.deepEqual(codes(results), ['ok', PRODUCE_ERROR_CODES.notAuthorized, 'ok']);
  });

  it('pins a rejected record on itself by resending the batch one record at a time', async () => {
    const { kafka, producer } = adapter(async (batch) => {
      if (batch.topicMessages?.[0]?.messages.some((message) => message.value === 'huge')) {
        throw new KafkaJSProtocolError({
          type: 'MESSAGE_TOO_LARGE',
          retriable: false,
          message: 'too large',
        } as never);
      }
      return [];
    });
    const results = await producer.send(
      [record('events', 'a'), record('events', 'b', 'huge'), record('events', 'c')],
      soon(),
    );
    assert.deepEqual(codes(results), ['ok', PRODUCE_ERROR_CODES.recordRejected, 'ok']);
    assert.ok(!results[1]?.ok && !results[1]?.error.retriable);
    // A failed request leaves the idempotent sequence numbers out of step with the broker (a real broker
    // then answers OUT_OF_ORDER_SEQUENCE_NUMBER), so each failure hands over to a fresh producer.
    assert.equal(
      kafka.producers.length,
      3,
      'first batch, then a new producer after each of the two failures',
    );
  });

  it('runs one send at a time so sequence numbers stay in order', async () => {
    const events: string[] = [];
    const { producer } = adapter(async (batch) => {
      const key = String(batch.topicMessages?.[0]?.messages[0]?.key);
      events.push(`start ${key}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(`end ${key}`);
      return [];
    });
    await Promise.all([
      producer.send([record('events', 'a')], soon()),
      producer.send([record('events', 'b')], soon()),
    ]);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
  });

  it('disconnects on close and refuses later sends as retriable', async () => {
    const { kafka, producer } = adapter(ok);
    await producer.send([record('events', 'a')], soon());
    await producer.close();
    assert.equal(kafka.producers[0]?.disconnects, 1);
    const results = await producer.send([record('events', 'a')], soon());
    assert.deepEqual(codes(results), ['KAFKA_PRODUCER_CLOSED']);
    assert.ok(!results[0]?.ok && results[0]?.error.retriable);
  });

  it('returns no results for an empty batch without connecting', async () => {
    const { kafka, producer } = adapter(ok);
    assert.deepEqual(await producer.send([], soon()), []);
    assert.equal(kafka.producers.length, 0);
  });
});
