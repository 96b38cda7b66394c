/**
 * A team moving from SNS to EventBridge runs both event destinations for a while, so every SES event
 * reaches the topic twice, once through each door (and an archive replay may send it a third time). The
 * warehouse must still hold one row per event: the same eventId through both doors, and the consumer
 * upserts on it. Each step runs as the README documents it: the Lambda handlers on the local stack, then
 * `ses-kafka consume` as its own process into a DuckDB file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { EventBridgeEvent } from 'aws-lambda';
import { handleEventBridgeEvent } from '../../../src/lambda/eventbridge-handler.ts';
import { handleSnsEvent } from '../../../src/lambda/sns-handler.ts';
import { handleSqsEvent } from '../../../src/lambda/sqs-handler.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import { EVENT_COLUMNS } from '../../../src/warehouse/model.ts';
import {
  createTopics,
  lambdaContext,
  loadFixtures,
  localPipelineEnv,
  snsEvent,
  sqsEvent,
  sqsRecord,
  topicRecordCount,
  uniqueName,
} from '../../support/pipeline.ts';

const execFileAsync = promisify(execFile);

/** What the SES event itself decides: every events column before the door and Kafka bookkeeping. */
const SES_COLUMNS = Object.keys(EVENT_COLUMNS).slice(0, Object.keys(EVENT_COLUMNS).indexOf('envelope'));

async function query(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `ses-kafka consume` in its own process, as the README runs it; resumes from the group's offsets. */
async function consumeIntoDuckDb(topic: string, group: string, file: string): Promise<string> {
  const { stdout, stderr } = await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'consume',
      '--local',
      '--topic',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--to',
      'duckdb',
      '--out',
      file,
      '--until-idle',
      '4000',
    ],
    { cwd: REPO_ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return `${stdout}${stderr}`;
}

describe('warehouse: the SNS and EventBridge copies of one SES event are one row', function () {
  this.timeout(240_000);
  const snsCopies = loadFixtures('event-publishing');
  const eventBridgeCopies = loadFixtures('eventbridge');
  const topic = uniqueName('two-doors');
  const dlqTopic = `${topic}.dlq`;
  const group = uniqueName('two-doors-warehouse');
  let dir: string;
  let runtime: Runtime;

  before(async () => {
    assert.equal(snsCopies.length, eventBridgeCopies.length);
    await createTopics([topic, dlqTopic]);
    dir = mkdtempSync(path.join(tmpdir(), 'two-doors-'));
    runtime = buildRuntime(
      localPipelineEnv({
        topic,
        dlqTopic,
        table: uniqueName('two_doors'),
        registry: 'confluent',
        extra: { SES_KAFKA_METADATA_ENABLED: 'false' },
      }),
    );
  });

  after(async () => {
    await runtime?.producer.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the SNS copies, then the EventBridge copies (direct, through SQS, replayed) change nothing but the door', async () => {
    const warehouse = path.join(dir, 'warehouse.duckdb');
    const sesColumns = SES_COLUMNS.join(', ');

    // Before the migration: the SNS topic invokes the function.
    const snsSummary = await handleSnsEvent(
      snsEvent(snsCopies.map((fixture) => fixture.text)),
      lambdaContext(30_000),
      runtime,
    );
    assert.equal(snsSummary.produced, snsCopies.length);
    await consumeIntoDuckDb(topic, group, warehouse);
    const beforeRows = await query(warehouse, `SELECT ${sesColumns} FROM ses_events ORDER BY event_id`);
    const beforeRecipients = await query(
      warehouse,
      'SELECT * FROM ses_recipients ORDER BY event_id, recipient',
    );
    assert.equal(beforeRows.length, snsCopies.length);
    assert.deepEqual(
      (await query(warehouse, 'SELECT DISTINCT envelope FROM ses_events')).map((row) => row.envelope),
      ['sns-lambda'],
    );

    // During it: the EventBridge destination delivers the same events, to the function and through SQS,
    // and an archive replay sends the bounce once more.
    for (const fixture of eventBridgeCopies) {
      const event = JSON.parse(fixture.text) as EventBridgeEvent<string, unknown>;
      const summary = await handleEventBridgeEvent(event, lambdaContext(30_000), runtime);
      assert.equal(summary.produced, 1, fixture.name);
    }
    const viaQueue = await handleSqsEvent(
      sqsEvent([
        ...eventBridgeCopies.map((fixture, index) => sqsRecord(fixture.text, `two-doors-${index}`)),
        ...loadFixtures('eventbridge-edge')
          .filter((fixture) => fixture.name.endsWith('archive-replay.json'))
          .map((fixture) => sqsRecord(fixture.text, 'two-doors-replay')),
      ]),
      lambdaContext(30_000),
      runtime,
    );
    assert.deepEqual(viaQueue.batchItemFailures, []);
    const copies = snsCopies.length + 2 * eventBridgeCopies.length + 1;
    assert.equal(await topicRecordCount(topic), copies, 'every copy is in the topic');

    const output = await consumeIntoDuckDb(topic, group, warehouse);
    const afterRows = await query(warehouse, `SELECT ${sesColumns} FROM ses_events ORDER BY event_id`);
    assert.deepEqual(afterRows, beforeRows, `one row per event, unchanged:\n${output}`);
    assert.deepEqual(
      await query(warehouse, 'SELECT * FROM ses_recipients ORDER BY event_id, recipient'),
      beforeRecipients,
    );
    const doors = await query(
      warehouse,
      'SELECT envelope, COUNT(*)::INTEGER AS events FROM ses_events GROUP BY envelope ORDER BY envelope',
    );
    // The last copy of each event in its partition is the one the row keeps: a later door's record.
    assert.ok(
      doors.every((row) => row.envelope === 'eventbridge' || row.envelope === 'sqs-eventbridge'),
      JSON.stringify(doors),
    );
    assert.equal(
      doors.reduce((sum, row) => sum + Number(row.events), 0),
      snsCopies.length,
    );
  });
});
