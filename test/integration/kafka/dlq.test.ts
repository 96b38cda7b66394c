import assert from 'node:assert/strict';
import { logLevel } from 'kafkajs';
import { PipelineError } from '../../../src/errors.ts';
import { buildDeadLetter, DLQ_HEADERS, shouldDeadLetter } from '../../../src/kafka/dlq.ts';
import { PlatformaticProducer } from '../../../src/kafka/platformatic-producer.ts';
import { KafkajsProducer } from '../../../src/kafka/producer.ts';
import { baseSettings, consume, createTopics, headerText, uniqueTopic } from './support.ts';

describe('dead letters through the local broker', function () {
  this.timeout(60_000);

  for (const client of ['kafkajs', 'platformatic'] as const)
    it(`${client}: lands the original payload with its failure headers on the DLQ topic, through the same producer`, async () => {
      const topic = uniqueTopic('events');
      const settings = baseSettings(topic);
      await createTopics([topic, settings.dlqTopic]);
      // An SNS message cut off mid-way, as it arrived: the DLQ must keep these exact bytes.
      const original =
        '{"Type":"Notification","Message":"{\\"eventType\\":\\"Bounce\\",\\"mail\\":{\\"source\\":"';
      const error = new PipelineError('parse', 'SES_INVALID_JSON', 'Unterminated string near "a@b.example"');
      assert.equal(shouldDeadLetter(error), true);

      const producer =
        client === 'kafkajs'
          ? new KafkajsProducer(settings, { logLevel: logLevel.NOTHING })
          : new PlatformaticProducer(settings);
      const now = new Date();
      const results = await producer.send(
        [
          { topic, key: 'ok-1', value: 'fine' },
          buildDeadLetter({
            originalPayload: original,
            error,
            originalTopic: topic,
            dlqTopic: settings.dlqTopic,
            now,
          }),
        ],
        Date.now() + 20_000,
      );
      await producer.close();
      assert.ok(results.every((result) => result.ok));
      assert.equal(producer.producersCreated, 1);

      const [letter] = await consume(settings.dlqTopic, 1);
      assert.ok(letter);
      assert.equal(letter.key, null);
      assert.equal(letter.value?.toString('utf8'), original);
      assert.equal(headerText(letter, DLQ_HEADERS.stage), 'parse');
      assert.equal(headerText(letter, DLQ_HEADERS.code), 'SES_INVALID_JSON');
      assert.equal(headerText(letter, DLQ_HEADERS.errorClass), 'PipelineError');
      assert.equal(headerText(letter, DLQ_HEADERS.originalTopic), topic);
      assert.equal(headerText(letter, DLQ_HEADERS.timestamp), now.toISOString());
      assert.equal(headerText(letter, DLQ_HEADERS.message), 'Unterminated string near "<redacted>"');
      assert.equal(letter.timestamp, String(now.getTime()));
    });
});
