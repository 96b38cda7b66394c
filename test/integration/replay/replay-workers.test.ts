/**
 * `replay --workers`: batches prepared on worker threads must come out exactly as when prepared in the
 * main thread. The same archive (every SES fixture, malformed ones, and a Lambda SQS event that holds
 * several inputs) is replayed both ways on the real stack, with the example transform chain; the two
 * topics, the two DLQs and the two reports are compared. Then what crosses the thread boundary the hard
 * way: an error's code and retriable flag (a retriable enrichment failure must stay a retry, not become
 * a dead letter), the raw text `--failed-out` writes, and a worker that cannot start.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PipelineError } from '../../../src/errors.ts';
import { FailedOutWriter } from '../../../src/replay/failed-out.ts';
import { listLocalTarget } from '../../../src/replay/local-source.ts';
import { InThreadPreparer, WorkerPreparer } from '../../../src/replay/preparers.ts';
import { type ReplayReport, replay } from '../../../src/replay/replay.ts';
import { buildRuntime } from '../../../src/runtime.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import {
  closedPort,
  collectRecords,
  createTopics,
  type Env,
  loadFixtures,
  localDecoder,
  localPipelineEnv,
  snsNotification,
  sqsEvent,
  sqsRecord,
  uniqueName,
} from '../../support/pipeline.ts';

const EXAMPLE_TRANSFORMS = path.join(REPO_ROOT, 'schemas', 'transforms.example.properties');
const HMAC_KEY = 'replay-workers-test-key-0123456789abcdef';

/** One archive line per fixture (malformed ones included), then a Lambda SQS event of three inputs. */
function archiveLines(): string[] {
  const lines = loadFixtures('event-publishing', 'notification', 'edge', 'eventbridge', 'malformed').map(
    (fixture) => {
      try {
        return JSON.stringify(JSON.parse(fixture.text));
      } catch {
        return fixture.text.replace(/\s*\n\s*/g, ' ').trim();
      }
    },
  );
  const [first, second] = loadFixtures('event-publishing').map((fixture) => fixture.text);
  const lambdaEvent = sqsEvent([
    sqsRecord(JSON.stringify(snsNotification(first as string, 'n-1')), 'q-1'),
    sqsRecord('{"not": "an SNS notification"}', 'q-2'),
    sqsRecord(JSON.stringify(snsNotification(second as string, 'n-2')), 'q-3'),
  ]);
  lines.push(JSON.stringify(lambdaEvent));
  return lines;
}

function archiveFolder(lines: readonly string[]): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'replay-workers-'));
  writeFileSync(path.join(folder, 'events.ndjson'), `${lines.join('\n')}\n`);
  return folder;
}

function objectsIn(folder: string) {
  return [...listLocalTarget(folder)].flatMap((item) => (item.kind === 'object' ? [item.object] : []));
}

/** Replays `folder` with the preparer `workers` gives (none: in this thread); workers are waited for. */
async function replayWith(
  env: Env,
  folder: string,
  workers: number,
  failedOut?: FailedOutWriter,
): Promise<ReplayReport> {
  const runtime = buildRuntime(env);
  const preparer = workers > 0 ? new WorkerPreparer(workers, env, runtime.pipeline) : undefined;
  try {
    if (preparer) await preparer.started();
    const report = await replay(runtime.pipeline, objectsIn(folder), {
      batchSize: 3,
      window: { inputs: 12, bytes: 16 * 1024 * 1024 },
      ...(preparer === undefined ? {} : { preparer }),
      ...(failedOut === undefined ? {} : { failedOut }),
    });
    // Every batch went to a worker: nothing was prepared here while one was still starting.
    if (preparer) assert.equal(preparer.batchesOnWorkers, Math.ceil(report.counts.records / 3));
    return report;
  } finally {
    await preparer?.close();
    await runtime.producer.close();
  }
}

