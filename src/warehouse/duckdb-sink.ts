/** Loads batches into an embedded DuckDB database file. */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { WarehouseError } from './errors.ts';
import type { SinkBatch } from './model.ts';
import type { Sink } from './sink.ts';
import { duckdbSchemaStatements } from './sql/duckdb-ddl.ts';
import { batchStatements } from './sql-sink.ts';

export class DuckDbSink implements Sink {
  readonly description: string;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    file: string,
  ) {
    this.description = `duckdb ${file}`;
  }

  /** Opens (creating if needed) the database file and brings its tables and views up to date. */
  static async open(file: string): Promise<DuckDbSink> {
    const path = resolve(file);
    await mkdir(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (error) {
      throw new WarehouseError(
        'WAREHOUSE_DUCKDB_OPEN_FAILED',
        `cannot open DuckDB file ${path}: ${(error as Error).message} (is another process writing to it?)`,
        { cause: error },
      );
    }
    const connection = await instance.connect();
    for (const statement of duckdbSchemaStatements()) await connection.run(statement);
    return new DuckDbSink(instance, connection, path);
  }

  async write(batch: SinkBatch): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      for (const statement of batchStatements(batch))
        await this.connection.run(statement.sql, statement.params);
      // COMMIT returns after DuckDB wrote its write-ahead log, which is what makes the batch durable.
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw new WarehouseError('WAREHOUSE_WRITE_FAILED', `DuckDB write failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
