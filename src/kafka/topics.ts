/**
 * Creating the events and dead-letter topics, idempotently. The producer never creates topics (MSK runs
 * with auto-creation off, and a typo must not create one), so this is the one place that does: the
 * `ses-kafka topics create` command, and `--local` commands on the local stack.
 */
import { type Admin, type ITopicConfig, Kafka } from 'kafkajs';
import { describeError, PipelineError } from '../errors.ts';
import { kafkaClientConfig } from './client.ts';
import type { KafkaSettings } from './config.ts';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  /** -1 keeps data forever. */
  retentionMs: number;
}

const DAY_MS = 86_400_000;

/**
 * What the README recommends on MSK: 6 partitions (the key is the message id, so events spread evenly,
 * and up to 6 warehouse consumers share the load), 3 replicas with min.insync.replicas=2 (the producer
 * writes with acks=all, so one broker may be down without stopping it), 7 days of events (time for a
 * consumer to catch up; backfills replay from S3) and 14 days of dead letters (time to investigate).
 */
export const MSK_LAYOUT = {
  events: { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2, retentionMs: 7 * DAY_MS },
  deadLetters: { partitions: 1, replicationFactor: 3, minInsyncReplicas: 2, retentionMs: 14 * DAY_MS },
} as const satisfies Record<string, TopicLayout>;

/** The local stack is one broker that keeps everything. */
export const LOCAL_LAYOUT = {
  events: { partitions: 6, replicationFactor: 1, minInsyncReplicas: 1, retentionMs: -1 },
  deadLetters: { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1, retentionMs: -1 },
} as const satisfies Record<string, TopicLayout>;

/**
 * Waits until every partition of the new topics has a leader. kafkajs's own `waitForLeaders` gives up on
 * the first UNKNOWN_TOPIC_OR_PARTITION, which a busy broker answers for a moment after creating a topic.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const ready = metadata.topics.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new PipelineError(
    'produce',
    'KAFKA_TOPIC_CREATE_FAILED',
    `topics ${topics.join(', ')} were created but have no leaders after ${timeoutMs / 1000} s${last ? ` (${describeError(last)})` : ''}`,
    { retriable: true },
  );
}

export interface TopicOutcome {
  topic: string;
  status: 'created' | 'exists';
  /** For a topic that already existed: how it differs from the layout asked for (never changed here). */
  differences: string[];
}

function topicConfig(topic: string, layout: TopicLayout): ITopicConfig {
  return {
    topic,
    numPartitions: layout.partitions,
    replicationFactor: layout.replicationFactor,
    configEntries: [
      { name: 'min.insync.replicas', value: String(layout.minInsyncReplicas) },
      { name: 'retention.ms', value: String(layout.retentionMs) },
    ],
  };
}

/**
 * Creates each topic that does not exist yet with its layout; an existing topic is left as it is, and
 * how its partition count differs from the layout is reported.
 */
export async function ensureTopics(
  settings: KafkaSettings,
  wanted: ReadonlyArray<{ topic: string; layout: TopicLayout }>,
): Promise<TopicOutcome[]> {
  const admin = new Kafka({ ...kafkaClientConfig(settings), logCreator: () => () => undefined }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter(({ topic }) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map(({ topic, layout }) => topicConfig(topic, layout)),
      });
      await waitForLeaders(
        admin,
        missing.map(({ topic }) => topic),
      );
    }
    const present = wanted.filter(({ topic }) => existing.has(topic));
    const metadata =
      present.length === 0
        ? { topics: [] }
        : await admin.fetchTopicMetadata({ topics: present.map(({ topic }) => topic) });
    return wanted.map(({ topic, layout }) => {
      if (!existing.has(topic)) return { topic, status: 'created', differences: [] };
      const partitions = metadata.topics.find((found) => found.name === topic)?.partitions.length;
      const differences =
        partitions !== undefined && partitions !== layout.partitions
          ? [`has ${partitions} partitions (recommended ${layout.partitions}); not changed`]
          : [];
      return { topic, status: 'exists', differences };
    });
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError(
      'produce',
      'KAFKA_TOPIC_CREATE_FAILED',
      `cannot create topics: ${describeError(error)}`,
      {
        retriable: true,
        cause: error,
      },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
