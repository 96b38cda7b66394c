/**
 * The zip `npm run package` builds, run as Lambda would: extracted, imported by a fresh `node` process
 * (no tsx), invoked with an SQS batch against the local stack. Minification and code splitting have
 * broken bundles before (error classes recognised by name); only running the bundle catches that.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ExtractedBundle, packageAndExtract, runLambdaChild } from '../../../bench/lib/lambda-bundle.ts';
import {
  createTopics,
  loadFixtures,
  localPipelineEnv,
  sqsRecord,
  topicRecordCount,
  uniqueName,
} from '../../support/pipeline.ts';

describe('lambda: the packaged bundle', function () {
  this.timeout(180_000);
  let bundle: ExtractedBundle;
  before(async () => {
    bundle = await packageAndExtract();
  });
  after(() => bundle?.dispose());

  it('stays under 2 MiB zipped and handles an SQS batch end to end from a fresh node process', async () => {
    assert.ok(bundle.zipBytes < 2 * 1024 * 1024, `zip is ${bundle.zipBytes} bytes`);
    const topic = uniqueName('bundle-events');
    const dlqTopic = uniqueName('bundle-dlq');
    await createTopics([topic, dlqTopic]);
    const fixtures = loadFixtures('event-publishing', 'notification');
    const eventFile = path.join(bundle.work, 'event.json');
    const records = fixtures.map((fixture, index) => sqsRecord(fixture.text, `bundle-${index}`));
    writeFileSync(eventFile, JSON.stringify({ Records: [...records, sqsRecord('not json', 'bundle-bad')] }));
    const env = localPipelineEnv({
      topic,
      dlqTopic,
      table: uniqueName('bundle_table'),
      registry: 'confluent',
      extra: { SES_KAFKA_METADATA_ENABLED: 'false' },
    });
    // runLambdaChild fails the test itself if any record is handed back for redelivery.
    const result = await runLambdaChild(bundle, 'invoke', env, eventFile);
    assert.equal(result.events, fixtures.length + 1);
    assert.equal(await topicRecordCount(topic), fixtures.length);
    assert.equal(await topicRecordCount(dlqTopic), 1);
  });
});
