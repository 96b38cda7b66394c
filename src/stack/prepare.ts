/**
 * What `--local` commands that write (replay, serve) do before they start: create the events and DLQ
 * topics and the predecessor's metadata table on the local stack when they are missing. Only for the
 * local stack: against a real cluster nothing creates topics but `ses-kafka topics create`, so a typo in
 * a topic name fails loudly instead of creating a topic.
 */
import { loadEnrichConfig } from '../enrich/config.ts';
import { createDynamoDbClient } from '../enrich/dynamodb-client.ts';
import { describeError } from '../errors.ts';
import type { KafkaSettings } from '../kafka/config.ts';
import { ensureTopics, LOCAL_LAYOUT, type TopicOutcome } from '../kafka/topics.ts';
import { ensurePredecessorTable } from './metadata-table.ts';

export interface LocalPreparation {
  topics: TopicOutcome[];
  table: string;
  /** What could not be prepared (a server down, a port moved): the run goes on and reports per input. */
  problems: string[];
}

/**
 * Best effort: when the broker or dynalite cannot be reached, the pipeline itself hands every input
 * back with the precise error, so a failure here is a warning, not a stop.
 */
export async function prepareLocalStack(
  kafka: KafkaSettings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LocalPreparation> {
  const problems: string[] = [];
  let topics: TopicOutcome[] = [];
  try {
    topics = await ensureTopics(kafka, [
      { topic: kafka.topic, layout: LOCAL_LAYOUT.events },
      { topic: kafka.dlqTopic, layout: LOCAL_LAYOUT.deadLetters },
    ]);
  } catch (error) {
    problems.push(`cannot create the topics: ${describeError(error)}`);
  }
  const enrich = loadEnrichConfig(env);
  if (enrich.enabled && enrich.keyStrategy === 'query-prefix') {
    const client = createDynamoDbClient(enrich);
    try {
      await ensurePredecessorTable(client, enrich.table);
    } catch (error) {
      problems.push(`cannot create the metadata table "${enrich.table}": ${describeError(error)}`);
    } finally {
      client.destroy();
    }
  }
  return { topics, table: enrich.table, problems };
}
