/** Every PostgreSQL statement that shapes the warehouse: tables, indexes and views. */
import {
  DECODE_ERRORS,
  EVENTS,
  EVENTS_TABLE,
  RECIPIENTS,
  RECIPIENTS_TABLE,
  type TableModel,
} from '../model.ts';
import { addColumnStatements, createTableStatement, type TypeMap } from './tables.ts';
import { viewStatements } from './views.ts';

export const POSTGRES_TYPES: TypeMap = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  date: 'date',
  json: 'jsonb',
  document: 'json',
};

export function postgresSchemaStatements(): string[] {
  return [
    createTableStatement(EVENTS, POSTGRES_TYPES),
    createTableStatement(RECIPIENTS, POSTGRES_TYPES),
    createTableStatement(DECODE_ERRORS, POSTGRES_TYPES),
    ...[EVENTS, RECIPIENTS, DECODE_ERRORS].flatMap((table) =>
      addColumnStatements(table as TableModel<string>, POSTGRES_TYPES),
    ),
    // The rate views group on these; PostgreSQL does not index them by itself.
    `CREATE INDEX IF NOT EXISTS ${EVENTS_TABLE}_event_day_idx ON ${EVENTS_TABLE} (event_day)`,
    `CREATE INDEX IF NOT EXISTS ${EVENTS_TABLE}_message_id_idx ON ${EVENTS_TABLE} (message_id)`,
    `CREATE INDEX IF NOT EXISTS ${RECIPIENTS_TABLE}_domain_idx ON ${RECIPIENTS_TABLE} (recipient_domain)`,
    ...viewStatements('double precision'),
  ];
}
