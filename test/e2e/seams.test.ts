/**
 * The production flow the README documents, each step a separate process, with default settings
 * (auto-registration off, as the deploy template ships it):
 *   1. `ses-kafka register-schemas` (the CI job), without the HMAC key the example chain hashes with;
 *   2. `ses-kafka topics create`;
 *   3. the packaged dist/lambda.zip in a fresh `node`: an SNS event, then an SQS batch;
 *   4. `ses-kafka replay` of archived events;
 *   5. `ses-kafka consume` into DuckDB.
 * For both registries, with no transforms and with the example chain. Every event must arrive, in the
 * topic and as a warehouse row. Separately: a missing topic, and v2 registered over v1 while a consumer
 * runs and producers keep writing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeleteSchemaCommand, GlueClient } from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { type ExtractedBundle, packageAndExtract } from '../../bench/lib/lambda-bundle.ts';
import { LOCAL_GLUE_REGISTRY } from '../../src/config/settings.ts';
import { LOCAL_AWS_REGION } from '../../src/stack/endpoints.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';
import { deleteTable, localDynamoDbClient, seedPredecessorTable } from '../support/dynamodb.ts';
import {
  endpoints,
  loadFixtures,
  snsEvent,
  sqsEvent,
  sqsRecord,
  topicRecordCount,
  uniqueName,
} from '../support/pipeline.ts';

const execFileAsync = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'bin', 'ses-kafka.js');
const LAMBDA_CHILD = path.join(REPO_ROOT, 'test', 'support', 'lambda-invoke-child.mjs');
const EXAMPLE_CHAIN = path.join(REPO_ROOT, 'schemas', 'transforms.example.properties');
/** Only the Lambda and replay have it: register-schemas must work without it. */
const HMAC_KEY = 'seam-test-hmac-key-0123456789abcdef-0123456789';

interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a fresh process: no SES_KAFKA_* or AWS_* from this test process leaks in. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('SES_KAFKA_') && !name.startsWith('AWS_')) env[name] = value;
  }
  return { ...env, ...extra };
}

async function run(file: string, args: string[], env: Record<string, string>): Promise<ProcessResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [file, ...args], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function cli(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return run(CLI, args, cleanEnv(env));
}

function expectExit(result: ProcessResult, code: number, what: string): void {
  assert.equal(
    result.code,
    code,
    `${what} exited ${result.code}:\n${result.stderr}\n${result.stdout}`.slice(0, 4000),
  );
}

interface Case {
  registry: 'confluent' | 'glue';
  chain: boolean;
}

