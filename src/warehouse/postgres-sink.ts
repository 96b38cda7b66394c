/** Loads batches into PostgreSQL, one transaction per batch. */
import pg from 'pg';
import { WarehouseError } from './errors.ts';
import type { SinkBatch } from './model.ts';
import type { Sink } from './sink.ts';
import { postgresSchemaStatements } from './sql/postgres-ddl.ts';
import { batchStatements } from './sql-sink.ts';

export interface PostgresSinkOptions {
  /** postgres://user:pass@host:port/db; when absent, pg reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE. */
  url?: string;
  /** Schema holding the tables (created if missing); `public` by default. */
  schema?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
// Any fixed number: serialises concurrent first starts, which would otherwise race on CREATE TABLE.
const DDL_LOCK_KEY = 7_160_451;

/** host:port/database, for messages: never the user or password. */
function describeTarget(client: pg.Client): string {
  return `${client.host}:${client.port}/${client.database ?? ''}`;
}

export class PostgresSink implements Sink {
  readonly description: string;

  private constructor(
    private readonly client: pg.Client,
    schema: string,
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
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK_KEY]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`SET LOCAL search_path TO ${schema}`);
      for (const statement of postgresSchemaStatements()) await client.query(statement);
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
    return new PostgresSink(client, schema);
  }

  async write(batch: SinkBatch): Promise<void> {
    try {
      await this.client.query('BEGIN');
      for (const statement of batchStatements(batch))
        await this.client.query(statement.sql, statement.params);
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw new WarehouseError(
        'WAREHOUSE_WRITE_FAILED',
        `PostgreSQL write failed: ${(error as Error).message}`,
        {
          cause: error,
          retriable: true,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
