/**
 * Schema evolution reaches the tables, with the consumers running throughout: records written with
 * v1, then v2 (adds unknownFieldsJson, which a fixed column maps), then a v3 that adds tenantTier and priority, then a v4 that
 * drops tenantTier again, all BACKWARD-compatible versions of one subject in the real registry.
 * Two `ses-kafka consume` processes run the whole time: one into PostgreSQL, one into Parquet.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { ConfluentSerializer } from '../../../src/serde/confluent-serializer.ts';
import { loadBaseSchema } from '../../../src/ses/base-schema.ts';
import { EVENT_COLUMNS } from '../../../src/warehouse/model.ts';
import { fixtureValues } from '../../unit/warehouse/ses-values.ts';
import {
  type ConsumeProcess,
  createTopic,
  deleteTopics,
  endpoints,
  ensurePostgres,
  type Outgoing,
  POSTGRES_URL,
  produceRaw,
  requireStack,
  startConsume,
  uniqueName,
} from './support.ts';

type Schema = ReturnType<typeof loadBaseSchema>;
const PER_VERSION = 6;

function withFields(base: Schema, add: object[], drop: string[] = []): Schema {
  const schema = structuredClone(base);
  schema.fields = [
    ...schema.fields.filter((field) => !drop.includes(field.name)),
    ...(add as Schema['fields']),
  ];
  return schema;
}

const V1 = loadBaseSchema('v1');
const V2 = loadBaseSchema('v2');
const V3 = withFields(V2, [
  { name: 'tenantTier', type: ['null', 'string'], default: null, doc: 'added in v3' },
  { name: 'priority', type: ['null', 'int'], default: null, doc: 'added in v3' },
]);
const V4 = withFields(V3, [], ['tenantTier']);

describe('schema evolution v1 -> v2 -> v3 (adds fields) -> v4 (drops one), consumers running throughout', function () {
  this.timeout(300_000);
  const templates = fixtureValues();
  let topic: string;
  let schema: string;
  let dir: string;
  let client: pg.Client;
  let serializer: ConfluentSerializer;
  const processes: ConsumeProcess[] = [];

  before(async function () {
    this.timeout(900_000);
    await requireStack();
    await ensurePostgres();
    topic = uniqueName('wh-evolution');
    schema = `wh_evo_${Date.now().toString(36)}`;
    dir = mkdtempSync(join(tmpdir(), 'wh-evolution-'));
    await createTopic(topic, 2);
    serializer = new ConfluentSerializer({
      registry: { url: endpoints.registryUrl },
      topic,
      autoRegister: true,
    });
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
  });
  after(async () => {
    for (const process_ of processes) process_.child.kill('SIGKILL');
    await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client?.end();
    rmSync(dir, { recursive: true, force: true });
    await deleteTopics([topic]);
  });

  async function produce(version: string, writer: Schema, extra: Record<string, unknown>): Promise<string[]> {
    const ids: string[] = [];
    const records: Outgoing[] = [];
    for (let index = 0; index < PER_VERSION; index++) {
      const template = templates[index] as (typeof templates)[number];
      const value = { ...structuredClone(template.value), ...extra } as Record<string, unknown>;
      value.eventId = `${template.event.eventId}-${version}`;
      ids.push(value.eventId as string);
      records.push({
        key: template.event.mail.messageId,
        value: (await serializer.encode(value, writer)).bytes,
      });
    }
    await produceRaw(topic, records);
    return ids;
  }

  async function rows(): Promise<Array<Record<string, unknown>>> {
    const exists = await client.query('SELECT to_regclass($1) AS t', [`${schema}.ses_events`]);
    if (exists.rows[0]?.t === null) return [];
    return (await client.query(`SELECT * FROM ${schema}.ses_events ORDER BY event_id`)).rows;
  }

  async function waitForRows(count: number): Promise<Array<Record<string, unknown>>> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const found = await rows();
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`only ${found.length} of ${count} rows arrived`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  async function extraColumns(): Promise<Record<string, string>> {
    const { rows: columns } = await client.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [schema, 'ses_events'],
    );
    return Object.fromEntries(
      columns
        .filter((column) => !(column.column_name in EVENT_COLUMNS))
        .map((column) => [column.column_name, column.data_type]),
    );
  }

  it('adds a column for each new field as it first arrives, loads it, keeps old rows, and keeps a dropped field NULL', async () => {
    const common = ['--local', '--topic', topic, '--from-beginning'];
    const toPostgres = startConsume([
      ...common,
      '--group',
      `${topic}-pg`,
      '--to',
      'postgres',
      '--postgres-url',
      POSTGRES_URL,
      '--postgres-schema',
      schema,
    ]);
    const lake = join(dir, 'lake');
    const toParquet = startConsume([
      ...common,
      '--group',
      `${topic}-pq`,
      '--to',
      'parquet',
      '--out',
      lake,
      '--flush-records',
      '3',
    ]);
    processes.push(toPostgres, toParquet);

    const v1 = await produce('v1', V1, {});
    let loaded = await waitForRows(PER_VERSION);
    assert.deepEqual(await extraColumns(), {}, 'v1 brings no extra column');

    const v2 = await produce('v2', V2, { unknownFieldsJson: '{"newThing":1}' });
    loaded = await waitForRows(2 * PER_VERSION);
    // unknownFieldsJson is mapped by the fixed column unknown_fields: nothing to add.
    assert.deepEqual(await extraColumns(), {});

    const v3 = await produce('v3', V3, { unknownFieldsJson: null, tenantTier: 'gold', priority: 3 });
    loaded = await waitForRows(3 * PER_VERSION);
    assert.deepEqual(await extraColumns(), {
      tenant_tier: 'text',
      priority: 'bigint',
    });

    const v4 = await produce('v4', V4, { unknownFieldsJson: null, priority: 4 });
    loaded = await waitForRows(4 * PER_VERSION);
    assert.deepEqual(
      await extraColumns(),
      { tenant_tier: 'text', priority: 'bigint' },
      'a dropped field keeps its column',
    );

    const byId = new Map(loaded.map((row) => [String(row.event_id), row]));
    const pick = (ids: string[], column: string) => ids.map((id) => byId.get(id)?.[column] ?? null);
    assert.equal(loaded.length, 4 * PER_VERSION);
    assert.ok(
      pick(v1, 'message_id').every((value) => value !== null),
      'old rows are intact',
    );
    assert.deepEqual(
      pick(v1, 'unknown_fields'),
      v1.map(() => null),
    );
    assert.deepEqual(
      pick(v2, 'unknown_fields'),
      v2.map(() => ({ newThing: 1 })),
    );
    assert.deepEqual(
      pick(v3, 'tenant_tier'),
      v3.map(() => 'gold'),
    );
    assert.deepEqual(
      pick(v3, 'priority').map(Number),
      v3.map(() => 3),
    );
    assert.deepEqual(
      pick([...v1, ...v2], 'tenant_tier'),
      [...v1, ...v2].map(() => null),
    );
    assert.deepEqual(
      pick(v4, 'tenant_tier'),
      v4.map(() => null),
      'NULL for rows written after the field was dropped',
    );
    assert.deepEqual(
      pick(v4, 'priority').map(Number),
      v4.map(() => 4),
    );
    // Four writer schemas, read each in its own shape.
    assert.equal(new Set(loaded.map((row) => row.schema_id)).size, 4);

    for (const consumer of [toPostgres, toParquet]) {
      await consumer.waitForErr(/^consuming /);
      consumer.child.kill('SIGTERM');
      assert.equal(await consumer.exited, 0, consumer.stderr.join('\n'));
    }
    assert.match(toPostgres.stdout.join('\n'), /columns from newer schema versions: tenant_tier, priority/);

    // Parquet: files written after a version arrived carry its columns; older files do not.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const glob = `'${join(lake, 'ses_events', '**', '*.parquet')}'`;
      const lakeRows = (
        await connection.runAndReadAll(
          `SELECT event_id, tenant_tier, priority FROM read_parquet(${glob}, hive_partitioning = true, union_by_name = true)`,
        )
      ).getRowObjectsJson();
      const lakeById = new Map(lakeRows.map((row) => [String(row.event_id), row]));
      assert.equal(lakeRows.length, 4 * PER_VERSION);
      assert.ok(
        v3.every(
          (id) => lakeById.get(id)?.tenant_tier === 'gold' && Number(lakeById.get(id)?.priority) === 3,
        ),
      );
      assert.ok(v1.every((id) => lakeById.get(id)?.tenant_tier === null));
      assert.ok(
        v4.every((id) => lakeById.get(id)?.tenant_tier === null && Number(lakeById.get(id)?.priority) === 4),
      );
      const perFile = (
        await connection.runAndReadAll(
          `SELECT file_name, bool_or(name = 'tenant_tier') AS has FROM parquet_schema(${glob}) GROUP BY file_name`,
        )
      ).getRowObjectsJson();
      assert.ok(
        perFile.some((file) => file.has === true),
        'files written after v3 have the column',
      );
      assert.ok(
        perFile.some((file) => file.has === false),
        'files written before v3 do not',
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