async function warehouseRows(file: string): Promise<{ events: number; distinct: number; types: string[] }> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      'SELECT count(*)::INTEGER AS events, count(DISTINCT event_id)::INTEGER AS distinct_ids FROM ses_events',
    );
    const [row] = reader.getRowObjects() as Array<{ events: number; distinct_ids: number }>;
    const types = await connection.runAndReadAll('SELECT DISTINCT event_type FROM ses_events ORDER BY 1');
    return {
      events: Number(row?.events ?? 0),
      distinct: Number(row?.distinct_ids ?? 0),
      types: (types.getRowObjects() as Array<{ event_type: string }>).map((type) => type.event_type),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('e2e: the documented flow across separate processes', function () {
  this.timeout(600_000);
  let bundle: ExtractedBundle;
  let work: string;
  const table = uniqueName('seams_meta');
  const glueSchemas: string[] = [];

  before(async () => {
    bundle = await packageAndExtract();
    work = mkdtempSync(path.join(tmpdir(), 'ses-seams-'));
    // One metadata row, so the flow also proves enrichment: the SNS-delivered bounce is FOUND.
    const bounce = JSON.parse(
      loadFixtures('event-publishing').find((f) => f.name === 'event-publishing/bounce.json')?.text ?? '{}',
    );
    await seedPredecessorTable(localDynamoDbClient(), table, [
      {
        sourceAddress: bounce.mail.source,
        messageId: bounce.mail.messageId,
        date: String(bounce.mail.timestamp).slice(0, 10),
        attributes: { campaign: 'seams' },
      },
    ]);
  });

  after(async () => {
    bundle?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
    await deleteTable(localDynamoDbClient(), table).catch(() => undefined);
    const glue = new GlueClient({ endpoint: endpoints.glueEndpoint, region: LOCAL_AWS_REGION });
    for (const schema of glueSchemas) {
      await glue
        .send(
          new DeleteSchemaCommand({ SchemaId: { RegistryName: LOCAL_GLUE_REGISTRY, SchemaName: schema } }),
        )
        .catch(() => undefined);
    }
  });

  const cases: Case[] = [
    { registry: 'confluent', chain: false },
    { registry: 'confluent', chain: true },
    { registry: 'glue', chain: false },
    { registry: 'glue', chain: true },
  ];

  for (const testCase of cases) {
    const label = `${testCase.registry}, ${testCase.chain ? 'the example chain' : 'no transforms'}`;
    it(`${label}: register-schemas, topics create, the packaged Lambda (SNS and SQS), replay, consume`, async () => {
      const topic = uniqueName(`seams-${testCase.registry}${testCase.chain ? '-chain' : ''}`);
      if (testCase.registry === 'glue') glueSchemas.push(topic);
      const common = ['--local', '--registry', testCase.registry, '--topic', topic];
      const chainFlags = testCase.chain ? ['--transforms', EXAMPLE_CHAIN] : [];

      // 1. CI registers the schema, without the HMAC key.
      const registered = await cli(['register-schemas', ...common, ...chainFlags]);
      expectExit(registered, 0, 'register-schemas');
      assert.match(registered.stdout, /registered as version 1/);

      // 2. The topics, created once, as on MSK.
      const topics = await cli(['topics', 'create', '--local', '--topic', topic]);
      expectExit(topics, 0, 'topics create');
      assert.match(topics.stdout, new RegExp(`created ${topic}:`));
      assert.match(topics.stdout, new RegExp(`created ${topic}\\.dlq:`));

      // 3. The packaged Lambda, with the deploy template's defaults: no auto-registration.
      const lambdaEnv = cleanEnv({
        SES_KAFKA_BROKERS: endpoints.kafkaBrokers,
        SES_KAFKA_TOPIC: topic,
        SES_KAFKA_REGISTRY: testCase.registry,
        SES_KAFKA_REGISTRY_URL: endpoints.registryUrl,
        SES_KAFKA_GLUE_ENDPOINT: endpoints.glueEndpoint,
        SES_KAFKA_GLUE_REGISTRY_NAME: LOCAL_GLUE_REGISTRY,
        SES_KAFKA_METADATA_TABLE: table,
        DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
        AWS_REGION: LOCAL_AWS_REGION,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        ...(testCase.chain ? { SES_KAFKA_TRANSFORMS_FILE: EXAMPLE_CHAIN, SES_KAFKA_HMAC_KEY: HMAC_KEY } : {}),
      });
      const publishing = loadFixtures('event-publishing');
      const snsFile = path.join(work, `${topic}-sns.json`);
      writeFileSync(snsFile, JSON.stringify(snsEvent(publishing.map((fixture) => fixture.text))));
      const sns = await run(LAMBDA_CHILD, [bundle.dir, 'snsHandler', snsFile], lambdaEnv);
      expectExit(sns, 0, 'the packaged snsHandler');
      const snsResult = JSON.parse(
        sns.stdout
          .split('\n')
          .find((line) => line.startsWith('RESULT '))
          ?.slice(7) ?? '{}',
      );
      assert.equal(snsResult.ok, true, `the SNS invocation failed: ${snsResult.error}\n${sns.stdout}`);

      const notifications = loadFixtures('notification');
      const sqsFile = path.join(work, `${topic}-sqs.json`);
      writeFileSync(
        sqsFile,
        JSON.stringify(
          sqsEvent(notifications.map((fixture, index) => sqsRecord(fixture.text, `${topic}-${index}`))),
        ),
      );
      const sqs = await run(LAMBDA_CHILD, [bundle.dir, 'sqsHandler', sqsFile], lambdaEnv);
      expectExit(sqs, 0, 'the packaged sqsHandler');
      const sqsResult = JSON.parse(
        sqs.stdout
          .split('\n')
          .find((line) => line.startsWith('RESULT '))
          ?.slice(7) ?? '{}',
      );
      assert.equal(sqsResult.ok, true, sqs.stdout);
      assert.deepEqual(sqsResult.response.batchItemFailures, [], `SQS items handed back:\n${sqs.stdout}`);

      // 4. A backfill from archived files.
      const edge = path.join(REPO_ROOT, 'test', 'fixtures', 'ses', 'edge');
      const replayed = await cli(
        ['replay', ...common, ...chainFlags, '--metadata-table', table, edge],
        testCase.chain ? { SES_KAFKA_HMAC_KEY: HMAC_KEY } : {},
      );
      expectExit(replayed, 0, 'replay');
      const edgeCount = loadFixtures('edge').length;
      assert.match(replayed.stderr, new RegExp(`${edgeCount} inputs: ${edgeCount} produced to ${topic}`));

      const expected = publishing.length + notifications.length + edgeCount;
      assert.equal(await topicRecordCount(topic), expected, 'every event in the topic');
      assert.equal(await topicRecordCount(`${topic}.dlq`), 0, 'nothing dead-lettered');

      // 5. The warehouse consumer, a process of its own, decodes every record.
      const db = path.join(work, `${topic}.duckdb`);
      const consumed = await cli([
        'consume',
        '--local',
        '--topic',
        topic,
        '--group',
        uniqueName('seams-group'),
        '--from-beginning',
        '--to',
        'duckdb',
        '--out',
        db,
        '--until-idle',
        '3000',
      ]);
      expectExit(consumed, 0, 'consume');
      const rows = await warehouseRows(db);
      assert.equal(rows.events, expected, `every event a row:\n${consumed.stdout}\n${consumed.stderr}`);
      assert.equal(rows.distinct, expected);
      assert.ok(rows.types.includes('Bounce') && rows.types.includes('Delivery'), rows.types.join(','));
    });
  }

  it('v2 registered over v1 (BACKWARD) while a consumer runs and producers keep writing: old and new records land', async () => {
    const topic = uniqueName('seams-evolve');
    const common = ['--local', '--topic', topic];
    expectExit(await cli(['topics', 'create', ...common]), 0, 'topics create');
    expectExit(await cli(['register-schemas', ...common, '--schema-version', 'v1']), 0, 'register v1');
    const db = path.join(work, `${topic}.duckdb`);
    const expected = loadFixtures('edge').length + loadFixtures('event-publishing').length;
    // The consumer runs throughout, as a process of its own, until every record arrived (or it idles).
    const consumer = cli([
      'consume',
      ...common,
      '--group',
      uniqueName('seams-evolve'),
      '--from-beginning',
      '--to',
      'duckdb',
      '--out',
      db,
      '--max',
      String(expected),
      '--until-idle',
      '120000',
    ]);
    const edge = path.join(REPO_ROOT, 'test', 'fixtures', 'ses', 'edge');
    const publishing = path.join(REPO_ROOT, 'test', 'fixtures', 'ses', 'event-publishing');
    const writeV1 = await cli([
      'replay',
      ...common,
      '--schema-version',
      'v1',
      '--metadata-table',
      table,
      edge,
    ]);
    expectExit(writeV1, 0, 'replay with v1');
    const registeredV2 = await cli(['register-schemas', ...common, '--schema-version', 'v2']);
    expectExit(registeredV2, 0, 'register v2 over v1');
    assert.match(registeredV2.stdout, /existing versions 1; compatibility BACKWARD/);
    assert.match(registeredV2.stdout, /registered as version 2/);
    const writeV2 = await cli([
      'replay',
      ...common,
      '--schema-version',
      'v2',
      '--metadata-table',
      table,
      publishing,
    ]);
    expectExit(writeV2, 0, 'replay with v2');
    const consumed = await consumer;
    expectExit(consumed, 0, 'consume');
    const rows = await warehouseRows(db);
    assert.equal(
      rows.events,
      expected,
      `v1 and v2 records all loaded:\n${consumed.stdout}\n${consumed.stderr}`,
    );
    assert.doesNotMatch(consumed.stdout, /\b[1-9]\d* undecodable/);
  });

  it('a topic that does not exist: every input handed back, a message naming the topic and the command', async () => {
    const topic = uniqueName('seams-missing');
    const registered = await cli(['register-schemas', '--local', '--topic', topic]);
    expectExit(registered, 0, 'register-schemas');
    // Without --local's topic creation: the brokers and registry of the stack, but settings as in production.
    const replayed = await cli(
      [
        'replay',
        '--topic',
        topic,
        path.join(REPO_ROOT, 'test', 'fixtures', 'ses', 'event-publishing', 'send.json'),
      ],
      {
        SES_KAFKA_BROKERS: endpoints.kafkaBrokers,
        SES_KAFKA_REGISTRY_URL: endpoints.registryUrl,
        SES_KAFKA_METADATA_ENABLED: 'false',
        SES_KAFKA_SEND_TIMEOUT_MS: '5000',
      },
    );
    expectExit(replayed, 1, 'replay to a missing topic');
    assert.match(replayed.stderr, new RegExp(`KAFKA_TOPIC_NOT_FOUND: topic "${topic}" does not exist`));
    assert.match(replayed.stderr, /ses-kafka topics create --topic/);
    assert.match(replayed.stderr, /1 inputs: 0 produced .* 1 not written/);
  });
});
