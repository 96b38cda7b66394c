/**
 * The consumer never commits past what it could not read because of its own setup (issue 11, point 5).
 * `ses-kafka consume` runs as its own process against the real broker and registries: with a wrong
 * registry setting it stops with a non-zero exit and a message naming the setting, commits nothing, and
 * a re-run with the right setting loads everything; only records whose bytes are bad become
 * ses_decode_errors rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadBaseSchema } from '../../../src/ses/base-schema.ts';
import { closedPort } from '../../support/ports.ts';
import { fixtureValues } from '../../unit/warehouse/ses-values.ts';
import {
  committedRecords,
  createTopic,
  deleteTopics,
  endpoints,
  glueRegistryName,
  type Outgoing,
  produceRaw,
  requireStack,
  runConsumeProcess,
  TestSerializers,
  uniqueName,
} from './support.ts';

const SCHEMA = loadBaseSchema('v2');
/** Bytes no decoder can read: unknown framing, and a tombstone. These, and only these, are rows. */
const BAD_BYTES: Outgoing[] = [
  { key: 'bad-frame', value: Buffer.from([0xff, 0x01, 0x02]) },
  { key: 'tombstone', value: null },
];
/** Confluent-framed, with a schema id no registry holds. */
const UNKNOWN_ID: Outgoing = {
  key: 'unknown-id',
  value: Buffer.from([0x00, 0x7f, 0xff, 0xff, 0xf0, 0x02, 0x04]),
};

/** Settings cleared so only what a test passes reaches the consumer. */
const NO_AMBIENT_SETTINGS = {
  SES_KAFKA_REGISTRY_URL: undefined,
  SES_KAFKA_GLUE_ENDPOINT: undefined,
  SES_KAFKA_REGISTRY_USERNAME: undefined,
  SES_KAFKA_REGISTRY_PASSWORD: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
};

