/** Opens the sink a `--to` choice names. */
import { DuckDbSink } from './duckdb-sink.ts';
import { WarehouseError } from './errors.ts';
import { decodeErrorsPathFor, JsonlSink } from './jsonl-sink.ts';
import { DECODE_ERRORS_TABLE } from './model.ts';
import { PostgresSink } from './postgres-sink.ts';
import type { Sink, SinkKind } from './sink.ts';

export interface SinkOptions {
  kind: SinkKind;
  /** The file for jsonl and duckdb. */
  out?: string;
  postgresUrl?: string;
  postgresSchema?: string;
}

export async function openSink(options: SinkOptions): Promise<Sink> {
  switch (options.kind) {
    case 'jsonl':
    case 'duckdb': {
      if (options.out === undefined || options.out === '') {
        throw new WarehouseError(
          'WAREHOUSE_CONFIG',
          `--out: required with --to ${options.kind}: the ${options.kind === 'jsonl' ? 'JSON-lines' : 'DuckDB database'} file to write`,
        );
      }
      return options.kind === 'jsonl' ? JsonlSink.open(options.out) : DuckDbSink.open(options.out);
    }
    case 'postgres':
      return PostgresSink.open({
        ...(options.postgresUrl === undefined ? {} : { url: options.postgresUrl }),
        ...(options.postgresSchema === undefined ? {} : { schema: options.postgresSchema }),
      });
  }
}

/** Where undecodable records end up, for the run summary. */
export function decodeErrorsLocation(options: SinkOptions): string {
  return options.kind === 'jsonl' && options.out !== undefined
    ? decodeErrorsPathFor(options.out)
    : `table ${DECODE_ERRORS_TABLE}`;
}
