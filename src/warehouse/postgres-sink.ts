/**
 * Loads batches into PostgreSQL: per batch, COPY into temporary staging tables, then one
 * INSERT ... SELECT ... ON CONFLICT per table, all in one transaction. COPY (through pg-copy-streams,
 * the pg driver's own companion) sends the rows as one text stream the server parses in C, instead of
 * tens of thousands of bind parameters in 200-row statements.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TopicPartitionOffset } from '../kafka/consumer-port.ts';
import { WarehouseError } from './errors.ts';
import {
  type Cell,
  type ColumnType,
  columnNames,
  DECODE_ERRORS,
  decodeErrorsOf,
  EVENTS,
  EVENTS_TABLE,
  type ExtraColumn,
  eventsOf,
  RECIPIENTS,
  type SinkBatch,
  type TableModel,
} from './model.ts';
import { batchEnds, type Sink, UNBUFFERED } from './sink.ts';
import { POSTGRES_TYPES, postgresSchemaStatements } from './sql/postgres-ddl.ts';
import { addExtraColumnStatement, columnTypeOf } from './sql/tables.ts';
import { lastPerKey, upsertFromSql } from './sql/upsert.ts';
import { EventColumns } from './table-columns.ts';

export interface PostgresSinkOptions {
  /** postgres://user:pass@host:port/db; when absent, pg reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE. */
  url?: string;
  /** Schema holding the tables (created if missing); `public` by default. */
  schema?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
// Any fixed number: serialises concurrent first starts, which would otherwise race on CREATE TABLE.
const DDL_LOCK_KEY = 7_160_451;
/** SQLSTATE classes worth another attempt: connection lost, deadlock/serialisation, server overloaded. */
const RETRIABLE_SQLSTATE = /^(08|40|53|57)/;

