import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConsumeCliOptions,
  decoderOptions,
  defaultGroupId,
  EXIT_CONFIG,
  redactUrlCredentials,
  runConsume,
} from '../../../src/cli/consume.ts';
import { runReport } from '../../../src/cli/report.ts';
import { baseSchemaPath } from '../../../src/ses/base-schema.ts';
import { localSettingsEnv } from '../../../src/stack/local-settings.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { writeOut: (line: string) => out.push(line), writeErr: (line: string) => err.push(line) },
  };
}

const base: ConsumeCliOptions = {
  topic: ['ses-events'],
  group: 'g',
  readerSchema: baseSchemaPath('v2'),
  to: 'duckdb',
  out: '/tmp/unused.duckdb',
  brokers: '127.0.0.1:1',
  registryUrl: 'http://127.0.0.1:1',
};

describe('ses-kafka consume / report: configuration errors', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ses-consume-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, Partial<ConsumeCliOptions>, RegExp][] = [
    ['a bad --max', { max: '0' }, /--max: expected a whole number above 0, got "0"/],
    ['a bad --until-idle', { untilIdle: 'soon' }, /--until-idle: expected a whole number/],
    ['no --out for duckdb', { out: undefined }, /--out: required with --to duckdb/],
    ['an unreadable reader schema', { readerSchema: '/nonexistent.avsc' }, /--reader-schema: cannot read/],
    ['a bad broker', { brokers: 'nohost' }, /--brokers: expected host:port/],
    ['a bad postgres schema name', { to: 'postgres', postgresSchema: 'Robert"; drop' }, /--postgres-schema/],
    [
      'no --out for parquet',
      { to: 'parquet', out: undefined },
      /--out: required with --to parquet: the folder or s3:\/\/bucket\/prefix/,
    ],
    [
      'an s3 --out without a bucket',
      { to: 'parquet', out: 's3://' },
      /--out: "s3:\/\/" is not s3:\/\/bucket\/prefix/,
    ],
    [
      'a bad --flush-records',
      { to: 'parquet', out: '/tmp/lake', flushRecords: 'many' },
      /--flush-records: expected a whole number/,
    ],
    ['--flush-interval without parquet', { flushInterval: '1000' }, /apply to --to parquet only/],
    ['a bad --metrics-port', { metricsPort: '70000' }, /--metrics-port: expected a port number/],
  ];
  for (const [name, change, message] of cases) {
    it(`exits ${EXIT_CONFIG} on ${name}, naming the flag`, async () => {
      const captured = io();
      const code = await runConsume({ ...base, ...change } as ConsumeCliOptions, captured.io);
      assert.equal(code, EXIT_CONFIG);
      assert.match(captured.err.join('\n'), message);
    });
  }

  it('exits 2 when the reader schema is not JSON', async () => {
    const file = join(dir, 'bad.avsc');
    writeFileSync(file, '{ nope');
    const captured = io();
    assert.equal(await runConsume({ ...base, readerSchema: file }, captured.io), EXIT_CONFIG);
    assert.match(captured.err.join('\n'), /is not a JSON Avro schema/);
  });

  it('asks for a registry when none is configured, and uses the local stack with --local', () => {
    assert.throws(() => decoderOptions({}), /--registry-url: no schema registry/);
    const local = decoderOptions(localSettingsEnv({}));
    assert.match(String((local.confluent as { url: string }).url), /\/apis\/ccompat\/v7$/);
    assert.equal((local.glue as { region: string }).region, 'us-east-1');
  });

  it('derives a default group per sink and output, so two warehouses never share offsets', () => {
    const duck = { ...base, group: undefined };
    const a = defaultGroupId({ ...duck, out: 'a.duckdb' }, {});
    assert.match(a, /^ses-kafka-warehouse-duckdb-[0-9a-f]{10}$/);
    assert.equal(defaultGroupId({ ...duck, out: `${process.cwd()}/a.duckdb` }, {}), a, 'the same file');
    assert.notEqual(defaultGroupId({ ...duck, out: 'b.duckdb' }, {}), a);
    assert.notEqual(defaultGroupId({ ...duck, to: 'jsonl', out: 'a.duckdb' }, {}), a);
    const pg = (url: string, schema?: string) =>
      defaultGroupId(
        { ...duck, to: 'postgres', postgresUrl: url, ...(schema ? { postgresSchema: schema } : {}) },
        {},
      );
    assert.equal(
      pg('postgres://u:secret@db:5432/w'),
      pg('postgres://other:pw@db:5432/w'),
      'credentials do not matter',
    );
    assert.notEqual(pg('postgres://db/w'), pg('postgres://db/w', 'staging'));
    assert.match(
      defaultGroupId({ ...duck, to: 'parquet', out: 's3://lake/ses/' }, {}),
      /^ses-kafka-warehouse-parquet-/,
    );
  });

  it('keeps credentials in URLs out of messages', () => {
    assert.equal(
      redactUrlCredentials(
        'registry at https://user:p4ss@registry.example.com/api failed; see http://host/x',
      ),
      'registry at https://***@registry.example.com/api failed; see http://host/x',
    );
  });

  it('report exits 1 with the command to run when the warehouse file is missing', async () => {
    const captured = io();
    assert.equal(await runReport({ db: join(dir, 'none.duckdb'), out: join(dir, 'r.html') }, captured.io), 1);
    assert.match(captured.err.join('\n'), /no DuckDB warehouse at .*ses-kafka consume --to duckdb/);
  });
});
