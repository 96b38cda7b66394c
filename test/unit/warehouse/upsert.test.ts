import assert from 'node:assert/strict';
import {
  columnNames,
  DECODE_ERRORS,
  EVENTS,
  RECIPIENTS,
  type RecipientRow,
  type TableModel,
} from '../../../src/warehouse/model.ts';
import { duckdbSchemaStatements } from '../../../src/warehouse/sql/duckdb-ddl.ts';
import { postgresSchemaStatements } from '../../../src/warehouse/sql/postgres-ddl.ts';
import { lastPerKey, upsertFromSql } from '../../../src/warehouse/sql/upsert.ts';

function recipient(eventId: string, address: string, status: string): RecipientRow {
  return {
    event_id: eventId,
    recipient: address,
    recipient_domain: 'example.net',
    role: 'bounced',
    recipient_source: 'detail',
    status,
    action: null,
    diagnostic_code: null,
  };
}

describe('warehouse upsert statements and DDL', () => {
  it('reduces rows sharing a primary key to the last one, in first-seen order of keys', () => {
    const rows = [
      recipient('e1', 'a@x', '5.1.1'),
      recipient('e1', 'b@x', '5.1.1'),
      recipient('e1', 'a@x', '5.2.2'),
    ];
    const unique = lastPerKey(rows, RECIPIENTS.primaryKey);
    assert.deepEqual(
      unique.map((row) => [row.recipient, row.status]),
      [
        ['a@x', '5.2.2'],
        ['b@x', '5.1.1'],
      ],
      'the later duplicate wins',
    );
    const events = [
      { event_id: 'x', n: 1 },
      { event_id: 'y', n: 2 },
      { event_id: 'x', n: 3 },
    ];
    assert.deepEqual(lastPerKey(events, ['event_id']), [
      { event_id: 'x', n: 3 },
      { event_id: 'y', n: 2 },
    ]);
    assert.deepEqual(lastPerKey([], ['event_id']), []);
  });

  it('upserts from a staging source, updating every column but the key', () => {
    const columns = columnNames(RECIPIENTS);
    const sql = upsertFromSql('ses_recipients', columns, RECIPIENTS.primaryKey, 'staging');
    assert.match(
      sql,
      /^INSERT INTO ses_recipients \(event_id, recipient, .*\) SELECT event_id, recipient, .* FROM staging ON CONFLICT \(event_id, recipient\) DO UPDATE SET recipient_domain = EXCLUDED\.recipient_domain/,
    );
    assert.doesNotMatch(sql, /SET[^;]*\bevent_id = EXCLUDED/);
    assert.doesNotMatch(sql, /SET[^;]*\brecipient = EXCLUDED/);
    for (const column of columns.filter((name) => !RECIPIENTS.primaryKey.includes(name))) {
      assert.match(sql, new RegExp(`\\b${column} = EXCLUDED\\.${column}\\b`));
    }
  });

  it('declares every model column and primary key in both dialects', () => {
    for (const statements of [duckdbSchemaStatements(), postgresSchemaStatements()]) {
      for (const table of [EVENTS, RECIPIENTS, DECODE_ERRORS] as TableModel<string>[]) {
        const ddl = statements.find((statement) =>
          statement.startsWith(`CREATE TABLE IF NOT EXISTS ${table.name} (`),
        );
        assert.ok(ddl, `no CREATE TABLE for ${table.name}`);
        for (const column of columnNames(table)) assert.match(ddl, new RegExp(`\\n  ${column} \\w+`));
        assert.match(ddl, new RegExp(`PRIMARY KEY \\(${table.primaryKey.join(', ')}\\)`));
      }
    }
    assert.ok(postgresSchemaStatements().some((statement) => statement.includes('jsonb')));
    assert.ok(duckdbSchemaStatements().some((statement) => statement.includes(' JSON')));
  });
});
