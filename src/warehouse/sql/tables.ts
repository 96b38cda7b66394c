/** CREATE TABLE text from the logical model, given a dialect's type names. */
import type { ColumnType, TableModel } from '../model.ts';

export type TypeMap = Readonly<Record<ColumnType, string>>;

export function createTableStatement<C extends string>(table: TableModel<C>, types: TypeMap): string {
  const columns = Object.entries(table.columns as Record<string, ColumnType>).map(
    ([name, type]) => `  ${name} ${types[type]}${table.primaryKey.includes(name as C) ? ' NOT NULL' : ''}`,
  );
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${columns.join(',\n')},\n  PRIMARY KEY (${table.primaryKey.join(', ')})\n)`;
}

/**
 * ADD COLUMN IF NOT EXISTS for every non-key column: a warehouse created by an older version gains the
 * columns added since, so upgrading the consumer never needs a manual migration.
 */
export function addColumnStatements<C extends string>(table: TableModel<C>, types: TypeMap): string[] {
  return Object.entries(table.columns as Record<string, ColumnType>)
    .filter(([name]) => !table.primaryKey.includes(name as C))
    .map(([name, type]) => `ALTER TABLE ${table.name} ADD COLUMN IF NOT EXISTS ${name} ${types[type]}`);
}
