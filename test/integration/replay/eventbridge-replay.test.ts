// biome-ignore-all lint/suspicious/noExplicitAny: decoded Avro values and fixtures are untyped JSON
/**
 * `ses-kafka replay` as a process with EventBridge events in files, as a rule's CloudWatch Logs or S3
 * target keeps them: NDJSON of email events, an archive replay of one of them, service events, and a
 * contradicting event. Against the real stack.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import {
  collectRecords,
  createTopics,
  loadFixtures,
  localDecoder,
  topicRecordCount,
  uniqueName,
} from '../../support/pipeline.ts';

function replay(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--local', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', SES_KAFKA_METADATA_ENABLED: 'false', ...env },
    timeout: 120_000,
  });
}

describe('replay: EventBridge events from files (real stack)', function () {
  this.timeout(180_000);
  const topic = uniqueName('replay-eb');
  const dlqTopic = `${topic}.dlq`;
  const env = {
    SES_KAFKA_TOPIC: topic,
    SES_KAFKA_DLQ_TOPIC: dlqTopic,
    SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
  };
  const email = loadFixtures('eventbridge');
  const replayed = loadFixtures('eventbridge-edge').filter((f) => f.name.endsWith('archive-replay.json'));
  const service = loadFixtures('eventbridge-service');
  const mismatch = loadFixtures('malformed').filter((f) =>
    f.name.includes('eventbridge-detail-type-mismatch'),
  );
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'replay-eb-')), 'events.ndjson');

  before(async () => {
    const lines = [...email, ...replayed, ...service, ...mismatch].map((f) =>
      JSON.stringify(JSON.parse(f.text)),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    await createTopics([topic, dlqTopic]);
  });

  it('produces every email event once per copy with the door facts, filters service events, dead-letters the contradiction', async () => {
    const result = replay([file], env);
    assert.equal(result.status, 0, result.stderr);
    const copies = email.length + replayed.length;
    assert.match(
      result.stderr,
      new RegExp(`${copies} produced to ${topic}, ${service.length} filtered, 1 dead-lettered`),
    );
    assert.equal(await topicRecordCount(topic), copies);
    assert.equal(await topicRecordCount(dlqTopic), 1);
    const decoder = localDecoder();
    const values = await Promise.all(
      (await collectRecords(topic, { count: copies })).map(
        async (record) => (await decoder.decode(record.value as Buffer)).value as any,
      ),
    );
    assert.ok(values.every((value) => value.source.envelope === 'eventbridge'));
    const fromReplay = values.filter(
      (value) => value.source.eventBridgeReplayName === 'ses-backfill-2024-03',
    );
    assert.equal(fromReplay.length, 1);
    const sameEvent = values.filter((value) => value.eventId === fromReplay[0].eventId);
    assert.deepEqual(
      sameEvent.map((value) => value.source.eventBridgeReplayName).sort(),
      [null, 'ses-backfill-2024-03'],
      'the archive replay and the live event share one eventId',
    );
  });
});