/** A topic's records as comparable text: key, headers, and the value decoded without its processing time. */
async function topicContents(topic: string, count: number, avro: boolean): Promise<string[]> {
  const decoder = localDecoder();
  const records = await collectRecords(topic, { count, idleMs: 2_000 });
  const contents: string[] = [];
  for (const record of records.sort(
    (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
  )) {
    const headers = { ...record.headers };
    // This run's time and topic name, not the input's.
    delete headers['ses-kafka.errors.timestamp'];
    delete headers['ses-kafka.errors.topic'];
    let value: unknown = record.value?.toString('utf8') ?? null;
    if (avro && record.value !== null) {
      const decoded = (await decoder.decode(record.value)).value as { source?: { processedAt?: unknown } };
      delete decoded.source?.processedAt;
      value = decoded;
    }
    contents.push(
      JSON.stringify({ key: record.key, headers, value }, (_key, v) =>
        typeof v === 'bigint' ? String(v) : v,
      ),
    );
  }
  return contents;
}

describe('replay --workers: batches prepared on worker threads (real stack)', function () {
  this.timeout(300_000);

  it('writes the same records, dead letters and counts as preparing in the main thread', async () => {
    const lines = archiveLines();
    const folder = archiveFolder(lines);
    const runs: Array<{ report: ReplayReport; topic: string; dlqTopic: string }> = [];
    for (const workers of [0, 2]) {
      const topic = uniqueName('replay-workers');
      const dlqTopic = `${topic}.dlq`;
      await createTopics([topic, dlqTopic]);
      const env = localPipelineEnv({
        topic,
        dlqTopic,
        table: 'unused',
        registry: 'confluent',
        extra: {
          SES_KAFKA_METADATA_ENABLED: 'false',
          SES_KAFKA_TRANSFORMS_FILE: EXAMPLE_TRANSFORMS,
          SES_KAFKA_HMAC_KEY: HMAC_KEY,
        },
      });
      runs.push({ report: await replayWith(env, folder, workers), topic, dlqTopic });
    }
    const [inThread, onWorkers] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.equal(inThread.report.counts.records, lines.length);
    assert.ok(inThread.report.counts.produced > 20, JSON.stringify(inThread.report.counts));
    assert.ok(inThread.report.counts.deadLettered >= 5, JSON.stringify(inThread.report.counts));
    assert.deepEqual([...onWorkers.report.notWritten], [...inThread.report.notWritten]);
    assert.deepEqual(onWorkers.report.counts, inThread.report.counts);

    const produced = inThread.report.counts.produced;
    const deadLettered = inThread.report.counts.deadLettered;
    // Keys spread events over partitions; within each, the order must match too.
    assert.deepEqual(
      await topicContents(onWorkers.topic, produced, true),
      await topicContents(inThread.topic, produced, true),
    );
    // Dead letters of inputs without a messageId have no key, so their partitions vary: compared as a set.
    assert.deepEqual(
      (await topicContents(onWorkers.dlqTopic, deadLettered, false)).sort(),
      (await topicContents(inThread.dlqTopic, deadLettered, false)).sort(),
    );
  });

  it('keeps a retriable failure retriable across the thread boundary, and hands each input back whole', async () => {
    const lines = archiveLines();
    const folder = archiveFolder(lines);
    const topic = uniqueName('replay-workers-retry');
    await createTopics([topic, `${topic}.dlq`]);
    // Enrichment against a closed port: every parsed event is a retriable failure, never a dead letter.
    const env = localPipelineEnv({
      topic,
      dlqTopic: `${topic}.dlq`,
      table: uniqueName('missing'),
      registry: 'confluent',
      extra: { DYNAMODB_ENDPOINT: `http://127.0.0.1:${await closedPort()}` },
    });
    const reports: ReplayReport[] = [];
    const handedBack: string[][] = [];
    for (const workers of [0, 1]) {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'replay-workers-out-')), 'failed.ndjson');
      const failedOut = new FailedOutWriter(file, { append: false });
      reports.push(await replayWith(env, folder, workers, failedOut));
      handedBack.push(readFileSync(file, 'utf8').split('\n').filter(Boolean));
    }
    const [inThread, onWorkers] = reports as [ReplayReport, ReplayReport];
    const retried = inThread.notWritten.get('METADATA_STORE_UNAVAILABLE');
    assert.ok(retried !== undefined && retried.count > 20, JSON.stringify([...inThread.notWritten]));
    assert.deepEqual(onWorkers.counts, inThread.counts);
    assert.deepEqual(
      [...onWorkers.notWritten].map(([code, group]) => [code, group.count]),
      [...inThread.notWritten].map(([code, group]) => [code, group.count]),
    );
    assert.equal(onWorkers.counts.produced, 0);
    // What --failed-out got is each input's own text, as the main thread would have written it.
    assert.equal(handedBack[1]?.length, inThread.counts.notWritten);
    assert.deepEqual(handedBack[1], handedBack[0]);
  });

  it('a worker that cannot start stops the replay with a message naming the setting and the way out', async () => {
    const good = localPipelineEnv({ topic: 't', dlqTopic: 't.dlq', table: 'unused', registry: 'confluent' });
    const runtime = buildRuntime(good);
    const preparer = new WorkerPreparer(1, { SES_KAFKA_BROKERS: '127.0.0.1:1' }, runtime.pipeline);
    try {
      await preparer.started();
      await assert.rejects(
        preparer.prepare([{ label: 'x.ndjson', value: { text: '{}', line: 1, onLine: 1 } }]),
        (error: unknown) => {
          assert.ok(error instanceof PipelineError);
          assert.equal(error.code, 'REPLAY_WORKER_FAILED');
          assert.match(error.message, /replay worker could not start: SES_KAFKA_[A-Z_]+: required/);
          assert.match(error.message, /--workers 0/);
          return true;
        },
      );
    } finally {
      await preparer.close();
      await runtime.producer.close();
    }
  });

  it('the same in-thread preparer is what replay uses without one', async () => {
    // Guards the default: no preparer given means the main thread prepares (no worker is started).
    const runtime = buildRuntime(
      localPipelineEnv({ topic: 't', dlqTopic: 't.dlq', table: 'unused', registry: 'confluent' }),
    );
    const prepared = await new InThreadPreparer(runtime.pipeline).prepare([
      { label: 'x.ndjson', value: { text: 'not json', line: 1, onLine: 1 } },
    ]);
    assert.equal(prepared.batch.size, 1);
    assert.equal(prepared.rawOf(0), 'not json');
    await runtime.producer.close();
  });
});
