// biome-ignore-all lint/suspicious/noExplicitAny: fixtures and record values are untyped JSON, read and mutated by path
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FIXTURE_DIR, fixture, fixtureText, sqsLambdaEvent } from '../../unit/ses/helpers.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function runCli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'parse', ...args], {
    cwd: REPO_ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, SES_KAFKA_LOG_PII: 'false' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('ses-kafka parse (CLI)', function () {
  this.timeout(60_000);

  it('prints one canonical event per line for files, exit 0', () => {
    const files = ['event-publishing/bounce.json', 'notification/delivery.json', 'edge/named-source.json'];
    const { status, stdout, stderr } = runCli(files.map((f) => `${FIXTURE_DIR}${f}`));
    assert.equal(stderr, '');
    assert.equal(status, 0);
    const events = lines(stdout).map((line) => JSON.parse(line));
    assert.deepEqual(
      events.map((e) => [e.eventType, e.format, e.mail.messageId]),
      files.map((f) => {
        const json = fixture(f).json as Record<string, any>;
        return [
          json.eventType ?? json.notificationType,
          json.eventType ? 'EVENT_PUBLISHING' : 'NOTIFICATION',
          json.mail.messageId,
        ];
      }),
    );
    assert.equal(events[2].mail.sourceAddress, 'care+replies@example.com');
  });

  it('reads stdin, reports each bad record on stderr, continues, and exits 1', () => {
    const good = fixture('event-publishing/open.json').text;
    const bad = fixtureText('malformed/missing-message-id.json');
    const lambdaEvent = JSON.stringify(sqsLambdaEvent([good, bad, good], true));
    const { status, stdout, stderr } = runCli([], lambdaEvent);
    assert.equal(status, 1);
    assert.equal(lines(stdout).length, 2);
    assert.deepEqual(lines(stderr), [
      'stdin Records[1]: SES_INVALID: mail.messageId: required string missing',
    ]);
  });

  it('keeps going across files after an unparseable one', () => {
    const { status, stdout, stderr } = runCli([
      `${FIXTURE_DIR}malformed/not-json.txt`,
      `${FIXTURE_DIR}event-publishing/send.json`,
    ]);
    assert.equal(status, 1);
    assert.equal(JSON.parse(lines(stdout)[0] as string).eventType, 'Send');
    assert.match(stderr, /not-json\.txt: SES_NOT_JSON: \(root\): not JSON/);
  });

  it('exits 1 (partial) for a missing file and still parses the others', () => {
    const { status, stdout, stderr } = runCli([
      '/nonexistent/ses.json',
      `${FIXTURE_DIR}event-publishing/send.json`,
    ]);
    assert.equal(status, 1);
    assert.equal(lines(stdout).length, 1);
    assert.match(stderr, /\/nonexistent\/ses\.json: cannot read input \(ENOENT/);
  });

  it('reads a folder recursively, as replay does, and says which files it skipped', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parse-folder-'));
    mkdirSync(path.join(dir, 'nested'));
    copyFileSync(`${FIXTURE_DIR}event-publishing/send.json`, path.join(dir, 'nested', 'send.json'));
    copyFileSync(`${FIXTURE_DIR}event-publishing/bounce.json`, path.join(dir, 'bounce.json'));
    // Gzip is read (recognised by its bytes); other extensions are skipped, and said.
    writeFileSync(
      path.join(dir, 'archive.json.gz'),
      gzipSync(readFileSync(`${FIXTURE_DIR}event-publishing/delivery.json`)),
    );
    writeFileSync(path.join(dir, 'notes.txt'), 'not events');
    const { status, stdout, stderr } = runCli([dir]);
    assert.equal(status, 0);
    assert.deepEqual(
      lines(stdout).map((line) => (JSON.parse(line) as { eventType: string }).eventType),
      ['Delivery', 'Bounce', 'Send'],
    );
    assert.match(stderr, /notes\.txt: skipped: "\.txt" is not an input extension/);
  });
});
