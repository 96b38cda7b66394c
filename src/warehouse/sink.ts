/** The port every warehouse destination implements. */
import type { TopicPartition, TopicPartitionOffset } from '../kafka/consumer-port.ts';
import type { SinkBatch } from './model.ts';

export const SINK_KINDS = ['jsonl', 'duckdb', 'postgres', 'parquet'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

export interface Sink {
  /** e.g. `duckdb warehouse.duckdb`; never holds credentials. */
  readonly description: string;
  /**
   * Writes the batch, or buffers it (a sink that rolls files), and resolves with the positions that are
   * now durable: the consumer commits exactly those. A table sink writes the whole batch or nothing in
   * one transaction and returns every partition's end; a file sink returns the ends of the files it
   * closed. Rows are upserted on their key, so writing a batch twice leaves one copy.
   */
  write(batch: SinkBatch): Promise<readonly TopicPartitionOffset[]>;
  /**
   * Makes buffered rows durable: `due` only what a time limit says must go now, `all` everything
   * (shutdown). Returns the positions made durable, as `write` does.
   */
  flush(mode: 'due' | 'all'): Promise<readonly TopicPartitionOffset[]>;
  /**
   * A rebalance left this member with only `owned`: rows buffered for other partitions are dropped,
   * since their new owner reads them again from the last commit.
   */
  retain(owned: readonly TopicPartition[]): void;
  close(): Promise<void>;
}

/** Every partition's next offset after this batch: what a sink that writes everything at once returns. */
export function batchEnds(batch: SinkBatch): TopicPartitionOffset[] {
  const ends = new Map<string, TopicPartitionOffset>();
  for (const slice of batch.slices) {
    const last = slice.records.at(-1);
    if (last === undefined) continue;
    const key = `${slice.topic}\u0000${slice.partition}`;
    const next = (BigInt(last.offset) + 1n).toString();
    const known = ends.get(key);
    if (known === undefined || BigInt(known.offset) < BigInt(next)) {
      ends.set(key, { topic: slice.topic, partition: slice.partition, offset: next });
    }
  }
  return [...ends.values()];
}

/** For sinks that never buffer: nothing to flush, nothing to drop. */
export const UNBUFFERED = {
  flush: async (): Promise<readonly TopicPartitionOffset[]> => [],
  retain: (): void => undefined,
};