/** host:port/database, for messages: never the user or password. */
function describeTarget(client: pg.Client): string {
  return `${client.host}:${client.port}/${client.database ?? ''}`;
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g;
const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
/** PostgreSQL text and jsonb cannot hold U+0000; it becomes U+FFFD rather than failing the batch. */
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** One cell in COPY's text format: \N for NULL, backslash escapes for the four special characters. */
function copyCell(cell: Cell | undefined, type: ColumnType): string {
  if (cell === null || cell === undefined) return '\\N';
  let text: string;
  if (type === 'json' || type === 'document') {
    text = JSON.stringify(cell);
    if (text.includes('\\u0000')) text = text.replace(JSON_NUL, '$1\\ufffd');
    // JSON text has no raw newline, carriage return or tab (JSON escapes them), and no U+0000: only
    // its backslashes need doubling, one native pass instead of the general escape.
    return text.includes('\\') ? text.replaceAll('\\', '\\\\') : text;
  } else if (typeof cell === 'boolean') text = cell ? 't' : 'f';
  else if (typeof cell === 'object') text = JSON.stringify(cell);
  else text = String(cell);
  if (text.includes('\u0000')) text = text.replaceAll('\u0000', '\ufffd');
  return COPY_SPECIAL.test(text)
    ? text.replace(COPY_SPECIAL_ALL, (char) => COPY_ESCAPES[char] as string)
    : text;
}

function copyText(
  rows: readonly Record<string, Cell>[],
  names: readonly string[],
  types: readonly ColumnType[],
): string {
  const lines = new Array<string>(rows.length);
  for (let index = 0; index < rows.length; index += 1) {
    const row = rows[index] as Record<string, Cell>;
    let line = '';
    for (let column = 0; column < names.length; column += 1) {
      if (column > 0) line += '\t';
      line += copyCell(row[names[column] as string], types[column] as ColumnType);
    }
    lines[index] = line;
  }
  return `${lines.join('\n')}\n`;
}

export class PostgresSink implements Sink {
  readonly description: string;
  readonly flush = UNBUFFERED.flush;
  readonly retain = UNBUFFERED.retain;
  /** The column list the staging tables were created for; they are recreated when it changes. */
  #stagedFor = '';

  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
    private readonly columns: EventColumns,
  ) {
    this.description = `postgres ${describeTarget(client)} schema ${schema}`;
  }

  static async open(options: PostgresSinkOptions = {}): Promise<PostgresSink> {
    const schema = options.schema ?? 'public';
    if (!IDENTIFIER.test(schema)) {
      throw new WarehouseError(
        'WAREHOUSE_CONFIG',
        `--postgres-schema: "${schema}" is not a plain lower-case identifier ([a-z_][a-z0-9_]*)`,
      );
    }
    const client = new pg.Client(options.url === undefined ? {} : { connectionString: options.url });
    // An idle connection can be dropped by the server; the error arrives here instead of crashing the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new WarehouseError(
        'WAREHOUSE_POSTGRES_UNREACHABLE',
        `cannot connect to PostgreSQL at ${describeTarget(client)}: ${(error as Error).message} (set --postgres-url or PGHOST/PGPORT/PGUSER/PGDATABASE; scripts/install-postgres.sh starts a local server)`,
        { cause: error, retriable: true },
      );
    }
    let extras: ExtraColumn[];
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK_KEY]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`SET LOCAL search_path TO ${schema}`);
      for (const statement of postgresSchemaStatements()) await client.query(statement);
      const fixed = new Set<string>(columnNames(EVENTS));
      const found = await client.query<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema, EVENTS_TABLE],
      );
      extras = found.rows
        .filter((row) => !fixed.has(row.column_name))
        .map((row) => ({
          field: row.column_name,
          name: row.column_name,
          type: columnTypeOf(row.data_type, POSTGRES_TYPES),
        }));
      await client.query('COMMIT');
      await client.query(`SET search_path TO ${schema}`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
      throw new WarehouseError(
        'WAREHOUSE_POSTGRES_SCHEMA',
        `cannot create the warehouse tables in schema ${schema}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new PostgresSink(client, schema, new EventColumns(extras));
  }

  async write(batch: SinkBatch): Promise<readonly TopicPartitionOffset[]> {
    try {
      for (const column of this.columns.missing(batch.extraColumns)) {
        await this.client.query(
          addExtraColumnStatement(`${this.schema}.${EVENTS_TABLE}`, column, POSTGRES_TYPES),
        );
        this.columns.add([column]);
      }
      await this.ensureStaging();
      const events = eventsOf(batch);
      const eventRows = this.columns.conform(
        lastPerKey(
          events.map((item) => item.event),
          EVENTS.primaryKey,
        ),
        batch.extraColumns,
      );
      const recipientRows = lastPerKey(
        events.flatMap((item) => item.recipients),
        RECIPIENTS.primaryKey,
      );
      const errorRows = lastPerKey(decodeErrorsOf(batch), DECODE_ERRORS.primaryKey);
      await this.client.query('BEGIN');
      try {
        const eventNames = this.columns.names();
        await this.load(EVENTS, eventRows, eventNames, (name) => this.columns.typeOf(name));
        await this.load(RECIPIENTS, recipientRows);
        await this.load(DECODE_ERRORS, errorRows);
        await this.client.query('COMMIT');
      } catch (error) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      const sqlState = (error as { code?: unknown }).code;
      throw new WarehouseError(
        'WAREHOUSE_WRITE_FAILED',
        `PostgreSQL write failed: ${(error as Error).message}`,
        {
          cause: error,
          retriable: typeof sqlState !== 'string' || RETRIABLE_SQLSTATE.test(sqlState),
        },
      );
    }
    return batchEnds(batch);
  }

  /** Staging tables shaped like the targets; ON COMMIT DELETE ROWS empties them after every batch. */
  private async ensureStaging(): Promise<void> {
    const shape = this.columns.names().join(',');
    if (shape === this.#stagedFor) return;
    for (const table of [EVENTS, RECIPIENTS, DECODE_ERRORS]) {
      await this.client.query(`DROP TABLE IF EXISTS pg_temp.${stagingName(table.name)}`);
      await this.client.query(
        `CREATE TEMP TABLE ${stagingName(table.name)} (LIKE ${this.schema}.${table.name}) ON COMMIT DELETE ROWS`,
      );
    }
    this.#stagedFor = shape;
  }

  private async load<C extends string>(
    table: TableModel<C>,
    rows: readonly Record<string, Cell>[],
    names: readonly string[] = columnNames(table),
    typeOf: (name: string) => ColumnType = (name) =>
      (table.columns as Record<string, ColumnType>)[name] ?? 'text',
  ): Promise<void> {
    if (rows.length === 0) return;
    const staging = `pg_temp.${stagingName(table.name)}`;
    const text = copyText(
      rows,
      names,
      names.map((name) => typeOf(name)),
    );
    const copy = this.client.query(copyFrom(`COPY ${staging} (${names.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from([text]), copy);
    // Sorted, so two consumers upserting overlapping keys take their row locks in the same order.
    await this.client.query(
      upsertFromSql(
        `${this.schema}.${table.name}`,
        names,
        table.primaryKey,
        `${staging} ORDER BY ${table.primaryKey.join(', ')}`,
      ),
    );
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

function stagingName(table: string): string {
  return `${table}_staging`;
}
