/**
 * The upsert both DuckDB and PostgreSQL accept: INSERT ... SELECT from a staging source, ON CONFLICT
 * (pk) DO UPDATE. Rows are upserted on their primary key, so a replayed record overwrites itself.
 */
import type { Cell } from '../model.ts';

/** `INSERT INTO target (cols) SELECT cols FROM source ON CONFLICT (key) DO UPDATE SET ...`. */
export function upsertFromSql(
  target: string,
  columns: readonly string[],
  primaryKey: readonly string[],
  source: string,
): string {
  const updates = columns
    .filter((column) => !primaryKey.includes(column))
    .map((column) => `${column} = EXCLUDED.${column}`);
  const list = columns.join(', ');
  return `INSERT INTO ${target} (${list}) SELECT ${list} FROM ${source} ON CONFLICT (${primaryKey.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

/**
 * Rows sharing a primary key reduced to the last one: neither database lets one INSERT ... ON CONFLICT
 * update the same row twice, and the last copy is the latest read of the record.
 */
export function lastPerKey<R extends Record<string, Cell>>(
  rows: readonly R[],
  primaryKey: readonly string[],
): R[] {
  if (primaryKey.length === 1) {
    const key = primaryKey[0] as string;
    const unique = new Map<Cell, R>();
    for (const row of rows) unique.set(row[key] as Cell, row);
    return unique.size === rows.length ? [...rows] : [...unique.values()];
  }
  const unique = new Map<string, R>();
  for (const row of rows) unique.set(primaryKey.map((column) => String(row[column])).join('\u0000'), row);
  return unique.size === rows.length ? [...rows] : [...unique.values()];
}
