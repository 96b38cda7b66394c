/**
 * The streaming replay in one process against the real stack, with the pipeline and producer wrapped
 * only to watch (and to slow down) what they are asked: batches prepared out of order still reach Kafka
 * in input order, so events of one email keep their order in its partition, and no more inputs are
 * ever in the pipeline than the window allows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadKafkaSettings } from '../../../src/kafka/config.ts';
import { createProducer } from '../../../src/kafka/create-producer.ts';
import type { OutgoingRecord, ProducerPort } from '../../../src/kafka/producer.ts';
import { EVENT_ID_HEADER, type PipelineInput } from '../../../src/pipeline.ts';
import { listLocalTarget } from '../../../src/replay/local-source.ts';
import { replay } from '../../../src/replay/replay.ts';
import { buildRuntime } from '../../../src/runtime.ts';
import { parseAnyInput } from '../../../src/ses/index.ts';
import {
  collectRecords,
  createTopics,
  loadFixtures,
  localPipelineEnv,
  uniqueName,
} from '../../support/pipeline.ts';

const EMAILS = 60;

/** Every event-publishing fixture for each of EMAILS emails, interleaved: one email's events sit far apart. */
function interleavedEvents(prefix: string): string[] {
  const templates = loadFixtures('event-publishing').map((fixture) => JSON.parse(fixture.text));
  const events: string[] = [];
  for (const template of templates) {
    for (let email = 0; email < EMAILS; email++) {
      const event = structuredClone(template) as { mail: { messageId: string } };
      event.mail.messageId = `${prefix}-${email}`;
      events.push(JSON.stringify(event));
    }
  }
  return events;
}

/** A producer that sends through the real one after a random pause, and records each batch it gets. */
class SlowRecordingProducer implements ProducerPort {
  readonly batches: OutgoingRecord[][] = [];
  constructor(readonly inner: ProducerPort) {}
  async send(batch: readonly OutgoingRecord[], deadline: number) {
    this.batches.push([...batch]);
    await sleep(Math.random() * 20);
    return this.inner.send(batch, deadline);
  }
  close() {
    return this.inner.close();
  }
}

for (const client of ['kafkajs', 'platformatic'] as const)
  describe(`streaming replay: order and window (real stack, ${client} client)`, function () {
    this.timeout(300_000);

    it('keeps the order of each email’s events although batches finish preparing out of order', async () => {
      const topic = uniqueName('replay-order');
      const dlqTopic = `${topic}.dlq`;
      await createTopics([topic, dlqTopic], undefined, 6);
      const env = localPipelineEnv({
        topic,
        dlqTopic,
        table: 'unused',
        registry: 'confluent',
        extra: { SES_KAFKA_METADATA_ENABLED: 'false', SES_KAFKA_CLIENT: client },
      });
      const producer = new SlowRecordingProducer(createProducer(loadKafkaSettings(env), client));
      const runtime = buildRuntime(env, { producer });
      const pipeline = runtime.pipeline;

      // Wrapped to watch: how many inputs are between "prepare" and "sent"; and a random pause after
      // preparing, so later batches are often ready before earlier ones.
      let inPipeline = 0;
      let most = 0;
      const prepare = pipeline.prepare.bind(pipeline);
      const send = pipeline.send.bind(pipeline);
      pipeline.prepare = async (inputs: readonly PipelineInput[]) => {
        inPipeline += inputs.length;
        most = Math.max(most, inPipeline);
        const prepared = await prepare(inputs);
        await sleep(Math.random() * 40);
        return prepared;
      };
      pipeline.send = async (prepared, deadline) => {
        const results = await send(prepared, deadline);
        inPipeline -= prepared.size;
        return results;
      };

      const events = interleavedEvents(uniqueName('order'));
      const folder = mkdtempSync(path.join(tmpdir(), 'replay-order-'));
      writeFileSync(path.join(folder, 'events.ndjson'), `${events.join('\n')}\n`);
      const objects = [...listLocalTarget(folder)].flatMap((item) =>
        item.kind === 'object' ? [item.object] : [],
      );
      const window = { inputs: 35, bytes: 64 * 1024 * 1024 };
      const report = await replay(pipeline, objects, { batchSize: 7, window });
      await producer.close();

      assert.equal(report.counts.produced, events.length);
      assert.ok(
        most <= window.inputs,
        `${most} inputs in the pipeline at once; the window is ${window.inputs}`,
      );
      assert.ok(most > 7, `batches were prepared ahead (at most ${most} inputs at once)`);

      // The producer was handed the events in input order.
      const eventIdOf = (text: string) => {
        const [outcome] = parseAnyInput(text);
        assert.ok(outcome?.ok);
        return outcome.event.eventId;
      };
      const inputOrder = events.map(eventIdOf);
      const handed = producer.batches.flat().map((record) => String(record.headers?.[EVENT_ID_HEADER]));
      assert.deepEqual(handed, inputOrder);

      // Each email's events are in its partition in input order.
      const records = await collectRecords(topic, { count: events.length });
      assert.equal(records.length, events.length);
      const byEmail = new Map<string, string[]>();
      for (const record of records.sort((a, b) => Number(a.offset) - Number(b.offset))) {
        const key = String(record.key);
        byEmail.set(key, [...(byEmail.get(key) ?? []), record.headers[EVENT_ID_HEADER] as string]);
      }
      const expected = new Map<string, string[]>();
      for (const text of events) {
        const key = (JSON.parse(text) as { mail: { messageId: string } }).mail.messageId;
        expected.set(key, [...(expected.get(key) ?? []), eventIdOf(text)]);
      }
      assert.equal(byEmail.size, EMAILS);
      for (const [key, ids] of expected) assert.deepEqual(byEmail.get(key), ids, key);
    });
  });