async function countRows(file: string, table: string): Promise<number> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(`SELECT COUNT(*) AS n FROM ${table}`)).getRowObjectsJson();
    return Number(rows[0]?.n);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('warehouse consumer: setup errors stop the run, commit nothing, and a fixed re-run loads everything', function () {
  this.timeout(300_000);
  const values = fixtureValues();
  const topics: string[] = [];
  let mixed: string;
  let glueOnly: string;
  let withUnknownId: string;
  let dir: string;

  before(async function () {
    this.timeout(600_000);
    await requireStack();
    const glueRegistry = await glueRegistryName();
    mixed = uniqueName('wh-setup-mixed');
    glueOnly = uniqueName('wh-setup-glue');
    withUnknownId = uniqueName('wh-setup-unknown');
    topics.push(mixed, glueOnly, withUnknownId);
    for (const topic of topics) await createTopic(topic, 2);
    const serializers = new TestSerializers(mixed, glueRegistry);
    const records: Outgoing[] = [];
    for (const [index, { event, value }] of values.entries()) {
      records.push({
        key: event.mail.messageId,
        value: await serializers.encode(index % 2 === 0 ? 'confluent' : 'glue', value, SCHEMA),
      });
    }
    await produceRaw(mixed, [...records, ...BAD_BYTES]);
    await produceRaw(
      glueOnly,
      records.filter((_, index) => index % 2 === 1),
    );
    await produceRaw(withUnknownId, [...records.slice(0, 4), UNKNOWN_ID, ...records.slice(4, 8)]);
    dir = mkdtempSync(join(tmpdir(), 'wh-setup-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteTopics(topics);
  });

  function args(topic: string, group: string, file: string, ...extra: string[]): string[] {
    return [
      '--topic',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--to',
      'duckdb',
      '--out',
      file,
      '--until-idle',
      '3000',
      '--brokers',
      endpoints.kafkaBrokers,
      ...extra,
    ];
  }

  const localGlue = ['--region', 'us-east-1', '--glue-endpoint', endpoints.glueEndpoint];
  const localAws = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

  it('a wrong registry URL: exit 2 naming --registry-url, nothing committed; the right URL then loads everything', async () => {
    const group = uniqueName('wh-setup-url');
    const file = join(dir, 'url.duckdb');
    const wrong = await runConsumeProcess(
      args(
        mixed,
        group,
        file,
        '--registry-url',
        `${endpoints.registryUrl.replace(/ccompat\/v7$/, '')}nothing-here`,
        ...localGlue,
      ),
      { ...NO_AMBIENT_SETTINGS, ...localAws },
    );
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /because of this consumer's settings/);
    assert.match(wrong.stderr, /check --registry-url \(SES_KAFKA_REGISTRY_URL/);
    assert.match(wrong.stderr, /nothing from that batch on was committed/);
    assert.equal(await committedRecords(group, mixed), 0);
    assert.equal(await countRows(file, 'ses_decode_errors'), 0, 'good records were not filed as undecodable');
    assert.equal(await countRows(file, 'ses_events'), 0);

    const right = await runConsumeProcess(
      args(mixed, group, file, '--registry-url', endpoints.registryUrl, ...localGlue),
      {
        ...NO_AMBIENT_SETTINGS,
        ...localAws,
      },
    );
    assert.equal(right.code, 0, right.stderr);
    assert.equal(await countRows(file, 'ses_events'), values.length);
    assert.equal(await countRows(file, 'ses_decode_errors'), BAD_BYTES.length, 'only the bad bytes are rows');
    assert.equal(await committedRecords(group, mixed), values.length + BAD_BYTES.length);
  });

  it('an unreachable registry: exit 3 after retries, naming --registry-url, nothing committed', async () => {
    const group = uniqueName('wh-setup-down');
    const result = await runConsumeProcess(
      args(
        mixed,
        group,
        join(dir, 'down.duckdb'),
        '--registry-url',
        `http://127.0.0.1:${await closedPort()}`,
        ...localGlue,
      ),
      { ...NO_AMBIENT_SETTINGS, ...localAws },
    );
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /unreachable/);
    assert.match(result.stderr, /set by --registry-url/);
    assert.equal(await committedRecords(group, mixed), 0);
  });

  it('a registry answering 401: exit 2 naming the registry credentials, nothing committed', async () => {
    // Apicurio on the local stack runs without authentication, so an HTTP server that refuses every
    // request with 401, as a registry with basic auth does without credentials, stands in for one.
    const server: Server = createServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const group = uniqueName('wh-setup-401');
    try {
      const result = await runConsumeProcess(
        args(
          mixed,
          group,
          join(dir, '401.duckdb'),
          '--registry-url',
          `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          ...localGlue,
        ),
        { ...NO_AMBIENT_SETTINGS, ...localAws },
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /Unauthorized/);
      assert.match(result.stderr, /SES_KAFKA_REGISTRY_USERNAME\/SES_KAFKA_REGISTRY_PASSWORD/);
      assert.equal(await committedRecords(group, mixed), 0);
    } finally {
      server.close();
    }
  });

  it('Glue-framed records and no Glue registry configured: exit 2 naming --region, nothing committed', async () => {
    const group = uniqueName('wh-setup-noglue');
    const file = join(dir, 'noglue.duckdb');
    const result = await runConsumeProcess(
      args(glueOnly, group, file, '--registry-url', endpoints.registryUrl),
      {
        ...NO_AMBIENT_SETTINGS,
      },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /AWS Glue-framed \(0x03\) but no Glue Schema Registry is configured/);
    assert.match(result.stderr, /check --region \(AWS_REGION\)/);
    assert.equal(await committedRecords(group, glueOnly), 0);
    const fixed = await runConsumeProcess(args(glueOnly, group, file, ...localGlue), {
      ...NO_AMBIENT_SETTINGS,
      ...localAws,
    });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(await countRows(file, 'ses_events'), Math.floor(values.length / 2));
  });

  it('no AWS credentials for Glue: exit 2 naming the AWS credentials, nothing committed', async () => {
    const group = uniqueName('wh-setup-nocreds');
    const result = await runConsumeProcess(args(glueOnly, group, join(dir, 'nocreds.duckdb'), ...localGlue), {
      ...NO_AMBIENT_SETTINGS,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /no AWS credentials/);
    assert.match(result.stderr, /AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY/);
    assert.equal(await committedRecords(group, glueOnly), 0);
  });

  it('a schema id the registry does not hold stops the run by default; --unknown-schema decode-error files it', async () => {
    const group = uniqueName('wh-setup-unknown');
    const file = join(dir, 'unknown.duckdb');
    const env = { ...NO_AMBIENT_SETTINGS, ...localAws };
    const stopped = await runConsumeProcess(
      args(withUnknownId, group, file, '--registry-url', endpoints.registryUrl, ...localGlue),
      env,
    );
    assert.equal(stopped.code, 2, stopped.stderr);
    assert.match(stopped.stderr, /the registry does not hold schema id 2147483632/);
    assert.match(stopped.stderr, /--unknown-schema decode-error/);
    // The partition holding the unknown id commits nothing from that batch on; the other may be done.
    assert.ok((await committedRecords(group, withUnknownId)) < 9);
    const filed = await runConsumeProcess(
      args(
        withUnknownId,
        group,
        file,
        '--registry-url',
        endpoints.registryUrl,
        ...localGlue,
        '--unknown-schema',
        'decode-error',
      ),
      env,
    );
    assert.equal(filed.code, 0, filed.stderr);
    assert.equal(await countRows(file, 'ses_events'), 8);
    assert.equal(await countRows(file, 'ses_decode_errors'), 1);
    assert.equal(await committedRecords(group, withUnknownId), 9);
  });
});
