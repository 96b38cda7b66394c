/** The PostgreSQL sink's COPY text round trip, against the real server: what goes in comes back. */
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresSink } from '../../../src/warehouse/postgres-sink.ts';
import { batchOf, fixtureValues } from '../../unit/warehouse/ses-values.ts';
import { ensurePostgres, POSTGRES_URL } from './support.ts';

describe('PostgreSQL sink: COPY escaping and the upsert, against a real server', function () {
  this.timeout(120_000);
  let schema: string;
  let client: pg.Client;

  before(async function () {
    this.timeout(900_000);
    await ensurePostgres();
    schema = `wh_pgsink_${Date.now().toString(36)}`;
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
  });
  after(async () => {
    if (!client) return;
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  });

  it('stores text and JSON with tabs, newlines, backslashes, quotes and U+0000 exactly (U+0000 as U+FFFD)', async () => {
    const [template] = fixtureValues();
    assert.ok(template);
    const value = structuredClone(template.value) as Record<string, unknown> & {
      mail: { commonHeaders: { subject: string } | null };
    };
    const subject = 'tab\there\nnew line \\ back\\slash "quoted" C:\\path\\n not a newline';
    value.mail.commonHeaders = { ...(value.mail.commonHeaders ?? {}), subject } as { subject: string };
    value.unknownFieldsJson = JSON.stringify({ note: 'a\\b "c"\u0000d', tab: '\t' });
    const batch = batchOf([{ ...template, value }]);
    const sink = await PostgresSink.open({ url: POSTGRES_URL, schema });
    await sink.write(batch);
    // The same event again, changed: the upsert keeps one row with the latest values.
    value.mail.commonHeaders = { ...value.mail.commonHeaders, subject: `${subject} (again)` } as {
      subject: string;
    };
    await sink.write(batchOf([{ ...template, value }], 'ses-events', 7));
    await sink.close();

    const { rows } = await client.query(
      `SELECT subject, kafka_offset, unknown_fields, raw_value::text AS raw FROM ${schema}.ses_events`,
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].subject, `${subject} (again)`);
    assert.equal(Number(rows[0].kafka_offset), 7);
    assert.deepEqual(rows[0].unknown_fields, { note: 'a\\b "c"\ufffdd', tab: '\t' });
    const raw = JSON.parse(rows[0].raw) as { mail: { commonHeaders: { subject: string } }; eventId: string };
    assert.equal(raw.mail.commonHeaders.subject, `${subject} (again)`);
    assert.equal(raw.eventId, template.event.eventId);
  });
});
