/** CREATE TABLE text from the logical model, given a dialect's type names. */
import type { ColumnType, TableModel } from '../model.ts';

export type TypeMap = Readonly<Record<ColumnType, string>>;

export function createTableStatement<C extends string>(table: TableModel<C>, types: TypeMap): string {
  const columns = Object.entries(table.columns as Record<string, ColumnType>).map(
    ([name, type]) => `  ${name} ${types[type]}${table.primaryKey.includes(name as C) ? ' NOT NULL' : ''}`,
  );
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${columns.join(',\n')},\n  PRIMARY KEY (${table.primaryKey.join(', ')})\n)`;
}
