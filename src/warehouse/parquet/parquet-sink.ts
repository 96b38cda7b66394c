/**
 * The data-lake sink: Hive-partitioned Parquet, in a local folder or under an S3 prefix.
 *
 *   <out>/ses_events/event_day=YYYY-MM-DD/event_type=<type>/<topic>+<partition>+<first>+<last>.parquet
 *   <out>/ses_decode_errors/<topic>+<partition>+<first>+<last>.parquet
 *
 * Each Kafka partition has one open file at a time. Records are spooled to a local JSON-lines file
 * (memory stays flat however large a file grows) and the file rolls when it holds --flush-records
 * records or --flush-bytes bytes of Kafka values (checked record by record, so the same offsets always
 * roll at the same places), or when it has been open --flush-interval. Rolling converts the spool to
 * Parquet, publishes the files (rename into place, or one PutObject each) and only then reports the
 * offsets as durable, so the consumer commits nothing that is not in a published file.
 *
 * Parquet is written by DuckDB (`COPY ... TO ... (FORMAT PARQUET, PARTITION_BY ...)`), which is already
 * a dependency for the DuckDB sink. Why not a JavaScript Parquet writer: DuckDB writes the proper logical
 * types (TIMESTAMP(isAdjustedToUTC, MICROS), DATE, JSON, LIST<STRUCT> for recipients), row-group
 * statistics and Snappy compression in native code, and the Hive folders with the escaping its own
 * reader (and Spark's) undoes; the JS writers we looked at lack list-of-struct or JSON logical types.
 *
 * Replays and restarts: file names carry the offsets they hold, so reading the same offsets again
 * writes the same names. When this member starts writing a partition, it lists the files already there
 * for that partition; a new file replaces every listed file whose offsets overlap its own (files from a
 * run that crashed before committing, or from a replay that rolled at other places), so no row is held
 * twice once the new file is published.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, relative, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import pLimit from 'p-limit';
import type { TopicPartition, TopicPartitionOffset } from '../../kafka/consumer-port.ts';
import { WarehouseError } from '../errors.ts';
import {
  type ColumnType,
  columnNames,
  DECODE_ERRORS,
  DECODE_ERRORS_TABLE,
  EVENTS_TABLE,
  RECIPIENT_COLUMNS,
  type SinkBatch,
} from '../model.ts';
import type { Sink } from '../sink.ts';
import { DUCKDB_TYPES } from '../sql/duckdb-ddl.ts';
import { EventColumns } from '../table-columns.ts';
import { type FileRange, parquetFileName, parseParquetFileName, rangesOverlap } from './file-names.ts';
import type { LakeStore } from './lake-store.ts';

export interface ParquetSinkOptions {
  store: LakeStore;
  /** Roll a partition's file once it holds this many records (events plus decode errors). */
  flushRecords: number;
  /** ... or this many bytes of Kafka record values. */
  flushBytes: number;
  /** ... or once it has been open this long. */
  flushIntervalMs: number;
  now?: () => number;
}

export const DEFAULT_FLUSH_RECORDS = 50_000;
export const DEFAULT_FLUSH_BYTES = 64 * 1024 * 1024;
export const DEFAULT_FLUSH_INTERVAL_MS = 5 * 60_000;
/** The Hive partition columns: in the folder names, not inside the files. */
const PARTITION_COLUMNS = ['event_day', 'event_type'] as const;
/** Concurrent publishes of one roll's files (S3 PutObject calls). */
const PUBLISH_CONCURRENCY = 4;

interface OpenFile extends TopicPartition {
  first: bigint;
  last: bigint;
  records: number;
  bytes: number;
  openedAt: number;
  spool: string;
  eventLines: string[];
  errorLines: string[];
  eventsSpooled: number;
  errorsSpooled: number;
}

interface KnownFile {
  key: string;
  range: FileRange;
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const RECIPIENT_STRUCT = `STRUCT(${Object.keys(RECIPIENT_COLUMNS)
  .filter((name) => name !== 'event_id')
  .map((name) => `${name} VARCHAR`)
  .join(', ')})[]`;

/** Files this sink names, as relative keys, grouped by partition. */
function indexByPartition(keys: readonly string[]): Map<string, KnownFile[]> {
  const index = new Map<string, KnownFile[]>();
  for (const key of keys) {
    const range = parseParquetFileName(key);
    if (range === undefined) continue;
    const id = tpKey(range.topic, range.partition);
    index.set(id, [...(index.get(id) ?? []), { key, range }]);
  }
  return index;
}

async function filesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/** Staging folders of processes on this host that no longer run (a crash, a SIGKILL). */
async function removeAbandonedStaging(root: string): Promise<void> {
  const host = hostname();
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    const match = /^(.+)-(\d+)-[0-9a-f]+$/.exec(entry);
    if (!match || match[1] !== host) continue;
    try {
      process.kill(Number(match[2]), 0);
    } catch {
      await rm(join(root, entry), { recursive: true, force: true });
    }
  }
}

