/**
 * A backfill stopped halfway and continued from its checkpoint, as separate `ses-kafka replay`
 * processes against the real broker: killed with SIGKILL (nothing gets to run), and interrupted with
 * SIGINT (the inputs in flight are settled first). While it runs, the checkpoint is read over and over
 * and must never count more than the topic holds: nothing is checkpointed before Kafka acknowledged it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVENT_ID_HEADER } from '../../../src/pipeline.ts';
import type { Checkpoint } from '../../../src/replay/checkpoint.ts';
import { parseAnyInput } from '../../../src/ses/index.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import {
  collectRecords,
  createTopics,
  distinctSesEvents,
  tally,
  topicRecordCount,
  uniqueName,
} from '../../support/pipeline.ts';

const FILES = 6;
const PER_FILE = 1500;
const TOTAL = FILES * PER_FILE;

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startReplay(args: string[], env: Record<string, string>): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--local', ...args],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        SES_KAFKA_METADATA_ENABLED: 'false',
        CI: 'true',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

function readCheckpoint(file: string): Checkpoint | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
}

/**
 * Until `stopWhen` says so: reads the checkpoint, then the topic's record count, and checks that the
 * checkpoint never counts more produced records than the topic holds. Returns how often it looked.
 */
async function watch(
  file: string,
  topic: string,
  run: Run,
  stopWhen: (checkpoint: Checkpoint) => boolean,
): Promise<number> {
  let looks = 0;
  for (;;) {
    const checkpoint = readCheckpoint(file);
    if (checkpoint !== undefined) {
      const inTopic = await topicRecordCount(topic);
      looks++;
      assert.ok(
        checkpoint.counts.produced <= inTopic,
        `the checkpoint counts ${checkpoint.counts.produced} produced while the topic holds ${inTopic}`,
      );
      if (stopWhen(checkpoint)) return looks;
    }
    if (run.child.exitCode !== null) assert.fail(`replay ended before it was stopped: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('replay --checkpoint: a stopped backfill continues where it stopped (real stack)', function () {
  this.timeout(600_000);
  const archive = mkdtempSync(path.join(tmpdir(), 'replay-resume-'));
  const expectedIds: string[] = [];

  before(() => {
    const events = distinctSesEvents(TOTAL, uniqueName('resume'));
    for (let file = 0; file < FILES; file++) {
      const folder = path.join(archive, `2026/11/20/${String(file).padStart(2, '0')}`);
      mkdirSync(folder, { recursive: true });
      const lines = events.slice(file * PER_FILE, (file + 1) * PER_FILE);
      writeFileSync(path.join(folder, 'events.ndjson'), `${lines.join('\n')}\n`);
    }
    for (const text of events) {
      const [outcome] = parseAnyInput(text);
      assert.ok(outcome?.ok);
      expectedIds.push(outcome.event.eventId);
    }
  });

  async function assertEveryEvent(topic: string, expectedRecords: number) {
    const records = await collectRecords(topic, {
      count: expectedRecords,
      idleMs: 5_000,
      timeoutMs: 120_000,
    });
    const counts = tally(records.map((record) => record.headers[EVENT_ID_HEADER] ?? '(none)'));
    const missing = expectedIds.filter((id) => !counts.has(id));
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} events missing`);
    assert.equal(counts.size, TOTAL);
    return records.length;
  }

  it('after SIGKILL, sends again only what Kafka acknowledged after the last checkpoint', async () => {
    const topic = uniqueName('replay-kill');
    await createTopics([topic, `${topic}.dlq`]);
    const checkpoint = path.join(archive, 'kill.checkpoint.json');
    const args = ['--topic', topic, '--batch-size', '100', '--checkpoint', checkpoint, archive];
    const env = { SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true' };

    const first = startReplay(args, env);
    const looks = await watch(checkpoint, topic, first, (state) => state.counts.records >= TOTAL / 3);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = readCheckpoint(checkpoint) as Checkpoint;
    const inTopicAtKill = await topicRecordCount(topic);
    assert.ok(atKill.counts.produced < TOTAL && !atKill.complete);
    assert.ok(atKill.counts.produced <= inTopicAtKill);

    const second = startReplay(args, env);
    const code = await second.exited;
    assert.equal(code, 0, second.stderr());
    assert.match(
      second.stderr(),
      new RegExp(`resuming from ${checkpoint.replace(/[.]/g, '\\.')}: ${atKill.counts.records} records done`),
    );
    const resumed = readCheckpoint(checkpoint) as Checkpoint;
    assert.equal(resumed.complete, true);
    assert.equal(
      resumed.counts.produced,
      TOTAL,
      'over both runs, every input was settled once in the checkpoint',
    );

    // Duplicates are exactly what the broker had beyond the checkpoint when the process died.
    const duplicates = inTopicAtKill - atKill.counts.produced;
    const records = await assertEveryEvent(topic, TOTAL + duplicates);
    assert.equal(records, TOTAL + duplicates);
    console.log(
      `      killed at ${atKill.counts.produced} checkpointed / ${inTopicAtKill} in the topic (${looks} looks, checkpoint never ahead); ${duplicates} sent twice`,
    );

    // A finished backfill run again does nothing.
    const third = startReplay(args, env);
    assert.equal(await third.exited, 0);
    assert.match(third.stderr(), /this backfill already finished .*; nothing to do/);
    assert.equal(await topicRecordCount(topic), records);
  });

  it('after SIGINT, settles what is in flight, saves the checkpoint, and a resumed run sends nothing twice', async () => {
    const topic = uniqueName('replay-int');
    await createTopics([topic, `${topic}.dlq`]);
    const checkpoint = path.join(archive, 'int.checkpoint.json');
    const args = ['--topic', topic, '--batch-size', '100', '--checkpoint', checkpoint, archive];
    const env = { SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true' };

    const first = startReplay(args, env);
    await watch(checkpoint, topic, first, (state) => state.counts.records >= TOTAL / 3);
    first.child.kill('SIGINT');
    assert.equal(await first.exited, 1, first.stderr());
    assert.match(
      first.stderr(),
      // Between two files the signal names no file; inside one it names the file it stopped reading.
      /interrupted( while reading .*)?: the inputs already in the pipeline were settled; continue with: ses-kafka replay --local --topic \S+ --batch-size 100 --checkpoint \S+ \S+/,
    );
    const stopped = readCheckpoint(checkpoint) as Checkpoint;
    assert.equal(
      stopped.counts.produced,
      await topicRecordCount(topic),
      'the checkpoint is exactly what Kafka has',
    );

    const second = startReplay(args, env);
    assert.equal(await second.exited, 0, second.stderr());
    assert.equal(await assertEveryEvent(topic, TOTAL), TOTAL, 'nothing sent twice');
  });
});
