/**
 * Threat: input text reaching a log line or an error message. One redaction function (redactText) for
 * every boundary; these are the forms the previous pattern let through, and the boundaries that used
 * to print input unredacted: serve's answer and log for a malformed body, `ses-kafka transform` stderr,
 * `ses-kafka parse` on hostile nesting, and credentials inside a registry URL.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { splitUrlCredentials } from '../../src/config/pipeline-settings.ts';
import { startServer } from '../../src/http/server.ts';
import { describeJsonSyntaxError, redactText } from '../../src/observability/redact.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';
import { recordingLogger } from '../unit/http/support/sns-fixtures.ts';
import { fixtureText } from '../unit/ses/helpers.ts';

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['bin/ses-kafka.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, SES_KAFKA_LOG_PII: '' },
  });

describe('security: one redaction function at every boundary', function () {
  this.timeout(90_000);

  describe('redactText', () => {
    const cases: [string, string][] = [
      ['bounced for jane.doe@example.com today', 'bounced for <redacted> today'],
      ['"john smith"@example.org is unknown', '<redacted> is unknown'],
      ['to: "Doe, Jane" <jane@example.com>, bob@example.org', 'to: <redacted>, <redacted>'],
      ['mail.source: "Jane Doe <jane@example.com>" is bad', 'mail.source: "<redacted>" is bad'],
      ['=?UTF-8?B?SsO8cmdlbg==?= <j@example.de>', '<redacted>'],
      ['cut short by an excerpt: john.doe@', 'cut short by an excerpt: <redacted>'],
      ['https://user:s3cret@registry.example.com/apis', 'https://<redacted>@registry.example.com/apis'],
      [
        'transforms.hash (HashField) failed: no field "x"',
        'transforms.hash (HashField) failed: no field "x"',
      ],
    ];
    for (const [input, expected] of cases) {
      it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
        assert.equal(redactText(input, {}), expected);
      });
    }

    it('leaves addresses in when PII logging is switched on, but never URL credentials', () => {
      const on = { SES_KAFKA_LOG_PII: 'true' };
      assert.equal(redactText('jane@example.com', on), 'jane@example.com');
      assert.equal(redactText('https://u:p@h.example.com', on), 'https://<redacted>@h.example.com');
    });

    it('drops the input excerpt V8 quotes into a JSON.parse error, where no pattern can find a cut address', () => {
      for (const text of ['{"source": "john.do', '{"source": "John Doe <jo', 'not json john@x']) {
        let message = '';
        try {
          JSON.parse(text);
        } catch (error) {
          message = describeJsonSyntaxError(error);
        }
        assert.ok(message.length > 0);
        for (const fragment of ['john', 'John', 'Doe'])
          assert.equal(message.includes(fragment), false, message);
      }
    });
  });

  it('serve: a malformed body gets 400 with a reason and a log line that quote no input', async () => {
    const log = recordingLogger();
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:t'],
      logger: log,
      handleNotification: async () => 'ok',
    });
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        body: '{"Type": "Notification", "source": john.doe@example.com, "name": "John Doe <jd@x.com>"',
      });
      const body = (await response.json()) as { reason: string };
      assert.equal(response.status, 400);
      assert.match(body.reason, /^body: not valid JSON/);
      const everything = JSON.stringify(body) + JSON.stringify(log.lines);
      for (const fragment of ['john', 'John', 'jd@'])
        assert.equal(everything.includes(fragment), false, everything);
    } finally {
      await server.close();
    }
  });

  it('`ses-kafka transform`: stderr names the line and the problem, never the address', () => {
    const config = path.join(tmpdir(), `redaction-${process.pid}.properties`);
    writeFileSync(config, 'transforms=\n');
    const lines = [
      '{"value": {"eventId": "x", "source": jane.doe@example.com}',
      '{"value": null, "headers": 7, "note": "John Doe <john@example.com>"}',
    ].join('\n');
    const result = cli(['transform', '--config', config], `${lines}\n`);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /^line 1: not JSON/m);
    for (const fragment of ['jane', 'john', 'John']) {
      assert.equal(result.stderr.includes(fragment), false, result.stderr);
    }
  });

  it('`ses-kafka parse`: a record nested 200,000 levels deep fails on its own; the others are printed', () => {
    const deep = `${'{"x":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
    const event = (id: string, extra = '') =>
      fixtureText('event-publishing/delivery.json')
        .replace(/"messageId": "[^"]+"/, `"messageId": "${id}"`)
        .replace(/\s*\n\s*/g, '')
        .replace(/}$/, `${extra}}`);
    const input = [event('first'), event('deep', `,"unknownDeep":${deep}`), event('last')].join('\n');
    const result = cli(['parse'], `${input}\n`);
    assert.equal(result.status, 1, result.stderr);
    const printed = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).mail.messageId);
    assert.deepEqual(printed, ['first', 'last']);
    assert.match(result.stderr, /^stdin line 2: SES_TOO_DEEP: /m);
    assert.doesNotMatch(result.stderr, /RangeError|at .*\.ts:\d+/);
  });

  it('`ses-kafka register-schemas` with credentials in the registry URL never prints them', () => {
    const result = cli([
      'register-schemas',
      '--registry',
      'confluent',
      '--registry-url',
      'http://ci-user:Sup3rSecret@127.0.0.1:9/apis/ccompat/v7',
      '--topic',
      't',
    ]);
    assert.equal(result.status, 3, 'a registry that cannot be reached is exit 3');
    assert.match(result.stderr, /REGISTRY_UNREACHABLE: .* at http:\/\/127\.0\.0\.1:9\/apis\/ccompat\/v7 /);
    for (const secret of ['Sup3rSecret', 'ci-user']) {
      assert.equal(`${result.stdout}${result.stderr}`.includes(secret), false);
    }
  });

  it('a registry URL with credentials is split: the URL named in messages carries none', () => {
    const split = splitUrlCredentials('https://ci-user:p%40ss@registry.example.com/apis/ccompat/v7');
    assert.deepEqual(split, {
      url: 'https://registry.example.com/apis/ccompat/v7',
      auth: { username: 'ci-user', password: 'p@ss' },
    });
  });
});
