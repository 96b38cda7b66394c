import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AvroDecoder } from '../../src/serde/decoder.ts';
import { GlueSerializer } from '../../src/serde/glue-serializer.ts';
import { parseGlueFrame } from '../../src/serde/wire-format.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../src/stack/endpoints.ts';
import {
  deleteScratchRegistries,
  endpoints,
  localGlue,
  plain,
  requireRegistries,
  scratchRegistryName,
  uniqueName,
} from '../integration/serde/support.ts';
import { javaHarnessClasspath } from './prepare.ts';

const execFileAsync = promisify(execFile);

// Field order matches Avro Java's Schema.toString(), so both sides send the registry the same text.
const schema = {
  type: 'record',
  name: 'InteropEvent',
  namespace: 'dev.seskafka.interop',
  fields: [
    { name: 'messageId', type: 'string' },
    { name: 'eventType', type: { type: 'enum', name: 'EventType', symbols: ['Send', 'Delivery', 'Bounce'] } },
    { name: 'eventTime', type: 'long' },
    { name: 'attempt', type: 'int' },
    { name: 'score', type: 'double' },
    { name: 'suppressed', type: 'boolean' },
    { name: 'subType', type: ['null', 'string'], default: null },
    { name: 'recipients', type: { type: 'array', items: 'string' } },
    { name: 'tags', type: { type: 'map', values: { type: 'array', items: 'string' } } },
    {
      name: 'metadata',
      type: {
        type: 'record',
        name: 'Metadata',
        fields: [
          { name: 'status', type: 'string' },
          { name: 'tenant', type: ['null', 'string'], default: null },
        ],
      },
    },
  ],
};

const ours = [
  {
    messageId: 'msg-0001',
    eventType: 'Delivery',
    eventTime: 1_767_225_600_123,
    attempt: 1,
    score: 0.5,
    suppressed: false,
    subType: null,
    recipients: ['r1', 'r2'],
    tags: { campaign: ['spring', 'b'] },
    metadata: { status: 'FOUND', tenant: 't-1' },
  },
  {
    messageId: 'msg-0002',
    eventType: 'Bounce',
    eventTime: 1_767_225_699_000,
    attempt: 3,
    score: -2.25,
    suppressed: true,
    subType: 'OnAccountSuppressionList',
    recipients: [],
    tags: {},
    metadata: { status: 'NOT_FOUND', tenant: null },
  },
];

/** The same records in Avro's JSON encoding (unions wrapped), as the Java side reads its input. */
function avroJson(record: (typeof ours)[number]): string {
  const wrap = (value: string | null) => (value === null ? null : { string: value });
  return JSON.stringify({
    ...record,
    subType: wrap(record.subType),
    metadata: { ...record.metadata, tenant: wrap(record.metadata.tenant) },
  });
}

describe('interop: AWS Glue Schema Registry Java serde (software.amazon.glue:schema-registry-serde)', function () {
  after(deleteScratchRegistries);
  this.timeout(600_000);
  let classpath: string;
  before(async () => {
    await requireRegistries();
    classpath = await javaHarnessClasspath();
  });

  it('decodes what our Glue serializer wrote (plain and zlib), and we decode what it wrote', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'glue-interop-'));
    const registryName = scratchRegistryName('interop');
    const topic = uniqueName('interop-topic');
    const base = { registry: localGlue(), registryName, schemaName: topic, autoRegister: true };
    const plainSerializer = new GlueSerializer(base);
    const zlibSerializer = new GlueSerializer({ ...base, compression: 'zlib' });

    mkdirSync(path.join(work, 'decode'));
    mkdirSync(path.join(work, 'encode'));
    const written: Record<string, unknown> = {};
    for (const [index, record] of ours.entries()) {
      const plainBytes = (await plainSerializer.encode(record, schema)).bytes;
      const zlibBytes = (await zlibSerializer.encode(record, schema)).bytes;
      writeFileSync(path.join(work, 'decode', `ours-${index}.bin`), plainBytes);
      writeFileSync(path.join(work, 'decode', `ours-${index}-zlib.bin`), zlibBytes);
      written[`ours-${index}`] = record;
      written[`ours-${index}-zlib`] = record;
      writeFileSync(path.join(work, 'encode', `theirs-${index}.json`), avroJson(record));
    }
    writeFileSync(path.join(work, 'encode', 'schema.avsc'), JSON.stringify(schema));
    writeFileSync(
      path.join(work, 'config.properties'),
      [
        `endpoint=${endpoints.glueEndpoint}`,
        `region=${LOCAL_AWS_REGION}`,
        `registry=${registryName}`,
        `schemaName=${topic}`,
        `topic=${topic}`,
        'compression=ZLIB',
      ].join('\n'),
    );

    const { stdout } = await execFileAsync(
      'java',
      ['-cp', classpath, 'dev.seskafka.interop.GlueInterop', work],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
          AWS_REGION: LOCAL_AWS_REGION,
        },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 300_000,
      },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`Java harness failed: ${error.message}\n${(error.stderr ?? '').slice(-4000)}`);
    });
    assert.match(stdout, new RegExp(`decoded=${ours.length * 2} encoded=${ours.length}`));

    // Direction 1: the AWS deserializer read our bytes back to the same records.
    for (const [name, record] of Object.entries(written)) {
      const decodedByJava = JSON.parse(readFileSync(path.join(work, 'decode', `${name}.json`), 'utf8'));
      assert.deepEqual(decodedByJava, record, `${name}: AWS deserializer disagrees`);
    }

    // Direction 2: our decoder reads what the AWS serializer wrote (ZLIB-compressed, version it registered).
    const decoder = new AvroDecoder({ glue: localGlue() });
    for (const [index, record] of ours.entries()) {
      const bytes = readFileSync(path.join(work, 'encode', `theirs-${index}.bin`));
      assert.equal(parseGlueFrame(bytes).compression, 'zlib');
      const decoded = await decoder.decode(bytes);
      assert.equal(decoded.schemaRef.format, 'glue');
      assert.deepEqual(plain(decoded.value), record, `theirs-${index}: our decoder disagrees`);
    }
  });
});
