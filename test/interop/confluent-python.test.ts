import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfluentSerializer } from '../../src/serde/confluent-serializer.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';
import { endpoints, requireRegistries, uniqueName } from '../integration/serde/support.ts';
import { interopPython } from './prepare.ts';

const execFileAsync = promisify(execFile);
const DECODE_SCRIPT = path.join(REPO_ROOT, 'test/interop/confluent_decode.py');

const v1 = {
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
      type: { type: 'record', name: 'Metadata', fields: [{ name: 'status', type: 'string' }] },
    },
  ],
};
/** A BACKWARD-compatible v2 registered under the same subject: a second schema id for the consumer. */
const v2 = { ...v1, fields: [...v1.fields, { name: 'tenant', type: ['null', 'string'], default: null }] };

const records = [
  {
    schema: v1,
    value: {
      messageId: 'msg-0001',
      eventType: 'Delivery',
      eventTime: 1_767_225_600_123,
      attempt: 1,
      score: 0.5,
      suppressed: false,
      subType: null,
      recipients: ['r1', 'r2'],
      tags: { campaign: ['spring', 'b'] },
      metadata: { status: 'FOUND' },
    },
  },
  {
    schema: v2,
    value: {
      messageId: 'msg-0002',
      eventType: 'Bounce',
      eventTime: 1_767_225_699_000,
      attempt: 3,
      score: -2.25,
      suppressed: true,
      subType: 'OnAccountSuppressionList',
      recipients: [],
      tags: {},
      metadata: { status: 'NOT_FOUND' },
      tenant: 't-9',
    },
  },
];

describe("interop: Python confluent-kafka AvroDeserializer via Apicurio's ccompat API", function () {
  this.timeout(600_000);
  let python: string;
  before(async () => {
    await requireRegistries();
    python = await interopPython();
  });

  it('decodes our Confluent-framed records, each against the schema id in its header', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'confluent-interop-'));
    const topic = uniqueName('interop');
    const serializer = new ConfluentSerializer({ registry: { url: endpoints.registryUrl }, topic });
    const files: string[] = [];
    const ids: string[] = [];
    for (const [index, { schema, value }] of records.entries()) {
      const { bytes, schemaRef } = await serializer.encode(value, schema);
      const file = path.join(work, `record-${index}.bin`);
      writeFileSync(file, bytes);
      files.push(file);
      ids.push(schemaRef.id);
    }
    assert.notEqual(ids[0], ids[1], 'v1 and v2 have different schema ids');

    const { stdout } = await execFileAsync(python, [DECODE_SCRIPT, endpoints.registryUrl, topic, ...files], {
      timeout: 120_000,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`confluent-kafka AvroDeserializer failed: ${error.message}\n${error.stderr ?? ''}`);
    });
    const decoded = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { file: string; value: unknown });
    assert.deepEqual(
      decoded.map((line) => line.file),
      files,
    );
    assert.deepEqual(
      decoded.map((line) => line.value),
      records.map((record) => record.value),
    );
  });
});
