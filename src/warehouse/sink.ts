/** The port every warehouse destination implements. */
import type { SinkBatch } from './model.ts';

export const SINK_KINDS = ['jsonl', 'duckdb', 'postgres'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

export interface Sink {
  /** e.g. `duckdb warehouse.duckdb`; never holds credentials. */
  readonly description: string;
  /**
   * Writes the whole batch or nothing, and resolves only once it is durable: the consumer commits the
   * batch's offsets right after, so a write that resolves early would lose events on a crash.
   * Rows are upserted on their key, so writing a batch twice leaves one copy.
   */
  write(batch: SinkBatch): Promise<void>;
  close(): Promise<void>;
}
