/**
 * The kafkajs adapter of the consumer-group port. Auto-commit is off: offsets reach the group only
 * through `commit`, which the warehouse consumer calls after a sink made the records durable.
 */
import { type Admin, type Consumer, type EachBatchPayload, Kafka, type KafkaConfig } from 'kafkajs';
import type {
  ConsumedRecord,
  ConsumerGroupHandlers,
  ConsumerGroupPort,
  ConsumerGroupStart,
  TopicPartition,
  TopicPartitionOffset,
} from './consumer-port.ts';

export interface KafkajsConsumerOptions {
  groupId: string;
  /** How long the coordinator waits for a heartbeat before giving this member's partitions away. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for new records; bounds how late idleness and shutdown are noticed. */
  maxWaitTimeInMs?: number;
  /**
   * Bytes per partition per fetch. kafkajs defaults to 1 MiB; a larger fetch means fewer round trips
   * and larger sink writes, which is where the load speed comes from.
   */
  maxBytesPerPartition?: number;
  /** Bytes per fetch over all partitions. */
  maxBytes?: number;
}

export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export class KafkajsConsumerGroup implements ConsumerGroupPort {
  readonly groupId: string;
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  #admin: Admin | undefined;
  #adminConnected: Promise<void> | undefined;
  #stopped = false;

  constructor(config: KafkaConfig, options: KafkajsConsumerOptions) {
    this.groupId = options.groupId;
    this.#kafka = new Kafka(config);
    const sessionTimeout = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.#consumer = this.#kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      // kafkajs wants heartbeats well inside the session; a third of it, as the Java client does.
      heartbeatInterval: Math.max(500, Math.min(3_000, Math.floor(sessionTimeout / 3))),
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 500,
      maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      retry: { retries: 5 },
    });
  }

  async start(options: ConsumerGroupStart, handlers: ConsumerGroupHandlers): Promise<void> {
    const consumer = this.#consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = Object.entries(event.payload.memberAssignment).flatMap(([topic, numbers]) =>
        numbers.map((partition) => ({ topic, partition })),
      );
      handlers.onAssigned?.(partitions);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) handlers.onFatal?.(event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload: EachBatchPayload) => {
        const { batch } = payload;
        await handlers.onBatch(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            // kafkajs's messages already have this shape (key and value are Buffer or null): no copy
            // per record.
            records: batch.messages as ConsumedRecord[],
          },
          {
            markRead: (offset) => payload.resolveOffset(offset),
            heartbeat: () => payload.heartbeat(),
            isActive: () => payload.isRunning() && !payload.isStale(),
          },
        );
      },
    });
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.#consumer.commitOffsets(
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    );
  }

  pause(partitions: readonly TopicPartition[]): void {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions)
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    this.#consumer.pause([...byTopic].map(([topic, numbers]) => ({ topic, partitions: numbers })));
  }

  async committedOffsets(
    topics: readonly string[],
  ): Promise<Array<TopicPartition & { offset: string | undefined }>> {
    const admin = await this.#adminClient();
    const answer = await admin.fetchOffsets({ groupId: this.groupId, topics: [...topics] });
    return answer.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => ({
        topic,
        partition,
        // kafkajs reports "no committed offset" as -1.
        offset: Number(offset) < 0 ? undefined : offset,
      })),
    );
  }

  async endOffsets(topics: readonly string[]): Promise<TopicPartitionOffset[]> {
    const admin = await this.#adminClient();
    const all: TopicPartitionOffset[] = [];
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        all.push({ topic, partition, offset: high });
      }
    }
    return all;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#consumer.disconnect().catch(() => undefined);
    if (this.#admin !== undefined) {
      await this.#adminConnected?.catch(() => undefined);
      await this.#admin.disconnect().catch(() => undefined);
    }
  }

  async #adminClient(): Promise<Admin> {
    if (this.#admin === undefined) {
      const admin = this.#kafka.admin();
      this.#admin = admin;
      this.#adminConnected = admin.connect().catch((error: unknown) => {
        // Forget a failed connection, so the next call tries again instead of repeating the failure.
        this.#admin = undefined;
        throw error;
      });
    }
    const admin = this.#admin;
    await this.#adminConnected;
    return admin;
  }
}
