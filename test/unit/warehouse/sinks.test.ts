import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbSink } from '../../../src/warehouse/duckdb-sink.ts';
import { decodeErrorsPathFor, JsonlSink } from '../../../src/warehouse/jsonl-sink.ts';
import { decodeErrorRow } from '../../../src/warehouse/rows.ts';
import { batchOf, countBy, errorBatch, expectedRecipientCounts, fixtureValues } from './ses-values.ts';

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

describe('warehouse sinks (embedded DuckDB, JSON lines)', function () {
  this.timeout(30_000);
  const values = fixtureValues();
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ses-warehouse-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('DuckDB', () => {
    it('loads every event once, its recipients, and computes the rate views from them', async () => {
      const file = join(dir, 'w.duckdb');
      const sink = await DuckDbSink.open(file);
      await sink.write(batchOf(values));
      await sink.close();

      const byType = await query(file, 'SELECT event_type, COUNT(*) AS n FROM ses_events GROUP BY 1');
      assert.deepEqual(
        Object.fromEntries(byType.map((row) => [row.event_type, Number(row.n)])),
        countBy(values, (item) => item.event.eventType),
      );
      const expected = expectedRecipientCounts(values);
      const roles = await query(file, 'SELECT role, COUNT(*) AS n FROM ses_recipients GROUP BY 1');
      assert.deepEqual(Object.fromEntries(roles.map((row) => [row.role, Number(row.n)])), {
        bounced: expected.bounced,
        complained: expected.complained,
        delivered: expected.delivered,
        delayed: expected.delayed,
        sent: expected.sent,
      });
      const [totals] = await query(
        file,
        'SELECT SUM(sent) AS sent, SUM(hard_bounced) AS hard, SUM(complained) AS complained, SUM(attempted) AS attempted FROM ses_rates_by_day',
      );
      assert.equal(Number(totals?.hard), expected.hardBounced);
      assert.equal(Number(totals?.complained), expected.complained);
      // Per day, attempted is whichever is larger: recipients sent to, or delivered + bounced.
      const days = await query(file, 'SELECT * FROM ses_rates_by_day ORDER BY day');
      for (const day of days) {
        const attempted = Math.max(Number(day.sent), Number(day.delivered) + Number(day.bounced));
        assert.equal(Number(day.attempted), attempted);
        if (attempted > 0) assert.equal(day.bounce_rate, Number(day.hard_bounced) / attempted);
      }
      const senders = await query(
        file,
        'SELECT sender, SUM(attempted) AS n FROM ses_rates_by_sender GROUP BY 1',
      );
      assert.ok(senders.length >= 2, 'fixtures come from several senders');
      const campaigns = await query(file, 'SELECT campaign FROM ses_rates_by_campaign ORDER BY 1');
      assert.deepEqual(
        campaigns.map((row) => row.campaign),
        ['(none)', 'spring-sale', 'welcome-series'],
      );
      const mix = await query(file, 'SELECT SUM(events) AS n FROM ses_event_mix_by_day');
      assert.equal(Number(mix[0]?.n), values.length);
    });

    it('upserts on eventId: writing the same events again (and twice in one batch) adds nothing', async () => {
      const file = join(dir, 'w.duckdb');
      const sink = await DuckDbSink.open(file);
      await sink.write(batchOf(values));
      const doubled = batchOf([...values, ...values], 'ses-events', 100);
      await sink.write(doubled);
      await sink.close();
      const reopened = await DuckDbSink.open(file);
      await reopened.write(batchOf(values.slice(0, 3), 'ses-events', 500));
      await reopened.close();
      const [events] = await query(
        file,
        'SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM ses_events',
      );
      assert.equal(Number(events?.n), values.length);
      assert.equal(Number(events?.d), values.length);
      const recipients = await query(file, 'SELECT COUNT(*) AS n FROM ses_recipients');
      const { bounced, complained, delivered, delayed, sent } = expectedRecipientCounts(values);
      assert.equal(Number(recipients[0]?.n), bounced + complained + delivered + delayed + sent);
      // The latest copy wins: the first three now point at the third write's offsets.
      const offsets = await query(file, 'SELECT MAX(kafka_offset) AS o FROM ses_events');
      assert.equal(Number(offsets[0]?.o), 502);
    });

    it('adds columns a warehouse made by an older version lacks', async () => {
      const file = join(dir, 'old.duckdb');
      const old = await DuckDBInstance.create(file);
      const connection = await old.connect();
      await connection.run(
        'CREATE TABLE ses_events (event_id VARCHAR NOT NULL PRIMARY KEY, event_type VARCHAR)',
      );
      connection.closeSync();
      old.closeSync();
      const sink = await DuckDbSink.open(file);
      await sink.write(batchOf(values));
      await sink.close();
      const [row] = await query(
        file,
        "SELECT COUNT(mail_day) AS n FROM ses_events WHERE event_type = 'Bounce'",
      );
      assert.equal(Number(row?.n), countBy(values, (item) => item.event.eventType).Bounce);
    });

    it('keeps undecodable records in ses_decode_errors, once per topic/partition/offset', async () => {
      const file = join(dir, 'w.duckdb');
      const sink = await DuckDbSink.open(file);
      const error = decodeErrorRow(
        { topic: 't', partition: 1, offset: '9' },
        { key: Buffer.from('k'), value: Buffer.from([0xff, 1, 2]) },
        { code: 'SERDE_UNKNOWN_FORMAT', message: 'unknown wire format: first byte is 0xff' },
      );
      await sink.write(errorBatch([error]));
      await sink.write(errorBatch([error]));
      await sink.close();
      const rows = await query(file, 'SELECT * FROM ses_decode_errors');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.error_code, 'SERDE_UNKNOWN_FORMAT');
      assert.equal(rows[0]?.value_base64, Buffer.from([0xff, 1, 2]).toString('base64'));
      assert.equal(Number(rows[0]?.kafka_offset), 9);
    });

    it('writes a batch all or nothing: a bad row rolls back the rows before it', async () => {
      const file = join(dir, 'w.duckdb');
      const sink = await DuckDbSink.open(file);
      const batch = batchOf(values);
      // Events and recipients go first; the decode-error row that fails is written last.
      const broken = decodeErrorRow(
        { topic: 't', partition: 0, offset: '1' },
        { key: null, value: null },
        { code: 'X', message: 'x' },
      );
      broken.kafka_offset = 'not a number';
      batch.slices.push(...errorBatch([broken]).slices);
      await assert.rejects(sink.write(batch), { code: 'WAREHOUSE_WRITE_FAILED' });
      await sink.write(batchOf(values.slice(0, 2)));
      await sink.close();
      const [events] = await query(file, 'SELECT COUNT(*) AS n FROM ses_events');
      assert.equal(Number(events?.n), 2);
    });
  });

  describe('JSON lines', () => {
    it('appends one line per new eventId, skips ones already in the file (also after reopening)', async () => {
      const file = join(dir, 'events.jsonl');
      const sink = await JsonlSink.open(file);
      await sink.write(batchOf([...values, ...values]));
      await sink.close();
      // A torn last line from a crash mid-append must not stop the next run.
      writeFileSync(file, `${readFileSync(file, 'utf8')}{"event_id": "torn`, 'utf8');
      const again = await JsonlSink.open(file);
      await again.write(batchOf(values));
      await again.close();
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{"event_id":"'));
      assert.equal(lines.length, values.length);
      const bounce = lines
        .map(
          (line) =>
            JSON.parse(line) as { event_type: string; recipients: unknown[]; raw_value: { eventId: string } },
        )
        .find((line) => line.recipients.length === 3);
      assert.equal(bounce?.event_type, 'Bounce');
      assert.equal(typeof bounce?.raw_value.eventId, 'string');
    });

    it('writes undecodable records to <name>.decode-errors.jsonl', async () => {
      const file = join(dir, 'events.jsonl');
      const sink = await JsonlSink.open(file);
      const error = decodeErrorRow(
        { topic: 't', partition: 0, offset: '3' },
        { key: null, value: null },
        { code: 'EMPTY_VALUE', message: 'no value' },
      );
      await sink.write(errorBatch([error, error]));
      await sink.close();
      assert.equal(decodeErrorsPathFor(file), join(dir, 'events.decode-errors.jsonl'));
      const lines = readFileSync(decodeErrorsPathFor(file), 'utf8').trim().split('\n');
      assert.equal(lines.length, 1);
      assert.equal(JSON.parse(lines[0] as string).error_code, 'EMPTY_VALUE');
    });
  });
});
