import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registrationFromSettings } from '../../../src/registration/from-settings.ts';
import { schemaText } from '../../../src/serde/schema-text.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';

/** `ses-kafka transform` as a person runs it: a process, JSON lines on stdin. */
function cli(args: string[], input: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const BOUNCE = path.join(REPO_ROOT, 'test/fixtures/ses/event-publishing/bounce.json');
const EXAMPLE_CHAIN = path.join(REPO_ROOT, 'schemas/transforms.example.properties');
const KEY = { SES_KAFKA_HMAC_KEY: 'transform-cli-test-key-0123456789abcdef' };

describe('ses-kafka transform', function () {
  this.timeout(60_000);

  it('takes what `parse` prints: parse | transform gives the record the pipeline would build, transformed', () => {
    const parsed = cli(['parse', BOUNCE], '');
    assert.equal(parsed.status, 0, parsed.stderr);
    const transformed = cli(['transform', '--transforms', EXAMPLE_CHAIN], parsed.stdout, KEY);
    assert.equal(transformed.status, 0, transformed.stderr);
    const [line] = transformed.stdout.trim().split('\n');
    // biome-ignore lint/suspicious/noExplicitAny: the printed record is untyped JSON
    const record = JSON.parse(line as string) as { key: string; value: Record<string, any> };
    assert.equal(record.value.eventType, 'Bounce');
    assert.equal(record.value.pipeline, 'ses-kafka-producer', 'the InsertField of the example chain ran');
    assert.notEqual(record.value.metadata, null);
    assert.equal(record.value.metadata.status, 'SKIPPED');
    const [recipient] = record.value.mail.destination as string[];
    assert.doesNotMatch(recipient as string, /nobody/, 'recipients are hashed');
    assert.match(recipient as string, /^[0-9a-f]{64}@example\.net$/, 'keep.domain keeps the domain');
    assert.equal(record.key, JSON.parse(parsed.stdout).mail.messageId);
  });

  it('refuses a record that does not match the input schema, naming the path, with exit 1', () => {
    const result = cli(['transform'], `${JSON.stringify({ value: { eventId: 42 } })}\n`);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /line 1: the value does not match the input schema io\.seskafka\.SesEmailEvent at eventId \(expected string\)/,
    );
    assert.equal(result.stdout, '');
  });

  it('prints the output schema that register-schemas registers for the same settings', async () => {
    const printed = cli(['transform', '--transforms', EXAMPLE_CHAIN, '--print-schema'], '', KEY);
    assert.equal(printed.status, 0, printed.stderr);
    const registered = await registrationFromSettings({
      SES_KAFKA_REGISTRY_URL: 'http://127.0.0.1:1/unused',
      SES_KAFKA_TRANSFORMS_FILE: EXAMPLE_CHAIN,
    });
    assert.equal(schemaText(JSON.parse(printed.stdout) as object), schemaText(registered.schema));
  });
});

describe('ses-kafka transform CLI on a chain of its own', function () {
  this.timeout(60_000);
  const config = 'test/unit/transforms/fixtures/cli-chain.properties';
  const schema = 'test/unit/transforms/fixtures/cli-value.avsc';

  it('prints the output schema', () => {
    const printed = JSON.parse(
      execFileSync(
        'npx',
        ['tsx', 'src/cli/main.ts', 'transform', '--transforms', config, '--schema', schema, '--print-schema'],
        { encoding: 'utf8' },
      ),
    );
    assert.deepEqual(
      printed.fields.map((field: { name: string }) => field.name),
      ['id', 'blob', 'when', 'source'],
    );
  });

  it('transforms JSON lines, omits filtered records and keeps bytes as base64', () => {
    const input = [
      JSON.stringify({
        topic: 'in',
        key: 'k1',
        value: { id: 'a', blob: Buffer.from('hi').toString('base64'), when: 5, drop: 'x' },
        timestamp: 9,
      }),
      JSON.stringify({
        topic: 'skip-me',
        key: 'k2',
        value: { id: 'b', blob: null, when: 6, drop: 'y' },
        headers: { h: '1' },
        timestamp: 10,
      }),
      '',
    ].join('\n');
    const output = execFileSync(
      'npx',
      ['tsx', 'src/cli/main.ts', 'transform', '--transforms', config, '--schema', schema],
      {
        input,
        encoding: 'utf8',
      },
    );
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(lines, [
      {
        topic: 'in',
        key: 'k1',
        value: { id: 'a', blob: 'aGk=', when: 5, source: 'cli' },
        headers: [],
        timestamp: 9,
      },
    ]);
  });
});

describe('ses-kafka transform CLI with longs beyond 2^53', function () {
  this.timeout(60_000);

  it('keeps them exact: written and read as strings of digits', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'transform-cli-long-'));
    const schema = path.join(dir, 'value.avsc');
    const config = path.join(dir, 'chain.properties');
    writeFileSync(
      schema,
      JSON.stringify({
        type: 'record',
        name: 'Big',
        fields: [
          { name: 'text', type: 'string' },
          { name: 'n', type: 'long' },
        ],
      }),
    );
    writeFileSync(
      config,
      'transforms=cast\ntransforms.cast.type=Cast$Value\ntransforms.cast.spec=text:int64,n:string\n',
    );
    const input = `${JSON.stringify({ key: 'k', value: { text: '-9223372036854775808', n: '1234567890123456789' }, timestamp: 1 })}\n`;
    const result = cli(['transform', '--schema', schema], input, { SES_KAFKA_TRANSFORMS_FILE: config });
    assert.equal(result.status, 0, result.stderr);
    const printed = JSON.parse(result.stdout.trim()) as { value: Record<string, unknown> };
    assert.deepEqual(printed.value, { text: '-9223372036854775808', n: '1234567890123456789' });
  });
});
