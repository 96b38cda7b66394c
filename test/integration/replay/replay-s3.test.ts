/**
 * `ses-kafka replay s3://…` as a process, against moto's S3 and the real broker: a Firehose-style prefix
 * with gzip objects of concatenated records, a plain NDJSON object, a folder marker and a file that is
 * not an input, filtered by --since/--until on the key's date path.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { EVENT_ID_HEADER } from '../../../src/pipeline.ts';
import { parseAnyInput } from '../../../src/ses/index.ts';
import { LocalBucket } from '../../../src/stack/local-bucket.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import {
  collectRecords,
  createTopics,
  distinctSesEvents,
  tally,
  topicRecordCount,
  uniqueName,
} from '../../support/pipeline.ts';

function replay(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--local', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', SES_KAFKA_METADATA_ENABLED: 'false', ...env },
    timeout: 180_000,
  });
}

function eventIds(events: readonly string[]): string[] {
  return events.map((text) => {
    const [outcome] = parseAnyInput(text);
    assert.ok(outcome?.ok, 'test events are valid');
    return outcome.event.eventId;
  });
}

describe('replay from S3 (moto) through the pipeline (real stack)', function () {
  this.timeout(300_000);
  const bucket = new LocalBucket(uniqueName('replay-s3'));
  const topic = uniqueName('replay-s3');
  const dlqTopic = `${topic}.dlq`;
  const env = {
    SES_KAFKA_TOPIC: topic,
    SES_KAFKA_DLQ_TOPIC: dlqTopic,
    SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
  };
  // Bare SES events, as an SES event destination delivers them to Firehose.
  const events = distinctSesEvents(40, uniqueName('s3-event'));
  const hour = (h: number) => events.slice((h - 9) * 10, (h - 8) * 10);

  before(async () => {
    await bucket.create();
    // Firehose with GZIP compression: records back to back, no separator, no extension.
    for (const h of [9, 10, 12]) {
      const hh = String(h).padStart(2, '0');
      await bucket.put(
        `firehose/2026/11/20/${hh}/ses-stream-1-2026-11-20-${hh}-04-59-0a1b2c3d`,
        gzipSync(hour(h).join('')),
      );
    }
    // Copied in by hand: NDJSON, not compressed.
    await bucket.put(
      'firehose/2026/11/20/11/ses-stream-1-2026-11-20-11-02-00-9f8e7d6c',
      `${hour(11).join('\n')}\n`,
    );
    await bucket.put('firehose/2026/11/20/11/README.txt', 'not events');
    await bucket.put('firehose/2026/11/20/', Buffer.alloc(0));
    await createTopics([topic, dlqTopic]);
  });

  after(async () => {
    await bucket.delete();
  });

  it('reads only the objects whose key hour is in --since/--until, gzip and plain, and says what it skipped', async () => {
    const result = replay(
      [`s3://${bucket.name}/firehose/`, '--since', '2026-11-20T10', '--until', '2026-11-20T12'],
      env,
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      /firehose\/2026\/11\/20\/11\/README\.txt: skipped: "\.txt" is not an input extension/,
    );
    assert.match(result.stderr, /2 objects outside --since\/--until were not read/);
    assert.match(
      result.stderr,
      new RegExp(`20 inputs: 20 produced to ${topic}, 0 filtered, 0 dead-lettered`),
    );
    const records = await collectRecords(topic, { count: 20 });
    const counts = tally(records.map((record) => record.headers[EVENT_ID_HEADER] ?? '(none)'));
    assert.deepEqual([...counts.keys()].sort(), eventIds([...hour(10), ...hour(11)]).sort());
    assert.ok([...counts.values()].every((count) => count === 1));
    assert.equal(await topicRecordCount(dlqTopic), 0);
  });

  it('names a bucket that does not exist, and exits 2 before sending anything', () => {
    const result = replay([`s3://${bucket.name}-missing/firehose/`], env);
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^ses-kafka replay: error: s3://${bucket.name}-missing/firehose/: bucket "${bucket.name}-missing" does not exist$`,
        'm',
      ),
    );
  });
});
