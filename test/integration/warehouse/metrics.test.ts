/**
 * A long-running `ses-kafka consume` as a container runs it: /healthz and Prometheus /metrics on
 * --metrics-port, and a graceful SIGTERM (finish the batch, write what is buffered, commit, leave).
 * The Parquet sink is used because it buffers: until its files roll nothing may be committed, and
 * SIGTERM must publish them before committing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadBaseSchema } from '../../../src/ses/base-schema.ts';
import { fixtureValues } from '../../unit/warehouse/ses-values.ts';
import {
  committedRecords,
  createTopic,
  deleteTopics,
  glueRegistryName,
  type Outgoing,
  produceRaw,
  requireStack,
  startConsume,
  TestSerializers,
  uniqueName,
} from './support.ts';

const SCHEMA = loadBaseSchema('v2');
const BAD_BYTES: Outgoing[] = [
  { key: 'bad-frame', value: Buffer.from([0xff, 0x01, 0x02]) },
  { key: 'tombstone', value: null },
];

/** The value of one sample in Prometheus text, e.g. metric('x_total', {table: 'ses_events'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

function samples(text: string, name: string): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('consume --metrics-port: /healthz, Prometheus /metrics, graceful SIGTERM', function () {
  this.timeout(240_000);
  const values = fixtureValues();
  const total = values.length + BAD_BYTES.length;
  let topic: string;
  let dir: string;

  before(async function () {
    this.timeout(600_000);
    await requireStack();
    topic = uniqueName('wh-metrics');
    await createTopic(topic, 2);
    const serializers = new TestSerializers(topic, await glueRegistryName());
    const records: Outgoing[] = [];
    for (const [index, { event, value }] of values.entries()) {
      records.push({
        key: event.mail.messageId,
        value: await serializers.encode(index % 2 === 0 ? 'confluent' : 'glue', value, SCHEMA),
      });
    }
    await produceRaw(topic, [...records, ...BAD_BYTES]);
    dir = mkdtempSync(join(tmpdir(), 'wh-metrics-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteTopics([topic]);
  });

  it('reports health, lag, rows, decode errors and commits; on SIGTERM publishes what it holds, commits and exits 0', async () => {
    const lake = join(dir, 'lake');
    const group = uniqueName('wh-metrics');
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
      '--metrics-port',
      '0',
    ]);
    try {
      const started = await consumer.waitForErr(/\/healthz and \/metrics on port \d+/);
      const port = Number(/on port (\d+)/.exec(started)?.[1]);
      const base = `http://127.0.0.1:${port}`;
      await until('a healthy consumer', async () =>
        (await get(`${base}/healthz`)).status === 200 ? true : undefined,
      );
      assert.deepEqual(JSON.parse((await get(`${base}/healthz`)).body), { status: 'ok', state: 'running' });

      const metrics = await until('every record handed to the sink', async () => {
        const { body } = await get(`${base}/metrics`);
        return sample(body, 'ses_kafka_consumer_rows_written_total', { table: 'ses_events' }) ===
          values.length
          ? body
          : undefined;
      });
      assert.equal(
        sample(metrics, 'ses_kafka_consumer_rows_written_total', { table: 'ses_decode_errors' }),
        2,
      );
      assert.equal(
        sample(metrics, 'ses_kafka_consumer_decode_errors_total', { code: 'SERDE_UNKNOWN_FORMAT' }),
        1,
      );
      assert.equal(sample(metrics, 'ses_kafka_consumer_decode_errors_total', { code: 'EMPTY_VALUE' }), 1);
      assert.equal(sample(metrics, 'ses_kafka_consumer_assigned_partitions'), 2);
      assert.equal(sample(metrics, 'ses_kafka_consumer_up'), 1);
      assert.match(metrics, /\nprocess_resident_memory_bytes\{/);
      // Parquet files roll after 5 minutes by default: nothing is durable yet, so nothing is committed
      // and the lag is every record.
      assert.equal(sample(metrics, 'ses_kafka_consumer_last_commit_timestamp_seconds'), 0);
      assert.equal(
        samples(metrics, 'ses_kafka_consumer_lag_records').reduce((sum, lag) => sum + lag, 0),
        total,
      );
      assert.equal(await committedRecords(group, topic), 0);
      assert.equal((await get(`${base}/nothing`)).status, 404);

      consumer.child.kill('SIGTERM');
      assert.equal(await consumer.exited, 0, consumer.stderr.join('\n'));
      assert.match(consumer.stdout.join('\n'), new RegExp(`consumed ${total} records .*stopped: signal`));
      assert.equal(await committedRecords(group, topic), total);
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const rows = (
        await connection.runAndReadAll(
          `SELECT COUNT(*) AS n FROM read_parquet('${join(lake, 'ses_events', '**', '*.parquet')}', hive_partitioning = true)`,
        )
      ).getRowObjectsJson();
      connection.closeSync();
      instance.closeSync();
      assert.equal(Number(rows[0]?.n), values.length);
      await assert.rejects(get(`${base}/healthz`), 'the server is gone with the process');
    } finally {
      consumer.child.kill('SIGKILL');
    }
  });
});
