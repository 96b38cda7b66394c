/**
 * The multi-row upsert both DuckDB and PostgreSQL accept: INSERT ... ON CONFLICT (pk) DO UPDATE, with
 * $1..$n placeholders. Rows are upserted on their primary key, so a replayed record overwrites itself.
 */
import { type Cell, columnNames, type TableModel } from '../model.ts';

/** Keeps placeholders per statement well under PostgreSQL's 65535 bind-parameter limit. */
export const MAX_ROWS_PER_STATEMENT = 200;

export interface UpsertStatement {
  sql: string;
  params: Cell[];
}

/**
 * One statement per chunk of rows. Rows sharing a key within the batch are reduced to the last one:
 * neither database lets one INSERT ... ON CONFLICT update the same row twice.
 */
export function upsertStatements<C extends string>(
  table: TableModel<C>,
  rows: readonly Record<C, Cell>[],
): UpsertStatement[] {
  const columns = columnNames(table);
  const unique = new Map<string, Record<C, Cell>>();
  for (const row of rows) unique.set(JSON.stringify(table.primaryKey.map((key) => row[key])), row);
  const deduplicated = [...unique.values()];
  const updates = columns
    .filter((column) => !table.primaryKey.includes(column))
    .map((column) => `${column} = EXCLUDED.${column}`);
  const statements: UpsertStatement[] = [];
  for (let start = 0; start < deduplicated.length; start += MAX_ROWS_PER_STATEMENT) {
    const chunk = deduplicated.slice(start, start + MAX_ROWS_PER_STATEMENT);
    const params: Cell[] = [];
    const tuples = chunk.map((row) => {
      const placeholders = columns.map((column) => {
        params.push(row[column]);
        return `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    statements.push({
      sql: `INSERT INTO ${table.name} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${table.primaryKey.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
      params,
    });
  }
  return statements;
}
