/**
 * The Parquet data-lake sink, end to end: `ses-kafka consume --to parquet` as its own process against
 * the real broker and registries, into a local folder and into S3 (moto). Everything is read back with
 * DuckDB's read_parquet(..., hive_partitioning = true) and compared with what the topic holds.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import type { TopicPartitionOffset } from '../../../src/kafka/consumer-port.ts';
import { KafkajsConsumerGroup } from '../../../src/kafka/kafkajs-consumer.ts';
import { loadBaseSchema } from '../../../src/ses/base-schema.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../../src/stack/endpoints.ts';
import { runConsumer } from '../../../src/warehouse/consumer.ts';
import { parseParquetFileName } from '../../../src/warehouse/parquet/file-names.ts';
import { type LakeStore, LocalLakeStore } from '../../../src/warehouse/parquet/lake-store.ts';
import { ParquetSink } from '../../../src/warehouse/parquet/parquet-sink.ts';
import { expectedRecipientCounts, fixtureValues } from '../../unit/warehouse/ses-values.ts';
import {
  committedByPartition,
  committedRecords,
  createTopic,
  deleteTopics,
  endpoints,
  glueRegistryName,
  kafkaConfig,
  localDecoder,
  type Outgoing,
  produceRaw,
  requireStack,
  runConsumeProcess,
  startConsume,
  TestSerializers,
  uniqueName,
} from './support.ts';

const SCHEMA = loadBaseSchema('v2');
const BAD_BYTES: Outgoing[] = [
  { key: 'bad-frame', value: Buffer.from([0xff, 0x01, 0x02]) },
  { key: 'tombstone', value: null },
];
const PARTITIONS = 3;

type Row = Record<string, unknown>;

async function duck(sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every file under `root`, as a relative path with `/`, sorted. */
function filesUnder(root: string, folder: string = root): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(root, path));
    else found.push(relative(root, path).split(sep).join('/'));
  }
  return found.sort();
}

function eventsGlob(root: string): string {
  return `read_parquet('${join(root, 'ses_events', '**', '*.parquet')}', hive_partitioning = true)`;
}

/** Every partition's file ranges, sorted: they must tile [0, end) without gaps or overlaps. */
function rangesByPartition(keys: readonly string[]): Map<number, Array<[number, number]>> {
  const byPartition = new Map<number, Set<string>>();
  for (const key of keys) {
    const range = parseParquetFileName(key);
    assert.ok(range, `file ${key} is not named <topic>+<partition>+<first>+<last>.parquet`);
    const set = byPartition.get(range.partition) ?? new Set<string>();
    set.add(`${range.first}-${range.last}`);
    byPartition.set(range.partition, set);
  }
  return new Map(
    [...byPartition].map(([partition, set]) => [
      partition,
      [...set].map((text) => text.split('-').map(Number) as [number, number]).sort((a, b) => a[0] - b[0]),
    ]),
  );
}

function assertTiling(ranges: Map<number, Array<[number, number]>>, ends: Map<number, number>, size: number) {
  for (const [partition, end] of ends) {
    if (end === 0) continue;
    const list = ranges.get(partition) ?? [];
    let next = 0;
    list.forEach(([first, last], index) => {
      assert.equal(first, next, `partition ${partition}: range ${first}-${last} does not start at ${next}`);
      if (index < list.length - 1)
        assert.equal(last - first + 1, size, `partition ${partition}: rolls at ${size}`);
      else assert.ok(last - first + 1 <= size);
      next = last + 1;
    });
    assert.equal(next, end, `partition ${partition}: files cover offsets up to ${end}`);
  }
}

