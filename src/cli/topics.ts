/**
 * `ses-kafka topics create`: creates the events topic and its dead-letter topic, idempotently, with the
 * layout the README recommends for MSK (or, with --local, the local stack's). The producer never creates
 * topics, so a deployment runs this once (or creates the topics with its own tooling).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { loadKafkaSettings } from '../kafka/config.ts';
import {
  ensureTopics,
  LOCAL_LAYOUT,
  MSK_LAYOUT,
  type TopicLayout,
  type TopicOutcome,
} from '../kafka/topics.ts';
import { EXIT, reportCommandError } from './exit.ts';
import { addLocalOption, addSettingOptions, commandSettings, KAFKA_FLAG_SETTINGS } from './settings-cli.ts';

const TOPIC_SETTINGS = KAFKA_FLAG_SETTINGS;

interface TopicsCreateOptions {
  local?: boolean;
  partitions?: number;
  replicationFactor?: number;
  minInsyncReplicas?: number;
  retentionMs?: number;
  [flag: string]: unknown;
}

function wholeNumber(min: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}, got "${raw}"`);
    }
    return value;
  };
}

function describeOutcome(outcome: TopicOutcome, layout: TopicLayout): string {
  if (outcome.status === 'created') {
    const retention =
      layout.retentionMs < 0 ? 'kept forever' : `retention ${layout.retentionMs / 86_400_000} days`;
    return `created ${outcome.topic}: ${layout.partitions} partitions, replication factor ${layout.replicationFactor}, min.insync.replicas ${layout.minInsyncReplicas}, ${retention}`;
  }
  const notes = outcome.differences.length > 0 ? `; ${outcome.differences.join('; ')}` : '';
  return `exists  ${outcome.topic}${notes}`;
}

export async function runTopicsCreate(options: TopicsCreateOptions): Promise<number> {
  const settings = commandSettings(options, TOPIC_SETTINGS);
  const { env } = settings;
  try {
    const kafka = loadKafkaSettings(env);
    const base = options.local ? LOCAL_LAYOUT : MSK_LAYOUT;
    const overrides = {
      ...(options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor }),
      ...(options.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: options.minInsyncReplicas }),
    };
    const events: TopicLayout = {
      ...base.events,
      ...overrides,
      ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
      ...(options.retentionMs === undefined ? {} : { retentionMs: options.retentionMs }),
    };
    const deadLetters: TopicLayout = { ...base.deadLetters, ...overrides };
    const outcomes = await ensureTopics(kafka, [
      { topic: kafka.topic, layout: events },
      { topic: kafka.dlqTopic, layout: deadLetters },
    ]);
    outcomes.forEach((outcome, index) => {
      process.stdout.write(`${describeOutcome(outcome, index === 0 ? events : deadLetters)}\n`);
    });
    return EXIT.ok;
  } catch (error) {
    return reportCommandError('topics create', error, settings);
  }
}

export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('manage the Kafka topics the pipeline writes to');
  const create = topics
    .command('create')
    .description(
      'create the events topic and its dead-letter topic if missing (idempotent). Defaults follow the README for MSK: 6 partitions, replication factor 3, min.insync.replicas 2, 7 days of events, 14 days of dead letters; --local: replication factor 1, kept forever',
    );
  addSettingOptions(create, TOPIC_SETTINGS);
  addLocalOption(create)
    .option('--partitions <n>', 'partitions of the events topic (default 6)', wholeNumber(1))
    .option(
      '--replication-factor <n>',
      'replicas of each partition (default 3; 1 with --local)',
      wholeNumber(1),
    )
    .option('--min-insync-replicas <n>', 'min.insync.replicas (default 2; 1 with --local)', wholeNumber(1))
    .option(
      '--retention-ms <ms>',
      'retention.ms of the events topic (default 7 days; -1 keeps forever)',
      wholeNumber(-1),
    )
    .action(async (options: TopicsCreateOptions) => {
      process.exitCode = await runTopicsCreate(options);
    });
}
