/**
 * Threat: input built to crash the process. Unknown fields nested 50,000 levels deep (valid JSON that
 * every recursive walker overflows on) in a batch with ordinary events, through the real pipeline
 * (Apicurio, Kafka) in the two envelopes that carry it differently: raw NDJSON lines and SQS records
 * whose SNS Message holds it. The process must not crash, the ordinary events must be produced, and the
 * hostile one must be dead-lettered with its original payload (nothing is lost).
 */
import assert from 'node:assert/strict';
import { buildRuntime, type Runtime } from '../../src/runtime.ts';
import { parseAnyInput, parseSqsRecord } from '../../src/ses/index.ts';
import { localSettingsEnv } from '../../src/stack/local-settings.ts';
import {
  collectRecords,
  createTopics,
  snsNotification,
  sqsRecord,
  topicRecordCount,
  uniqueName,
} from '../support/pipeline.ts';
import { fixtureText } from '../unit/ses/helpers.ts';

const DEPTH = 50_000;
const deep = `${'{"x":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;

function delivery(messageId: string, extra = ''): string {
  const event = JSON.parse(fixtureText('event-publishing/delivery.json')) as { mail: { messageId: string } };
  event.mail.messageId = messageId;
  const text = JSON.stringify(event);
  return extra === '' ? text : `${text.slice(0, -1)},${extra}}`;
}

describe('security: hostile nesting through the pipeline', function () {
  this.timeout(120_000);
  const topic = uniqueName('sec-hostile');
  const dlqTopic = uniqueName('sec-hostile-dlq');
  let runtime: Runtime;

  before(async () => {
    await createTopics([topic, dlqTopic]);
    runtime = buildRuntime({
      ...localSettingsEnv({}),
      SES_KAFKA_TOPIC: topic,
      SES_KAFKA_DLQ_TOPIC: dlqTopic,
      SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
      SES_KAFKA_METADATA_ENABLED: 'false',
    });
  });
  after(async () => {
    await runtime?.producer.close();
  });

  it('fails the deep record alone, produces the others, and dead-letters the original payload', async () => {
    const hostile = delivery('hostile-ndjson', `"unknownDeep":${deep}`);
    const ndjson = [delivery('before-ndjson'), hostile, delivery('after-ndjson')].join('\n');
    const inputs = parseAnyInput(ndjson).map((parsed, index) => ({ id: `line-${index}`, parsed }));
    const viaSqs = [delivery('before-sqs'), delivery('hostile-sqs', `"unknownDeep":${deep}`)].map(
      (text, index) => ({
        id: `sqs-${index}`,
        parsed: parseSqsRecord(
          sqsRecord(JSON.stringify(snsNotification(text, `sns-${index}`)), `sqs-${index}`),
        ),
      }),
    );
    const results = await runtime.pipeline.process([...inputs, ...viaSqs], Date.now() + 60_000);
    const byId = Object.fromEntries(results.map((result) => [result.id, result.disposition]));
    assert.equal(byId['line-0']?.kind, 'produced');
    assert.equal(byId['line-2']?.kind, 'produced');
    assert.equal(byId['sqs-0']?.kind, 'produced');
    for (const id of ['line-1', 'sqs-1']) {
      const disposition = byId[id];
      assert.equal(disposition?.kind, 'dead-lettered', `${id}: ${JSON.stringify(disposition)}`);
      // Refused for its nesting, by the stage that walks it, not by anything downstream.
      assert.equal(disposition?.kind === 'dead-lettered' && disposition.error.code, 'SES_TOO_DEEP');
    }
    assert.equal(await topicRecordCount(topic), 3);
    const deadLetters = await collectRecords(dlqTopic, { count: 2 });
    const payloads = deadLetters.map((record) => record.value?.toString('utf8') ?? '');
    assert.ok(payloads.includes(hostile), 'the NDJSON line is dead-lettered as it came');
    assert.ok(
      payloads.some((payload) => payload.includes('hostile-sqs') && payload.includes('"body"')),
      'the SQS record is dead-lettered whole',
    );
  });
});