describe('Parquet sink: Hive-partitioned files a replay rewrites, in a folder and in S3 (moto)', function () {
  this.timeout(300_000);
  const values = fixtureValues();
  const total = values.length + BAD_BYTES.length;
  const recipients =
    Object.values(expectedRecipientCounts(values)).reduce((sum, n) => sum + n, 0) -
    expectedRecipientCounts(values).hardBounced;
  let topic: string;
  let dir: string;

  before(async function () {
    this.timeout(600_000);
    await requireStack();
    const glueRegistry = await glueRegistryName();
    topic = uniqueName('wh-parquet');
    await createTopic(topic, PARTITIONS);
    const serializers = new TestSerializers(topic, glueRegistry);
    const records: Outgoing[] = [];
    for (const [index, { event, value }] of values.entries()) {
      records.push({
        key: event.mail.messageId,
        value: await serializers.encode(index % 2 === 0 ? 'confluent' : 'glue', value, SCHEMA),
      });
    }
    await produceRaw(topic, [...records, ...BAD_BYTES]);
    dir = mkdtempSync(join(tmpdir(), 'wh-parquet-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteTopics([topic]);
  });

  const common = () => [
    '--local',
    '--topic',
    topic,
    '--from-beginning',
    '--to',
    'parquet',
    '--until-idle',
    '3000',
  ];

  it('writes every event once with proper types; files roll at --flush-records and name their offsets; replays rewrite the same files', async () => {
    const lake = join(dir, 'lake');
    const group = uniqueName('wh-pq');
    const first = await runConsumeProcess([
      ...common(),
      '--out',
      lake,
      '--group',
      group,
      '--flush-records',
      '7',
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      new RegExp(`consumed ${total} records into parquet .*: ${values.length} events, 2 undecodable`),
    );
    assert.equal(await committedRecords(group, topic), total);

    const rows = await duck(
      `SELECT event_id, event_type, event_day, kafka_partition, kafka_offset, len(recipients) AS recipients FROM ${eventsGlob(lake)}`,
    );
    assert.equal(rows.length, values.length);
    const expected = new Map(values.map(({ event }) => [event.eventId, event]));
    for (const row of rows) {
      const event = expected.get(String(row.event_id));
      assert.ok(event, `unexpected event ${row.event_id}`);
      assert.equal(row.event_type, event.eventType, 'event_type comes back from the folder name');
      assert.equal(row.event_day, new Date(event.eventTime).toISOString().slice(0, 10));
    }
    assert.equal(new Set(rows.map((row) => row.event_id)).size, values.length);
    assert.equal(
      rows.reduce((sum, row) => sum + Number(row.recipients ?? 0), 0),
      recipients,
    );
    const errors = await duck(
      `SELECT error_code FROM read_parquet('${join(lake, 'ses_decode_errors', '*.parquet')}')`,
    );
    assert.deepEqual(errors.map((row) => row.error_code).sort(), ['EMPTY_VALUE', 'SERDE_UNKNOWN_FORMAT']);

    const types = Object.fromEntries(
      (await duck(`DESCRIBE SELECT * FROM ${eventsGlob(lake)}`)).map((row) => [
        row.column_name,
        row.column_type,
      ]),
    );
    assert.equal(types.event_time, 'TIMESTAMP WITH TIME ZONE');
    assert.equal(types.event_day, 'DATE');
    assert.equal(types.raw_value, 'JSON');
    assert.equal(types.kafka_offset, 'BIGINT');
    assert.match(
      String(types.recipients),
      /^STRUCT\(recipient VARCHAR, recipient_domain VARCHAR, "?role"? VARCHAR/,
    );
    assert.match(String(types.recipients), /\)\[\]$/);

    const files = filesUnder(lake).filter((key) => !key.startsWith('.staging'));
    const strays = files.filter(
      (key) => !key.startsWith('ses_events/event_day=') && !key.startsWith('ses_decode_errors/'),
    );
    assert.deepEqual(strays, []);
    const ends = await committedByPartition(group, topic);
    assertTiling(rangesByPartition(files), ends, 7);

    // A replay of the same offsets (another group, same roll size) writes the same names: nothing is added.
    const replay = await runConsumeProcess([
      ...common(),
      '--out',
      lake,
      '--group',
      uniqueName('wh-pq-replay'),
      '--flush-records',
      '7',
    ]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.deepEqual(
      filesUnder(lake).filter((key) => !key.startsWith('.staging')),
      files,
    );
    assert.equal(Number((await duck(`SELECT COUNT(*) AS n FROM ${eventsGlob(lake)}`))[0]?.n), values.length);

    // A replay that rolls at other places replaces the files it overlaps.
    const rerolled = await runConsumeProcess([
      ...common(),
      '--out',
      lake,
      '--group',
      uniqueName('wh-pq-reroll'),
      '--flush-records',
      '5',
    ]);
    assert.equal(rerolled.code, 0, rerolled.stderr);
    assert.equal(Number((await duck(`SELECT COUNT(*) AS n FROM ${eventsGlob(lake)}`))[0]?.n), values.length);
    const [errorCount] = await duck(
      `SELECT COUNT(*) AS n FROM read_parquet('${join(lake, 'ses_decode_errors', '*.parquet')}')`,
    );
    assert.equal(Number(errorCount?.n), 2);
    assertTiling(rangesByPartition(filesUnder(lake).filter((key) => !key.startsWith('.staging'))), ends, 5);
  });

  it('rolls files on --flush-interval while running, and on SIGTERM writes what it holds, commits and exits 0', async () => {
    const lake = join(dir, 'timed');
    const group = uniqueName('wh-pq-timed');
    const consumer = startConsume([
      '--local',
      '--topic',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--to',
      'parquet',
      '--out',
      lake,
      '--flush-interval',
      '1500',
    ]);
    try {
      // No record limit is reached (50,000 by default): only the clock can roll these files.
      const deadline = Date.now() + 60_000;
      while (filesUnder(join(lake, 'ses_events')).length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(filesUnder(join(lake, 'ses_events')).length > 0, 'a file rolled while the consumer ran');
      // Every partition's file rolls on the clock and its offsets are committed, all while it runs.
      while ((await committedRecords(group, topic)) < total && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(await committedRecords(group, topic), total);
      assert.equal(consumer.child.exitCode, null, 'still running');
      consumer.child.kill('SIGTERM');
      assert.equal(await consumer.exited, 0, consumer.stderr.join('\n'));
      assert.match(consumer.stdout.join('\n'), /stopped: signal/);
      assert.equal(
        Number((await duck(`SELECT COUNT(*) AS n FROM ${eventsGlob(lake)}`))[0]?.n),
        values.length,
      );
    } finally {
      consumer.child.kill('SIGKILL');
    }
  });

  it('commits only what is published: after a failed upload, the group stands at the end of the last published file', async () => {
    /** Publishes the files of the first roll it sees, then fails, as a full disk or a lost S3 connection would. */
    class FailingStore implements LakeStore {
      readonly description: string;
      readonly stagingRoot: string;
      firstRange: string | undefined;
      constructor(private readonly inner: LakeStore) {
        this.description = inner.description;
        this.stagingRoot = inner.stagingRoot;
      }
      async put(localFile: string, key: string): Promise<void> {
        const range = parseParquetFileName(key);
        const id = `${range?.partition}:${range?.first}:${range?.last}`;
        this.firstRange ??= id;
        if (id !== this.firstRange) throw new Error('the test made this upload fail');
        await this.inner.put(localFile, key);
      }
      list(folder: string) {
        return this.inner.list(folder);
      }
      remove(keys: readonly string[]) {
        return this.inner.remove(keys);
      }
      close() {
        return this.inner.close();
      }
    }
    const lake = join(dir, 'failing');
    const sink = await ParquetSink.open({
      store: new FailingStore(new LocalLakeStore(lake)),
      flushRecords: 4,
      flushBytes: 1 << 30,
      flushIntervalMs: 600_000,
    });
    const group = uniqueName('wh-pq-fail');
    const committed: TopicPartitionOffset[] = [];
    const summary = await runConsumer({
      consumer: new KafkajsConsumerGroup(kafkaConfig, { groupId: group }),
      topics: [topic],
      fromBeginning: true,
      decoder: localDecoder(),
      sink,
      untilIdleMs: 3_000,
      observer: { committed: (offsets) => committed.push(...offsets) },
    });
    await sink.close();
    assert.equal(summary.stoppedBecause, 'failed');
    assert.match(String(summary.error?.message), /the test made this upload fail/);
    const published = filesUnder(lake).filter(
      (key) => key.endsWith('.parquet') && !key.startsWith('.staging'),
    );
    assert.ok(published.length > 0);
    const ranges = new Set(
      published.map((key) =>
        JSON.stringify(parseParquetFileName(key), (_k, v) => (typeof v === 'bigint' ? Number(v) : v)),
      ),
    );
    assert.equal(ranges.size, 1, 'only the first roll was published');
    const range = JSON.parse([...ranges][0] as string) as { partition: number; first: number; last: number };
    assert.equal(range.last - range.first + 1, 4);
    // Exactly that roll is committed; nothing of the roll whose upload failed, nor of other partitions.
    const byPartition = await committedByPartition(group, topic);
    for (const [partition, offset] of byPartition) {
      assert.equal(offset, partition === range.partition ? range.last + 1 : -1, `partition ${partition}`);
    }
    assert.deepEqual(
      committed.map(({ partition, offset }) => [partition, Number(offset)]),
      [[range.partition, range.last + 1]],
    );
  });

  it('writes to S3 (moto); a replay that rolls elsewhere replaces the objects it overlaps', async () => {
    const s3 = new S3Client({
      endpoint: endpoints.glueEndpoint,
      region: LOCAL_AWS_REGION,
      credentials: { ...LOCAL_AWS_CREDENTIALS },
      forcePathStyle: true,
    });
    const bucket = uniqueName('wh-parquet').toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const listKeys = async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (page.Contents ?? []).map((item) => item.Key as string).sort();
    };
    const download = async (into: string) => {
      for (const key of await listKeys()) {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const target = join(into, ...key.split('/'));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(
          target,
          await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
      }
    };
    try {
      const out = `s3://${bucket}/lake/ses`;
      const first = await runConsumeProcess([
        ...common(),
        '--out',
        out,
        '--group',
        uniqueName('wh-s3'),
        '--flush-records',
        '6',
      ]);
      assert.equal(first.code, 0, first.stderr);
      const keys = await listKeys();
      assert.ok(
        keys.length > 0 &&
          keys.every(
            (key) => key.startsWith('lake/ses/ses_events/') || key.startsWith('lake/ses/ses_decode_errors/'),
          ),
      );
      const copy = join(dir, 's3-copy');
      await download(copy);
      const root = join(copy, 'lake', 'ses');
      const rows = await duck(`SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM ${eventsGlob(root)}`);
      assert.equal(Number(rows[0]?.n), values.length);
      assert.equal(Number(rows[0]?.d), values.length);
      assert.ok(statSync(root).isDirectory());

      // A replay rolling at other places deletes the objects its files replace (DeleteObjects).
      const rerolled = await runConsumeProcess([
        ...common(),
        '--out',
        out,
        '--group',
        uniqueName('wh-s3-reroll'),
        '--flush-records',
        '4',
      ]);
      assert.equal(rerolled.code, 0, rerolled.stderr);
      const after = await listKeys();
      assert.notDeepEqual(after, keys);
      const again = join(dir, 's3-copy-again');
      await download(again);
      const [counted] = await duck(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM ${eventsGlob(join(again, 'lake', 'ses'))}`,
      );
      assert.equal(Number(counted?.n), values.length, 'no row twice after the replaced objects are gone');
      assert.equal(Number(counted?.d), values.length);
    } finally {
      const keys = await listKeys().catch(() => [] as string[]);
      if (keys.length > 0) {
        await s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
        );
      }
      await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
      s3.destroy();
    }
  });
});
