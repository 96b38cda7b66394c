/** Opens the sink a `--to` choice names. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { DuckDbSink } from './duckdb-sink.ts';
import { WarehouseError } from './errors.ts';
import { decodeErrorsPathFor, JsonlSink } from './jsonl-sink.ts';
import { DECODE_ERRORS_TABLE } from './model.ts';
import { type LakeStore, LocalLakeStore, parseS3Url, S3LakeStore } from './parquet/lake-store.ts';
import {
  DEFAULT_FLUSH_BYTES,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_FLUSH_RECORDS,
  ParquetSink,
} from './parquet/parquet-sink.ts';
import { PostgresSink } from './postgres-sink.ts';
import type { Sink, SinkKind } from './sink.ts';

export interface SinkOptions {
  kind: SinkKind;
  /** The file for jsonl and duckdb; the folder or s3://bucket/prefix for parquet. */
  out?: string;
  postgresUrl?: string;
  postgresSchema?: string;
  flushRecords?: number;
  flushBytes?: number;
  flushIntervalMs?: number;
  /** S3 client settings for an s3:// --out (endpoint, region, credentials); the SDK defaults otherwise. */
  s3?: S3ClientConfig;
}

const OUT_MEANING: Record<Exclude<SinkKind, 'postgres'>, string> = {
  jsonl: 'the JSON-lines file to write',
  duckdb: 'the DuckDB database file to write',
  parquet: 'the folder or s3://bucket/prefix to write Parquet under',
};

async function lakeStore(out: string, s3: S3ClientConfig | undefined): Promise<LakeStore> {
  if (!out.startsWith('s3://')) return new LocalLakeStore(out);
  const location = parseS3Url(out);
  if (location === undefined || location.bucket === '') {
    throw new WarehouseError('WAREHOUSE_CONFIG', `--out: "${out}" is not s3://bucket/prefix`);
  }
  return new S3LakeStore(location, await mkdtemp(join(tmpdir(), 'ses-kafka-parquet-')), s3);
}

export async function openSink(options: SinkOptions): Promise<Sink> {
  if (options.kind === 'postgres') {
    return PostgresSink.open({
      ...(options.postgresUrl === undefined ? {} : { url: options.postgresUrl }),
      ...(options.postgresSchema === undefined ? {} : { schema: options.postgresSchema }),
    });
  }
  if (options.out === undefined || options.out === '') {
    throw new WarehouseError(
      'WAREHOUSE_CONFIG',
      `--out: required with --to ${options.kind}: ${OUT_MEANING[options.kind]}`,
    );
  }
  switch (options.kind) {
    case 'jsonl':
      return JsonlSink.open(options.out);
    case 'duckdb':
      return DuckDbSink.open(options.out);
    case 'parquet':
      return ParquetSink.open({
        store: await lakeStore(options.out, options.s3),
        flushRecords: options.flushRecords ?? DEFAULT_FLUSH_RECORDS,
        flushBytes: options.flushBytes ?? DEFAULT_FLUSH_BYTES,
        flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
      });
  }
}

/** Where undecodable records end up, for the run summary. */
export function decodeErrorsLocation(options: SinkOptions): string {
  if (options.kind === 'jsonl' && options.out !== undefined) return decodeErrorsPathFor(options.out);
  if (options.kind === 'parquet') return `${options.out ?? ''}/${DECODE_ERRORS_TABLE}/`;
  return `table ${DECODE_ERRORS_TABLE}`;
}
