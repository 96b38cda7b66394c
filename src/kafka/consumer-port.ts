/**
 * The consumer-group port: what the warehouse consumer needs from a Kafka client, and nothing of any
 * one client's API. src/kafka/kafkajs-consumer.ts adapts kafkajs to it; docs/kafka-client.md says what an
 * adapter for another client (@confluentinc/kafka-javascript) would have to do.
 *
 * Offsets here are always "the next offset to read", as Kafka commits them: a committed offset of 10
 * means records 0..9 are done.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read, as a decimal string (offsets are 64-bit). */
  offset: string;
}

export interface ConsumedRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Epoch milliseconds as a decimal string, as the broker stored it. */
  timestamp: string;
}

/** Records of one partition, in offset order, from one fetch. */
export interface ConsumedBatch extends TopicPartition {
  /** The partition's end offset (next offset to be written) when the batch was fetched. */
  highWatermark: string;
  records: readonly ConsumedRecord[];
}

export interface BatchControl {
  /**
   * Moves this member's read position past `offset` so the next fetch continues after it. This is not
   * a commit: nothing reaches the group's committed offsets until `commit` is called.
   */
  markRead(offset: string): void;
  /** Tells the group coordinator this member is alive during long work. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was taken away by a rebalance. */
  isActive(): boolean;
}

export interface ConsumerGroupHandlers {
  /** Called once per fetched partition batch; one call at a time. A throw stops the consumer. */
  onBatch(batch: ConsumedBatch, control: BatchControl): Promise<void>;
  /** After every (re)join of the group, with the partitions this member now owns. */
  onAssigned?(partitions: readonly TopicPartition[]): void;
  /** The client gave up (it will not restart itself); the consumer should stop. */
  onFatal?(error: Error): void;
}

export interface ConsumerGroupStart {
  topics: readonly string[];
  /** Where a partition without a committed offset starts: the earliest record (true) or the end. */
  fromBeginning: boolean;
}

export interface ConsumerGroupPort {
  readonly groupId: string;
  /** Joins the group and starts fetching; resolves once the fetch loop runs. */
  start(options: ConsumerGroupStart, handlers: ConsumerGroupHandlers): Promise<void>;
  /**
   * Commits these offsets for the group. Only valid while started; a commit for a partition that a
   * rebalance moved elsewhere may be refused, which the caller treats as "will be read again".
   */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Stops fetching these partitions (after a failure, or while shutting down). */
  pause(partitions: readonly TopicPartition[]): void;
  /** The group's committed offsets for every partition of `topics`; `undefined` where none is committed. */
  committedOffsets(
    topics: readonly string[],
  ): Promise<Array<TopicPartition & { offset: string | undefined }>>;
  /** Every partition's end offset (high watermark), for lag on partitions with nothing to fetch. */
  endOffsets(topics: readonly string[]): Promise<TopicPartitionOffset[]>;
  /** Leaves the group and closes connections. Safe to call more than once. */
  stop(): Promise<void>;
}
