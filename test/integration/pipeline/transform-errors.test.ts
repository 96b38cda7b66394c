/**
 * How the pipeline treats a record a transform cannot handle, on the real stack: with
 * errors.tolerance=all it is dead-lettered (original payload, Connect's context headers), never dropped;
 * with tolerance=none it is handed back to the caller like any failure that needs a person.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildRuntime } from '../../../src/runtime.ts';
import { parseAnyInput } from '../../../src/ses/index.ts';
import { localSettingsEnv } from '../../../src/stack/local-settings.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import { collectRecords, createTopics, topicRecordCount, uniqueName } from '../../support/pipeline.ts';

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

describe('pipeline: transform failures (real stack)', function () {
  this.timeout(60_000);
  const topic = uniqueName('transform-errors');
  const dlqTopic = uniqueName('transform-errors-dlq');
  const chainDlqTopic = uniqueName('transform-errors-chain-dlq');
  const env = (tolerance: string, chainDlq?: string) => ({
    ...localSettingsEnv({}),
    SES_KAFKA_TOPIC: topic,
    SES_KAFKA_DLQ_TOPIC: dlqTopic,
    SES_KAFKA_METADATA_ENABLED: 'false',
    SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
    SES_KAFKA_TRANSFORMS: failingChain(tolerance, chainDlq),
  });

  before(async () => {
    await createTopics([topic, dlqTopic, chainDlqTopic]);
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
    const [message] = await collectRecords(chainDlqTopic, { count: 1 });
    assert.deepEqual(JSON.parse(message?.value?.toString() ?? ''), JSON.parse(bounce));
    assert.equal(message?.headers['__connect.errors.stage'], 'TRANSFORMATION');
    assert.match(message?.headers['__connect.errors.class.name'] ?? '', /ExtractTopic/);
    assert.equal(message?.headers['ses-kafka.errors.stage'], 'transform');
  });

  it('errors.tolerance=all without a DLQ topic: not dropped as Connect would, but sent to SES_KAFKA_DLQ_TOPIC', async () => {
    const result = await processBounce(env('all'));
    assert.equal(result?.disposition.kind, 'dead-lettered');
    const [message] = await collectRecords(dlqTopic, { count: 1 });
    assert.deepEqual(JSON.parse(message?.value?.toString() ?? ''), JSON.parse(bounce));
    assert.equal(message?.headers['ses-kafka.errors.stage'], 'transform');
  });

  it('errors.tolerance=none: the input is handed back (failed), nothing is written', async () => {
    const result = await processBounce(env('none'));
    assert.equal(result?.disposition.kind, 'failed');
    assert.equal(await topicRecordCount(topic), 0);
  });
});
