/**
 * Scale-out with a consumer group, as separate `ses-kafka consume` processes against the real broker:
 * a 6-partition topic, 3 consumers sharing one --group into one PostgreSQL schema; one is killed with
 * SIGKILL mid-run while another joins, and events keep arriving throughout.
 *
 * - Every event ends up in the warehouse exactly once (the upsert on event_id absorbs what the killed
 *   consumer had written but not committed, which its partitions' new owner reads again).
 * - Nothing is committed that was not written: all through the run, for every partition, the rows
 *   loaded from offsets below the group's committed offset are all there.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { loadBaseSchema } from '../../../src/ses/base-schema.ts';
import { fixtureValues } from '../../unit/warehouse/ses-values.ts';
import {
  type ConsumeProcess,
  committedByPartition,
  createTopic,
  deleteTopics,
  ensurePostgres,
  glueRegistryName,
  type Outgoing,
  POSTGRES_URL,
  produceRaw,
  requireStack,
  startConsume,
  TestSerializers,
  uniqueName,
} from './support.ts';

const SCHEMA = loadBaseSchema('v2');
const PARTITIONS = 6;
const ROUNDS = 12;
const PER_ROUND = 150;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('consumer group scale-out: 3 processes, one SIGKILLed while another joins (PostgreSQL)', function () {
  this.timeout(420_000);
  let topic: string;
  let schema: string;
  let client: pg.Client;
  let serializers: TestSerializers;
  const processes: ConsumeProcess[] = [];

  before(async function () {
    this.timeout(900_000);
    await requireStack();
    await ensurePostgres();
    topic = uniqueName('wh-scale');
    schema = `wh_scale_${Date.now().toString(36)}`;
    await createTopic(topic, PARTITIONS);
    serializers = new TestSerializers(topic, await glueRegistryName());
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
  });
  after(async () => {
    for (const process_ of processes) process_.child.kill('SIGKILL');
    await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client?.end();
    await deleteTopics([topic]);
  });

  /** Distinct events (ids and message ids made unique per round), half of them Glue-framed. */
  const templates = fixtureValues();
  async function roundOfEvents(round: number): Promise<{ records: Outgoing[]; ids: string[] }> {
    const records: Outgoing[] = [];
    const ids: string[] = [];
    for (let index = 0; index < PER_ROUND; index++) {
      const template = templates[index % templates.length] as (typeof templates)[number];
      const value = structuredClone(template.value) as Record<string, unknown> & {
        mail: { messageId: string };
      };
      value.eventId = `${template.event.eventId}-${round}-${index}`;
      value.mail.messageId = `${template.event.mail.messageId}-${round}-${index}`;
      ids.push(value.eventId as string);
      records.push({
        key: value.mail.messageId,
        value: await serializers.encode(index % 2 === 0 ? 'confluent' : 'glue', value, SCHEMA),
      });
    }
    return { records, ids };
  }

  /** One member of the group, as its own process, into the test's PostgreSQL schema. */
  function consumer(extra: string[] = []): ConsumeProcess {
    const started = startConsume(
      [
        ...extra,
        '--local',
        '--topic',
        topic,
        '--group',
        `${topic}-group`,
        '--from-beginning',
        '--to',
        'postgres',
        '--postgres-url',
        POSTGRES_URL,
        '--postgres-schema',
        schema,
      ],
      // Short, so the killed member's partitions move on within seconds (the broker's minimum is 6 s).
      { SES_KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000' },
    );
    processes.push(started);
    return started;
  }

  async function tableExists(): Promise<boolean> {
    const { rows } = await client.query('SELECT to_regclass($1) AS t', [`${schema}.ses_events`]);
    return rows[0]?.t !== null;
  }

  /**
   * Committed offsets first, then the table: rows only ever get added, so for each partition every
   * offset below what was committed must already have its row.
   */
  async function checkNothingCommittedUnwritten(violations: string[]): Promise<number> {
    const committed = await committedByPartition(`${topic}-group`, topic);
    if (!(await tableExists())) {
      for (const [partition, offset] of committed) {
        if (offset > 0)
          violations.push(`partition ${partition} committed ${offset} before any table existed`);
      }
      return 0;
    }
    let checked = 0;
    for (const [partition, offset] of committed) {
      if (offset <= 0) continue;
      const result = await client.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM ${schema}.ses_events WHERE kafka_partition = $1 AND kafka_offset < $2`,
        [partition, offset],
      );
      const present = Number(result.rows[0]?.n);
      if (present !== offset) {
        violations.push(
          `partition ${partition}: committed ${offset} but only ${present} rows below it are written`,
        );
      }
      checked += 1;
    }
    return checked;
  }

  it('loads every event exactly once and never commits an offset whose rows are not written', async () => {
    const expected: string[] = [];
    const violations: string[] = [];
    let checks = 0;
    let monitoring = true;
    const monitor = (async () => {
      while (monitoring) {
        checks += await checkNothingCommittedUnwritten(violations);
        await sleep(300);
      }
    })();

    const a = consumer();
    const b = consumer();
    const c = consumer();
    let joined: ConsumeProcess | undefined;
    // Events keep arriving all through: at least ROUNDS rounds, and at least 4 after the kill.
    let killedInRound: number | undefined;
    const producing = (async () => {
      for (
        let round = 0;
        round < ROUNDS || killedInRound === undefined || round < killedInRound + 4;
        round++
      ) {
        const { records, ids } = await roundOfEvents(round);
        await produceRaw(topic, records);
        expected.push(...ids);
        await sleep(500);
        if (round > 200) throw new Error('the first consumer never wrote a row');
      }
    })();
    try {
      // Mid-run: once the first consumer has written rows, kill it without warning and start another.
      await a.waitForErr(/records \(\d+ events/, 180_000);
      a.child.kill('SIGKILL');
      killedInRound = Math.ceil(expected.length / PER_ROUND);
      joined = consumer();
      await producing;
      assert.ok(joined);
      // Everything produced arrives, the killed consumer's share included.
      const deadline = Date.now() + 180_000;
      let loaded = 0;
      while (Date.now() < deadline) {
        if (await tableExists()) {
          const { rows } = await client.query<{ n: string }>(
            `SELECT COUNT(*) AS n FROM ${schema}.ses_events`,
          );
          loaded = Number(rows[0]?.n);
          if (loaded >= expected.length) break;
        }
        await sleep(500);
      }
      assert.equal(loaded, expected.length, 'every produced event is loaded');
      for (const survivor of [b, c, joined]) {
        // SIGTERM is handled once the command runs (before that, node is still loading it).
        await survivor.waitForErr(/^consuming /);
        survivor.child.kill('SIGTERM');
      }
      for (const survivor of [b, c, joined]) {
        assert.equal(await survivor.exited, 0, survivor.stderr.join('\n'));
      }
      assert.equal(await a.exited, 'SIGKILL');
    } finally {
      monitoring = false;
      await monitor;
    }

    const { rows } = await client.query<{ n: string; d: string }>(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM ${schema}.ses_events`,
    );
    assert.equal(Number(rows[0]?.n), expected.length, 'one row per event');
    assert.equal(Number(rows[0]?.d), expected.length);
    const missing = await client.query<{ id: string }>(
      `SELECT id FROM unnest($1::text[]) AS id WHERE id NOT IN (SELECT event_id FROM ${schema}.ses_events)`,
      [expected],
    );
    assert.deepEqual(missing.rows, []);
    // Members leaving one after another rebalance the rest, and a commit refused during a rebalance
    // leaves its records to be read again: one more run of the group reads whatever is left, and the
    // upsert absorbs it.
    const last = consumer(['--until-idle', '3000']);
    assert.equal(await last.exited, 0, last.stderr.join('\n'));
    const after = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${schema}.ses_events`);
    assert.equal(Number(after.rows[0]?.n), expected.length, 'a re-read adds no row');
    const committed = await committedByPartition(`${topic}-group`, topic);
    assert.equal(
      [...committed.values()].reduce((sum, offset) => sum + offset, 0),
      expected.length,
    );
    assert.ok(checks > 10, `the commit monitor ran (${checks} partition checks)`);
    assert.deepEqual(violations, []);
  });
});
