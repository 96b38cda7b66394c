/** The Parquet sink against a real folder and the embedded DuckDB that writes and reads the files. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { SinkBatch } from '../../../src/warehouse/model.ts';
import {
  type FileRange,
  parquetFileName,
  parseParquetFileName,
  rangesOverlap,
} from '../../../src/warehouse/parquet/file-names.ts';
import { LocalLakeStore } from '../../../src/warehouse/parquet/lake-store.ts';
import { ParquetSink } from '../../../src/warehouse/parquet/parquet-sink.ts';
import { decodeErrorRow } from '../../../src/warehouse/rows.ts';
import { batchOf, errorBatch, fixtureValues } from './ses-values.ts';

function files(root: string, folder: string = root): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...files(root, path));
    else found.push(relative(root, path).split(sep).join('/'));
  }
  return found.filter((key) => !key.startsWith('.staging')).sort();
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `batch` cut into batches of `size` records, as separate fetches would deliver it. */
function split(batch: SinkBatch, size: number): SinkBatch[] {
  const slice = batch.slices[0];
  assert.ok(slice);
  const parts: SinkBatch[] = [];
  for (let start = 0; start < slice.records.length; start += size) {
    parts.push({
      slices: [{ ...slice, records: slice.records.slice(start, start + size) }],
      extraColumns: [],
    });
  }
  return parts;
}