export class ParquetSink implements Sink {
  readonly description: string;
  readonly #options: ParquetSinkOptions;
  readonly #now: () => number;
  readonly #instance: DuckDBInstance;
  readonly #duck: DuckDBConnection;
  readonly #staging: string;
  readonly #columns = new EventColumns();
  readonly #open = new Map<string, OpenFile>();
  /** Files in the store per partition, listed when this member starts writing the partition. */
  readonly #index = new Map<string, KnownFile[]>();
  #listing: Promise<Map<string, KnownFile[]>> | undefined;
  #rolls = 0;

  private constructor(
    options: ParquetSinkOptions,
    instance: DuckDBInstance,
    duck: DuckDBConnection,
    staging: string,
  ) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#instance = instance;
    this.#duck = duck;
    this.#staging = staging;
    this.description = `parquet ${options.store.description}`;
  }

  static async open(options: ParquetSinkOptions): Promise<ParquetSink> {
    for (const [flag, value] of [
      ['--flush-records', options.flushRecords],
      ['--flush-bytes', options.flushBytes],
      ['--flush-interval', options.flushIntervalMs],
    ] as const) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new WarehouseError(
          'WAREHOUSE_CONFIG',
          `${flag}: expected a whole number above 0, got ${value}`,
        );
      }
    }
    await mkdir(options.store.stagingRoot, { recursive: true });
    await removeAbandonedStaging(options.store.stagingRoot);
    const staging = join(
      options.store.stagingRoot,
      `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    await mkdir(staging, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    return new ParquetSink(options, instance, duck, staging);
  }

  async write(batch: SinkBatch): Promise<readonly TopicPartitionOffset[]> {
    this.#columns.add(this.#columns.missing(batch.extraColumns));
    const durable: TopicPartitionOffset[] = [];
    try {
      for (const slice of batch.slices) {
        const id = tpKey(slice.topic, slice.partition);
        for (const record of slice.records) {
          const offset = BigInt(record.offset);
          let file = this.#open.get(id);
          if (file !== undefined && offset <= file.last) continue; // read again after a seek: already held
          if (file === undefined) {
            file = this.#openFile(slice.topic, slice.partition, offset);
            this.#open.set(id, file);
          }
          if (record.event) {
            const [row] = this.#columns.conform([record.event.event], batch.extraColumns);
            const json = JSON.stringify(row);
            file.eventLines.push(
              `${json.slice(0, -1)},"recipients":${JSON.stringify(record.event.recipients)}}`,
            );
          } else {
            file.errorLines.push(JSON.stringify(record.decodeError));
          }
          file.last = offset;
          file.records += 1;
          file.bytes += record.valueBytes;
          if (file.records >= this.#options.flushRecords || file.bytes >= this.#options.flushBytes) {
            durable.push(await this.#roll(file));
          }
        }
      }
      for (const file of this.#open.values()) await this.#spool(file);
    } catch (error) {
      throw new WarehouseError(
        'WAREHOUSE_WRITE_FAILED',
        `Parquet write failed: ${(error as Error).message}`,
        {
          cause: error,
          retriable: false,
          durable,
        },
      );
    }
    return durable;
  }

  async flush(mode: 'due' | 'all'): Promise<readonly TopicPartitionOffset[]> {
    const now = this.#now();
    const due = [...this.#open.values()].filter(
      (file) => mode === 'all' || now - file.openedAt >= this.#options.flushIntervalMs,
    );
    const durable: TopicPartitionOffset[] = [];
    try {
      for (const file of due) durable.push(await this.#roll(file));
    } catch (error) {
      throw new WarehouseError(
        'WAREHOUSE_WRITE_FAILED',
        `Parquet write failed: ${(error as Error).message}`,
        {
          cause: error,
          durable,
        },
      );
    }
    return durable;
  }

  /**
   * After a rebalance the client reads every partition again from its last commit, so all spooled rows
   * are dropped (they come again), and the files of every partition are listed afresh before the next
   * roll, since another member may have written some meanwhile.
   */
  retain(_owned: readonly TopicPartition[]): void {
    for (const file of this.#open.values()) void rm(file.spool, { recursive: true, force: true });
    this.#open.clear();
    this.#index.clear();
    this.#listing = undefined;
  }

  async close(): Promise<void> {
    this.#duck.closeSync();
    this.#instance.closeSync();
    await rm(this.#staging, { recursive: true, force: true });
    await this.#options.store.close();
  }

  #openFile(topic: string, partition: number, first: bigint): OpenFile {
    this.#rolls += 1;
    return {
      topic,
      partition,
      first,
      last: first - 1n,
      records: 0,
      bytes: 0,
      openedAt: this.#now(),
      spool: join(this.#staging, `roll-${this.#rolls}`),
      eventLines: [],
      errorLines: [],
      eventsSpooled: 0,
      errorsSpooled: 0,
    };
  }

  /** Moves buffered lines to the spool files, so memory holds at most one batch. */
  async #spool(file: OpenFile): Promise<void> {
    if (file.eventLines.length === 0 && file.errorLines.length === 0) return;
    await mkdir(file.spool, { recursive: true });
    if (file.eventLines.length > 0) {
      await appendFile(join(file.spool, 'events.jsonl'), `${file.eventLines.join('\n')}\n`);
      file.eventsSpooled += file.eventLines.length;
      file.eventLines = [];
    }
    if (file.errorLines.length > 0) {
      await appendFile(join(file.spool, 'errors.jsonl'), `${file.errorLines.join('\n')}\n`);
      file.errorsSpooled += file.errorLines.length;
      file.errorLines = [];
    }
  }

  async #roll(file: OpenFile): Promise<TopicPartitionOffset> {
    await this.#spool(file);
    this.#open.delete(tpKey(file.topic, file.partition));
    const range: FileRange = {
      topic: file.topic,
      partition: file.partition,
      first: file.first,
      last: file.last,
    };
    const out = join(file.spool, 'out');
    await mkdir(out, { recursive: true });
    const published: Array<{ local: string; key: string }> = [];
    if (file.eventsSpooled > 0) {
      const names = this.#columns.names();
      const columns = `{${names
        .map((name) => `${name}: ${sqlString(DUCKDB_TYPES[this.#columns.typeOf(name)])}`)
        .join(', ')}, recipients: ${sqlString(RECIPIENT_STRUCT)}}`;
      const source = `read_json(${sqlString(join(file.spool, 'events.jsonl'))}, format = 'newline_delimited', maximum_object_size = 268435456, columns = ${columns})`;
      // Snappy: the codec every Parquet reader (Athena, Spark, Snowflake, DuckDB) takes by default.
      await this.#duck.run(
        `COPY (SELECT * FROM ${source}) TO ${sqlString(join(out, EVENTS_TABLE))} (FORMAT PARQUET, COMPRESSION SNAPPY, PARTITION_BY (${PARTITION_COLUMNS.join(', ')}), FILENAME_PATTERN 'part_{i}')`,
      );
      const byFolder = new Map<string, string[]>();
      for (const path of (await filesUnder(join(out, EVENTS_TABLE))).sort()) {
        const folder = relative(join(out, EVENTS_TABLE), join(path, '..')).split(sep).join('/');
        byFolder.set(folder, [...(byFolder.get(folder) ?? []), path]);
      }
      for (const [folder, paths] of byFolder) {
        paths.forEach((local, index) => {
          published.push({ local, key: `${EVENTS_TABLE}/${folder}/${parquetFileName(range, index)}` });
        });
      }
    }
    if (file.errorsSpooled > 0) {
      const names = columnNames(DECODE_ERRORS);
      const types = DECODE_ERRORS.columns as Record<string, ColumnType>;
      const columns = `{${names.map((name) => `${name}: ${sqlString(DUCKDB_TYPES[types[name] ?? 'text'])}`).join(', ')}}`;
      const local = join(out, 'errors.parquet');
      await this.#duck.run(
        `COPY (SELECT * FROM read_json(${sqlString(join(file.spool, 'errors.jsonl'))}, format = 'newline_delimited', columns = ${columns})) TO ${sqlString(local)} (FORMAT PARQUET, COMPRESSION SNAPPY)`,
      );
      published.push({ local, key: `${DECODE_ERRORS_TABLE}/${parquetFileName(range)}` });
    }
    const known = await this.#knownFiles(file.topic, file.partition);
    const limit = pLimit(PUBLISH_CONCURRENCY);
    await Promise.all(published.map(({ local, key }) => limit(() => this.#options.store.put(local, key))));
    const written = new Set(published.map(({ key }) => key));
    const replaced = known.filter((item) => rangesOverlap(item.range, range) && !written.has(item.key));
    if (replaced.length > 0) await this.#options.store.remove(replaced.map((item) => item.key));
    const kept = known.filter((item) => !rangesOverlap(item.range, range) || written.has(item.key));
    for (const key of written) if (!kept.some((item) => item.key === key)) kept.push({ key, range });
    this.#index.set(tpKey(file.topic, file.partition), kept);
    await rm(file.spool, { recursive: true, force: true });
    return { topic: file.topic, partition: file.partition, offset: (file.last + 1n).toString() };
  }

  async #knownFiles(topic: string, partition: number): Promise<KnownFile[]> {
    const id = tpKey(topic, partition);
    const known = this.#index.get(id);
    if (known !== undefined) return known;
    this.#listing ??= Promise.all([
      this.#options.store.list(EVENTS_TABLE),
      this.#options.store.list(DECODE_ERRORS_TABLE),
    ]).then(([events, errors]) => indexByPartition([...events, ...errors]));
    const listing = await this.#listing.catch((error: unknown) => {
      this.#listing = undefined;
      throw error;
    });
    const files = listing.get(id) ?? [];
    this.#index.set(id, files);
    return files;
  }
}
