/** CREATE TABLE text from the logical model, given a dialect's type names. */
import type { ColumnType, ExtraColumn, TableModel } from '../model.ts';

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

/** The column a newer writer schema brought (evolution.ts). Names are snake_case identifiers already. */
export function addExtraColumnStatement(table: string, column: ExtraColumn, types: TypeMap): string {
  return `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column.name} ${types[column.type]}`;
}

/** The model type a column of this SQL type holds, for columns found in an existing table. */
export function columnTypeOf(sqlType: string, types: TypeMap): ColumnType {
  const wanted = sqlType.trim().toUpperCase();
  const found = (Object.entries(types) as [ColumnType, string][]).find(
    ([, name]) => name.toUpperCase() === wanted,
  );
  if (found) return found[0];
  if (/TIMESTAMP/.test(wanted)) return 'timestamp';
  if (/^(INT|INTEGER|SMALLINT)/.test(wanted)) return 'integer';
  if (/BIGINT|INT8/.test(wanted)) return 'bigint';
  if (/DOUBLE|FLOAT|REAL|NUMERIC|DECIMAL/.test(wanted)) return 'double';
  if (/BOOL/.test(wanted)) return 'boolean';
  if (wanted === 'JSON') return 'document';
  if (/JSON/.test(wanted)) return 'json';
  if (/^DATE$/.test(wanted)) return 'date';
  return 'text';
}