describe('Parquet sink (local folder)', function () {
  this.timeout(60_000);
  const values = fixtureValues();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ses-parquet-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function open(root: string, flushRecords = 1_000, flushBytes = 1 << 30, flushIntervalMs = 600_000) {
    return ParquetSink.open({ store: new LocalLakeStore(root), flushRecords, flushBytes, flushIntervalMs });
  }

  describe('file names', () => {
    it('carry topic, partition and zero-padded first and last offsets, and read back, also with + in the topic', () => {
      const range: FileRange = { topic: 'ses+events', partition: 3, first: 120n, last: 12_345_678_901n };
      assert.equal(parquetFileName(range), 'ses+events+3+0000000120+12345678901.parquet');
      assert.deepEqual(
        parseParquetFileName(`ses_events/event_day=2024-01-01/${parquetFileName(range)}`),
        range,
      );
      assert.deepEqual(parseParquetFileName(parquetFileName(range, 2)), range);
      assert.equal(parseParquetFileName('part-0000.parquet'), undefined);
      const other = { ...range, first: 12_345_678_901n, last: 12_345_678_999n };
      assert.equal(rangesOverlap(range, other), true);
      assert.equal(rangesOverlap(range, { ...other, first: 12_345_678_902n }), false);
      assert.equal(rangesOverlap(range, { ...range, partition: 4 }), false);
    });
  });

  it('rolls at exactly --flush-records records whatever the fetch sizes, so the same offsets give the same files', async () => {
    const batch = batchOf(values, 'ses-events', 0, 1);
    const oneFetch = join(dir, 'one');
    const sinkA = await open(oneFetch, 7);
    const durableA = [...(await sinkA.write(batch)), ...(await sinkA.flush('all'))];
    await sinkA.close();
    const manyFetches = join(dir, 'many');
    const sinkB = await open(manyFetches, 7);
    const durableB = [];
    for (const part of split(batch, 3)) durableB.push(...(await sinkB.write(part)));
    durableB.push(...(await sinkB.flush('all')));
    await sinkB.close();
    assert.deepEqual(files(oneFetch), files(manyFetches));
    assert.deepEqual(durableA, durableB);
    const ends = durableA.map((item) => Number(item.offset));
    assert.deepEqual(ends, [7, 14, 21, values.length].slice(0, Math.ceil(values.length / 7)));
    const rows = await query(
      `SELECT COUNT(*) AS n FROM read_parquet('${join(oneFetch, 'ses_events', '**', '*.parquet')}', hive_partitioning = true)`,
    );
    assert.equal(Number(rows[0]?.n), values.length);
  });

  it('rolls on bytes of record values, and holds a file open until its time is due', async () => {
    const batch = batchOf(values.slice(0, 10)); // 1,000 value bytes each
    let now = 0;
    const sink = await ParquetSink.open({
      store: new LocalLakeStore(dir),
      flushRecords: 1_000,
      flushBytes: 2_500,
      flushIntervalMs: 60_000,
      now: () => now,
    });
    const durable = await sink.write(batch);
    assert.deepEqual(
      durable.map((item) => item.offset),
      ['3', '6', '9'],
    );
    assert.deepEqual(await sink.flush('due'), [], 'the last file is not due yet');
    now = 60_000;
    assert.deepEqual(
      (await sink.flush('due')).map((item) => item.offset),
      ['10'],
    );
    await sink.close();
  });

  it('drops what it buffered when a rebalance hands partitions over, and writes nothing for it', async () => {
    const sink = await open(dir, 1_000);
    assert.deepEqual(await sink.write(batchOf(values.slice(0, 5))), []);
    sink.retain([]);
    assert.deepEqual(await sink.flush('all'), []);
    await sink.close();
    assert.deepEqual(files(dir), []);
  });

  it('a new file replaces older files of the same partition whose offsets overlap it', async () => {
    const batch = batchOf(values.slice(0, 10), 'ses-events', 0, 2);
    const first = await open(dir, 10);
    await first.write(batch);
    await first.close();
    const before = files(dir);
    assert.ok(before.every((key) => key.endsWith('ses-events+2+0000000000+0000000009.parquet')));
    // A replay that rolls every 5 records: its first file overlaps the old one, which goes.
    const replay = await open(dir, 5);
    await replay.write(batch);
    await replay.close();
    const after = files(dir);
    assert.ok(after.every((key) => !key.endsWith('0000000000+0000000009.parquet')));
    assert.ok(after.some((key) => key.endsWith('+0000000000+0000000004.parquet')));
    assert.ok(after.some((key) => key.endsWith('+0000000005+0000000009.parquet')));
    const rows = await query(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM read_parquet('${join(dir, 'ses_events', '**', '*.parquet')}', hive_partitioning = true)`,
    );
    assert.equal(Number(rows[0]?.n), 10);
    assert.equal(Number(rows[0]?.d), 10);
  });

  it('writes decode errors to their own folder, and extra columns into files written after they appear', async () => {
    const sink = await open(dir, 2);
    const error = decodeErrorRow(
      { topic: 'ses-events', partition: 0, offset: '0' },
      { key: null, value: Buffer.from([0xff]) },
      { code: 'SERDE_UNKNOWN_FORMAT', message: 'unknown wire format' },
    );
    await sink.write(errorBatch([error]));
    const withExtra = batchOf(values.slice(0, 2), 'ses-events', 1);
    for (const record of withExtra.slices[0]?.records ?? []) {
      if (record.event) record.event.event.tenant_tier = 'gold';
    }
    withExtra.extraColumns = [{ field: 'tenantTier', name: 'tenant_tier', type: 'text' }];
    await sink.write(withExtra);
    await sink.close();
    const errors = await query(
      `SELECT error_code, kafka_offset FROM read_parquet('${join(dir, 'ses_decode_errors', '*.parquet')}')`,
    );
    assert.deepEqual(errors, [{ error_code: 'SERDE_UNKNOWN_FORMAT', kafka_offset: '0' }]);
    const tiers = await query(
      `SELECT DISTINCT tenant_tier FROM read_parquet('${join(dir, 'ses_events', '**', '*.parquet')}', hive_partitioning = true, union_by_name = true)`,
    );
    assert.deepEqual(tiers, [{ tenant_tier: 'gold' }]);
  });

  it('refuses flush limits that are not whole numbers above 0, naming the flag', async () => {
    await assert.rejects(open(dir, 0), /--flush-records: expected a whole number above 0/);
    await assert.rejects(open(dir, 5, 1.5), /--flush-bytes/);
  });
});
