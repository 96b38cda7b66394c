/**
 * The benchmarks that touch the local stack (Kafka, Apicurio, moto, dynalite) get their env, topics and
 * metadata table from here. Every run uses its own names and removes what it created.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { seedMetadataRows } from '../../src/demo/seed-metadata.ts';
import type { DemoMetadataRow } from '../../src/demo/ses-event-stream.ts';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  stackEndpoints,
  stackPorts,
} from '../../src/stack/endpoints.ts';
import { ensurePredecessorTable } from '../../src/stack/metadata-table.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';

export const endpoints = stackEndpoints();
export const EXAMPLE_TRANSFORMS = path.join(REPO_ROOT, 'schemas', 'transforms.example.properties');
/** The example chain hashes recipients with this key; a real deployment reads it from a secret. */
export const BENCH_HMAC_KEY = 'bench-hmac-key-not-a-secret-32-bytes';

/**
 * The benchmarks that run the pipeline in this process sign DynamoDB and Glue calls with the SDK's default
 * chain, which reads process.env: give it the stack's test credentials and region, as a `--local` command
 * does (values already set win). Without this a fresh CI machine, which has no ~/.aws, cannot sign.
 */
export function useLocalAwsCredentials(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ACCESS_KEY_ID ??= LOCAL_AWS_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY ??= LOCAL_AWS_CREDENTIALS.secretAccessKey;
  env.AWS_REGION ??= LOCAL_AWS_REGION;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Fails fast, naming the service and the fix, instead of timing out deep inside a benchmark. */
export async function requireStack(services: ReadonlyArray<'kafka' | 'registry' | 'moto' | 'dynamodb'>) {
  const ports = stackPorts();
  const portOf = {
    kafka: ports.kafkaPlaintext,
    registry: ports.registry,
    moto: ports.moto,
    dynamodb: ports.dynamodb,
  };
  const down: string[] = [];
  for (const service of services) {
    if (!(await reachable(portOf[service]))) down.push(`${service} (127.0.0.1:${portOf[service]})`);
  }
  if (down.length > 0) {
    throw new Error(
      `the local stack is not reachable: ${down.join(', ')}; start it with \`npx ses-kafka stack up\` and run the bench again`,
    );
  }
}

export interface BenchEnvOptions {
  topic: string;
  dlqTopic: string;
  table: string;
  registry?: 'confluent' | 'glue';
  /** Glue only: the schema name inside moto's default-registry (exempt from the 10-registry limit). */
  glueSchemaName?: string;
  extra?: Record<string, string>;
}

/** The env `buildRuntime` reads: the local stack and its test credentials, the example transform chain, auto-registration on. */
export function benchEnv(options: BenchEnvOptions): Record<string, string> {
  const registry: Record<string, string> =
    options.registry === 'glue'
      ? {
          SES_KAFKA_REGISTRY: 'glue',
          SES_KAFKA_GLUE_ENDPOINT: endpoints.glueEndpoint,
          SES_KAFKA_GLUE_REGISTRY_NAME: 'default-registry',
          SES_KAFKA_GLUE_SCHEMA_NAME: options.glueSchemaName ?? options.topic,
        }
      : { SES_KAFKA_REGISTRY: 'confluent', SES_KAFKA_REGISTRY_URL: endpoints.registryUrl };
  return {
    SES_KAFKA_BROKERS: endpoints.kafkaBrokers,
    SES_KAFKA_AUTH: 'none',
    SES_KAFKA_TOPIC: options.topic,
    SES_KAFKA_DLQ_TOPIC: options.dlqTopic,
    SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
    SES_KAFKA_METADATA_TABLE: options.table,
    DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
    // The handler signs its DynamoDB and Glue calls with the SDK's default chain; a CI machine has no
    // ~/.aws, so the stack's test credentials go in the env exactly as a --local command puts them.
    AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_AWS_REGION,
    SES_KAFKA_TRANSFORMS_FILE: EXAMPLE_TRANSFORMS,
    SES_KAFKA_HMAC_KEY: BENCH_HMAC_KEY,
    ...registry,
    ...options.extra,
  };
}

function admin() {
  return new Kafka({
    clientId: 'ses-kafka-bench',
    brokers: [endpoints.kafkaBrokers],
    logLevel: logLevel.NOTHING,
  }).admin();
}

export async function createTopics(topics: readonly string[], numPartitions = 3): Promise<void> {
  const client = admin();
  await client.connect();
  try {
    await client.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions })),
      waitForLeaders: true,
    });
  } finally {
    await client.disconnect();
  }
}

/** Sum of end offsets: how many records the (fresh) topics hold. */
export async function topicRecordCount(topic: string): Promise<number> {
  const client = admin();
  await client.connect();
  try {
    const offsets = await client.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await client.disconnect();
  }
}

export async function deleteTopics(topics: readonly string[]): Promise<void> {
  const client = admin();
  await client.connect();
  try {
    await client.deleteTopics({ topics: [...topics] });
  } catch {
    // Best effort: a leftover bench topic on the local stack harms nobody.
  } finally {
    await client.disconnect();
  }
}

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: endpoints.dynamodbEndpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
}

/** Creates `table` in the predecessor's layout and writes the rows. */
export async function seedTable(table: string, rows: readonly DemoMetadataRow[]): Promise<void> {
  const client = dynamoClient();
  try {
    await ensurePredecessorTable(client, table);
    await seedMetadataRows(client, table, rows);
  } finally {
    client.destroy();
  }
}

export async function deleteTable(table: string): Promise<void> {
  const client = dynamoClient();
  try {
    await client.send(new DeleteTableCommand({ TableName: table }));
  } catch {
    // Best effort, as for topics.
  } finally {
    client.destroy();
  }
}
