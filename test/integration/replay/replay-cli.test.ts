/** `ses-kafka replay` as a process, against the real stack: dry run, produce, dead letters, failed-out. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import { collectRecords, createTopics, topicRecordCount, uniqueName } from '../../support/pipeline.ts';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/ses/event-publishing');
function replay(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--local', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', SES_KAFKA_METADATA_ENABLED: 'false', ...env },
    timeout: 120_000,
  });
}

describe('replay: archived SES events back through the pipeline (real stack)', function () {
  this.timeout(180_000);
  const topic = uniqueName('replay-events');
  const dlqTopic = uniqueName('replay-dlq');
  const env = {
    SES_KAFKA_TOPIC: topic,
    SES_KAFKA_DLQ_TOPIC: dlqTopic,
    SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
  };
  const archive = mkdtempSync(path.join(tmpdir(), 'replay-archive-'));
  const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));

  before(async () => {
    // A Firehose-style folder: NDJSON of SNS notifications, a Lambda SNS event, and one broken line.
    mkdirSync(path.join(archive, '2026/11/27'), { recursive: true });
    const notifications = fixtures.map((name) =>
      JSON.stringify({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: 'arn:aws:sns:us-east-1:111122223333:ses-events',
        Message: readFileSync(path.join(FIXTURES, name), 'utf8'),
        Timestamp: '2026-11-27T10:00:00.000Z',
      }),
    );
    writeFileSync(
      path.join(archive, '2026/11/27/events.ndjson'),
      `${notifications.join('\n')}\n{"not":"ses"}\n`,
    );
    await createTopics([topic, dlqTopic]);
  });

  it('--dry-run prints the transformed records and sends nothing', async () => {
    const result = replay(['--dry-run', archive], env);
    assert.equal(result.status, 0, result.stderr);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; value: { eventType: string } });
    assert.equal(records.length, fixtures.length);
    assert.ok(records.every((record) => typeof record.key === 'string' && record.value.eventType));
    assert.match(
      result.stderr,
      new RegExp(`${fixtures.length + 1} inputs: ${fixtures.length} would be produced`),
    );
    assert.equal(await topicRecordCount(topic), 0);
  });

  it('produces every event and dead-letters the broken line', async () => {
    const result = replay([archive], env);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`${fixtures.length} produced to ${topic}, 0 filtered, 1 dead-lettered`),
    );
    assert.equal(await topicRecordCount(topic), fixtures.length);
    assert.equal(await topicRecordCount(dlqTopic), 1);
    // The fixtures are from 2024; stamped with that time, a topic's retention would delete them at once.
    const records = await collectRecords(topic, { count: fixtures.length });
    const startedAt = Date.now() - 10 * 60_000;
    assert.ok(
      records.every((record) => record.timestamp > startedAt),
      'records carry the processing time',
    );
  });

  it('--workers 1 through the installed bin: batches prepared on a worker thread land like the others', async () => {
    // Enough batches that the worker (about 1.5 s to start) takes some; bin/ses-kafka.js registers
    // TypeScript with tsx's API, not --import, so the worker must register it for itself.
    const workersTopic = uniqueName('replay-workers-cli');
    const workersDlq = `${workersTopic}.dlq`;
    await createTopics([workersTopic, workersDlq]);
    const folder = mkdtempSync(path.join(tmpdir(), 'replay-workers-cli-'));
    const lines: string[] = [];
    for (let copy = 0; copy < 800; copy++) {
      for (const name of fixtures) {
        const event = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as {
          mail: { messageId: string };
        };
        event.mail.messageId = `${event.mail.messageId}-${copy}`;
        lines.push(JSON.stringify(event));
      }
    }
    writeFileSync(path.join(folder, 'events.ndjson'), `${lines.join('\n')}\n`);
    const result = spawnSync(
      process.execPath,
      ['bin/ses-kafka.js', 'replay', '--local', '--workers', '1', '--batch-size', '50', folder],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          SES_KAFKA_METADATA_ENABLED: 'false',
          SES_KAFKA_TOPIC: workersTopic,
          SES_KAFKA_DLQ_TOPIC: workersDlq,
          SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
        },
        timeout: 170_000,
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`${lines.length} inputs: ${lines.length} produced to ${workersTopic}`),
    );
    const onWorker = /(\d+) of (\d+) batches prepared on 1 worker thread/.exec(result.stderr);
    assert.ok(onWorker, result.stderr);
    assert.equal(Number(onWorker[2]), lines.length / 50);
    assert.ok(Number(onWorker[1]) > 0, `no batch was prepared on the worker: ${onWorker[0]}`);
    assert.equal(await topicRecordCount(workersTopic), lines.length);
  });

  it('hands back what it could not write, in a file it can replay later, and exits 1', () => {
    const failedOut = path.join(archive, 'retry.ndjson');
    const result = replay([path.join(archive, '2026'), '--failed-out', failedOut], {
      ...env,
      // Enrichment on, from a table that does not exist: not the inputs' fault, so every event is handed
      // back (failed), none is dropped or dead-lettered.
      SES_KAFKA_METADATA_ENABLED: 'true',
      SES_KAFKA_METADATA_KEY_STRATEGY: 'get-by-message-id',
      SES_KAFKA_METADATA_TABLE: uniqueName('replay-no-such-table'),
      SES_KAFKA_METADATA_MAX_ATTEMPTS: '1',
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`${fixtures.length} not written`));
    const handedBack = readFileSync(failedOut, 'utf8').trim().split('\n');
    assert.equal(handedBack.length, fixtures.length);
    assert.match(result.stderr, /replay them with: ses-kafka replay --local .*retry\.ndjson/);
    // What was handed back is replayable as it is: the same events, each one line.
    const again = replay(['--dry-run', failedOut], env);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`${fixtures.length} inputs: ${fixtures.length} would be produced`));
  });

  it('reads gzip whatever the name, and stdin', async () => {
    const single = readFileSync(path.join(FIXTURES, 'delivery.json'), 'utf8');
    const gzipped = path.join(archive, 'copied-from-s3');
    writeFileSync(gzipped, gzipSync(`${JSON.stringify(JSON.parse(single))}\n`));
    const fromFile = replay(['--dry-run', gzipped], env);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.match(fromFile.stderr, /1 inputs: 1 would be produced/);
    const fromStdin = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--local', '--dry-run', '-'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        input: `${JSON.stringify(JSON.parse(single))}\n{"not":"ses"}\n`,
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', SES_KAFKA_METADATA_ENABLED: 'false', ...env },
        timeout: 120_000,
      },
    );
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.match(fromStdin.stderr, /2 inputs: 1 would be produced to .*, 0 filtered, 1 dead-lettered/);
  });

  it('refuses options that cannot work together, before doing anything (exit 2)', () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--dry-run', '--checkpoint', path.join(archive, 'cp.json'), archive],
        /--checkpoint: a dry run sends nothing/,
      ],
      [['--since', '2026-11-27', '-'], /--since\/--until: stdin has no key to date it by/],
      [['--since', 'last tuesday', archive], /--since: expected a UTC date such as 2026-11-01/],
      [['--since', '2026-11-28', '--until', '2026-11-27', archive], /--until: must be later than --since/],
      [['--batch-size', '0', archive], /--batch-size: expected a positive whole number, got "0"/],
    ];
    for (const [args, message] of cases) {
      const result = replay(args, env);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^ses-kafka replay: error: /m);
      assert.match(result.stderr, message);
    }
  });
});
