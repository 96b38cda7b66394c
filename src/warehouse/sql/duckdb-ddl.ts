/** Every DuckDB statement that shapes the warehouse: tables and views (primary keys are indexed by DuckDB itself). */
import { DECODE_ERRORS, EVENTS, RECIPIENTS, type TableModel } from '../model.ts';
import { addColumnStatements, createTableStatement, type TypeMap } from './tables.ts';
import { viewStatements } from './views.ts';

export const DUCKDB_TYPES: TypeMap = {
  text: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  // Stored as an instant; DuckDB shows it in the session time zone, the report queries in UTC.
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
  json: 'JSON',
  document: 'JSON',
};

export function duckdbSchemaStatements(): string[] {
  return [
    createTableStatement(EVENTS, DUCKDB_TYPES),
    createTableStatement(RECIPIENTS, DUCKDB_TYPES),
    createTableStatement(DECODE_ERRORS, DUCKDB_TYPES),
    ...[EVENTS, RECIPIENTS, DECODE_ERRORS].flatMap((table) =>
      addColumnStatements(table as TableModel<string>, DUCKDB_TYPES),
    ),
    ...viewStatements('DOUBLE'),
  ];
}
