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
import { MAX_ROWS_PER_STATEMENT, upsertStatements } from '../../../src/warehouse/sql/upsert.ts';

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
  it('reduces rows sharing a primary key to the last one and binds every column in order', () => {
    const rows = [
      recipient('e1', 'a@x', '5.1.1'),
      recipient('e1', 'b@x', '5.1.1'),
      recipient('e1', 'a@x', '5.2.2'),
    ];
    const [statement, ...rest] = upsertStatements(RECIPIENTS, rows);
    assert.equal(rest.length, 0);
    assert.ok(statement);
    const columns = columnNames(RECIPIENTS);
    assert.equal(statement.params.length, 2 * columns.length);
    assert.match(
      statement.sql,
      /ON CONFLICT \(event_id, recipient\) DO UPDATE SET recipient_domain = EXCLUDED\.recipient_domain/,
    );
    assert.doesNotMatch(statement.sql, /SET[^;]*\bevent_id = EXCLUDED/);
    assert.equal(statement.params[columns.indexOf('status')], '5.2.2', 'the later duplicate wins');
    assert.equal(statement.sql.match(/\$\d+/g)?.length, statement.params.length);
  });

  it(`splits large batches into statements of at most ${MAX_ROWS_PER_STATEMENT} rows`, () => {
    const rows = Array.from({ length: MAX_ROWS_PER_STATEMENT * 2 + 1 }, (_, index) =>
      recipient(`e${index}`, 'a@x', 's'),
    );
    const statements = upsertStatements(RECIPIENTS, rows);
    assert.deepEqual(
      statements.map((statement) => statement.params.length / columnNames(RECIPIENTS).length),
      [MAX_ROWS_PER_STATEMENT, MAX_ROWS_PER_STATEMENT, 1],
    );
    assert.deepEqual(upsertStatements(RECIPIENTS, []), []);
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
