/** Helpers for the warehouse tests against the local stack (Kafka, Apicurio, moto) and PostgreSQL. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateRegistryCommand, ListRegistriesCommand } from '@aws-sdk/client-glue';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import pg from 'pg';
import { ConfluentSerializer } from '../../../src/serde/confluent-serializer.ts';
import { AvroDecoder } from '../../../src/serde/decoder.ts';
import { GlueSchemaRegistry } from '../../../src/serde/glue-registry.ts';
import { GlueSerializer } from '../../../src/serde/glue-serializer.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../../../src/stack/endpoints.ts';
import { createTopics } from '../../support/pipeline.ts';

export const endpoints = stackEndpoints();
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const POSTGRES_PORT = Number(process.env.SES_PG_PORT ?? 5433);
export const POSTGRES_URL = `postgres://postgres@127.0.0.1:${POSTGRES_PORT}/ses_warehouse`;
/** The command .ci/run and the tests use to get a server: installs from apt when missing, idempotent. */
export const INSTALL_POSTGRES_COMMAND = 'bash scripts/install-postgres.sh';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const kafkaConfig: KafkaConfig = {
  clientId: 'warehouse-it',
  brokers: [endpoints.kafkaBrokers],
  logLevel: logLevel.NOTHING,
};

export function localGlue(): GlueSchemaRegistry {
  return new GlueSchemaRegistry({
    endpoint: endpoints.glueEndpoint,
    region: LOCAL_AWS_REGION,
    credentials: { ...LOCAL_AWS_CREDENTIALS },
    maxAttempts: 2,
  });
}

export function localDecoder(): AvroDecoder {
  return new AvroDecoder({ confluent: { url: endpoints.registryUrl }, glue: localGlue() });
}

/** Fails early, with the command to run, when the stack is not up. */
export { requireRegistries as requireStack } from '../serde/support.ts';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Fails with the command that fixes it when the throwaway PostgreSQL does not answer. Installing and
 * starting it is .ci/run's job (scripts/install-postgres.sh), never a side effect of a test.
 */
export async function ensurePostgres(): Promise<void> {
  if (await postgresAnswers()) return;
  throw new Error(
    `PostgreSQL does not answer at ${POSTGRES_URL}: start it with \`${INSTALL_POSTGRES_COMMAND}\` (it installs Debian's postgresql when missing; .ci/run runs it before the tests)`,
  );
}

export async function createTopic(topic: string, numPartitions: number): Promise<void> {
  await createTopics([topic], undefined, numPartitions);
}

/** Committed offsets of `groupId` on `topic`, summed over partitions (-1 counts as 0: nothing committed). */
export async function committedRecords(groupId: string, topic: string): Promise<number> {
  const admin = new Kafka(kafkaConfig).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface Outgoing {
  key: string | null;
  value: Buffer | null;
}

export async function produceRaw(topic: string, records: Outgoing[]): Promise<void> {
  const producer = new Kafka(kafkaConfig).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map(({ key, value }) => ({ key, value })) });
  } finally {
    await producer.disconnect();
  }
}

const SHARED_GLUE_REGISTRY = 'warehouse-it';

/**
 * A Glue registry to put test schemas in (each test uses its own schema name). Glue, and moto, allow
 * only a few registries per account, so the tests share one, or any existing one once that limit is hit.
 */
export async function glueRegistryName(): Promise<string> {
  const { client } = localGlue();
  try {
    await client.send(new CreateRegistryCommand({ RegistryName: SHARED_GLUE_REGISTRY }));
    return SHARED_GLUE_REGISTRY;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AlreadyExistsException') return SHARED_GLUE_REGISTRY;
    if (name !== 'ResourceNumberLimitExceededException') throw error;
  }
  const { Registries } = await client.send(new ListRegistriesCommand({}));
  const existing = Registries?.find((registry) => registry.RegistryName)?.RegistryName;
  if (!existing) throw new Error('moto refuses new Glue registries and lists none');
  return existing;
}

/** Encodes each value with the Confluent (Apicurio) or Glue (moto) serializer, auto-registering the schema. */
export class TestSerializers {
  readonly confluent: ConfluentSerializer;
  readonly glue: GlueSerializer;

  constructor(topic: string, glueRegistry: string) {
    this.confluent = new ConfluentSerializer({ registry: { url: endpoints.registryUrl }, topic });
    this.glue = new GlueSerializer({
      registry: localGlue(),
      registryName: glueRegistry,
      schemaName: topic,
      autoRegister: true,
    });
  }

  async encode(format: 'confluent' | 'glue', value: unknown, schema: object): Promise<Buffer> {
    return (await (format === 'confluent' ? this.confluent : this.glue).encode(value, schema)).bytes;
  }
}

/** `ses-kafka consume` as its own process (plain node with tsx, so its pid is the consumer's own). */
export interface ConsumeProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Resolves once a line matching `pattern` has appeared on stderr. */
  waitForErr(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function startConsume(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): ConsumeProcess {
  // An undefined value removes the variable (spawn would pass the text "undefined").
  const childEnv = Object.fromEntries(
    Object.entries({ ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'consume', ...args], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const collect = (into: string[], stream: NodeJS.ReadableStream, watch: boolean) => {
    createInterface({ input: stream }).on('line', (line) => {
      into.push(line);
      if (!watch) return;
      for (const watcher of [...watchers]) {
        if (watcher.pattern.test(line)) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve(line);
        }
      }
    });
  };
  collect(stdout, child.stdout as NodeJS.ReadableStream, false);
  collect(stderr, child.stderr as NodeJS.ReadableStream, true);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    stdout,
    stderr,
    exited,
    waitForErr(pattern, timeoutMs = 60_000) {
      const already = stderr.find((line) => pattern.test(line));
      if (already !== undefined) return Promise.resolve(already);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no stderr line matched ${pattern} within ${timeoutMs} ms:\n${stderr.join('\n')}`),
            ),
          timeoutMs,
        );
        watchers.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(
            new Error(`the process ended before a stderr line matched ${pattern}:\n${stderr.join('\n')}`),
          );
        });
      });
    },
  };
}

/** Runs `consume` to its end; resolves with the exit code and its output. */
export async function runConsumeProcess(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const process_ = startConsume(args, env);
  const code = await process_.exited;
  return { code, stdout: process_.stdout.join('\n'), stderr: process_.stderr.join('\n') };
}

/** Committed offsets of `groupId` per partition of `topic` (-1 when nothing is committed). */
export async function committedByPartition(groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = new Kafka(kafkaConfig).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(topics: readonly string[]): Promise<void> {
  const admin = new Kafka(kafkaConfig).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } catch {
    // Best effort: a leftover test topic on the local stack harms nobody.
  } finally {
    await admin.disconnect();
  }
}
