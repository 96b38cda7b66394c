import assert from 'node:assert/strict';
import { ALLOWED_TOPICS_ENV, resolveServeSettings } from '../../../src/cli/serve.ts';
import { ConfigError } from '../../../src/errors.ts';

const A = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const B = 'arn:aws-cn:sns:cn-north-1:123456789012:ses-events-cn';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('http: serve settings', () => {
  it('takes topics from repeated --topic-arn, with defaults for the rest', () => {
    const settings = resolveServeSettings({ topicArn: [A, B] }, {});
    assert.deepEqual(settings, {
      allowedTopicArns: [A, B],
      host: '0.0.0.0',
      port: 8080,
      maxBodyBytes: 262144,
      maxMessageAgeMs: 3_600_000,
      requestTimeoutMs: 30_000,
    });
  });

  it('falls back to the comma-separated env list, and flags win over it', () => {
    const env = { [ALLOWED_TOPICS_ENV]: ` ${A} ,, ${B} ` };
    assert.deepEqual(resolveServeSettings({}, env).allowedTopicArns, [A, B]);
    assert.deepEqual(resolveServeSettings({ topicArn: [B] }, env).allowedTopicArns, [B]);
  });

  it('refuses to start with no allowed topic, naming the flag and the env var', () => {
    const unset = configError(() => resolveServeSettings({}, {}));
    assert.equal(unset.key, '--topic-arn');
    assert.match(unset.message, new RegExp(ALLOWED_TOPICS_ENV));
    // An empty list in the variable is named as the variable, where the value came from.
    const empty = configError(() => resolveServeSettings({}, { [ALLOWED_TOPICS_ENV]: ' , ' }));
    assert.equal(empty.key, ALLOWED_TOPICS_ENV);
  });

  it('names the source of a malformed topic ARN', () => {
    assert.equal(
      configError(() => resolveServeSettings({ topicArn: ['ses-events'] }, {})).key,
      '--topic-arn',
    );
    const fromEnv = configError(() =>
      resolveServeSettings({}, { [ALLOWED_TOPICS_ENV]: 'arn:aws:sqs:us-east-1:1:q' }),
    );
    assert.equal(fromEnv.key, ALLOWED_TOPICS_ENV);
  });

  it('parses --port, PORT, --max-body and --host, and names a bad value', () => {
    const settings = resolveServeSettings(
      { topicArn: [A], port: '0', host: '127.0.0.1', maxBody: '1024' },
      {},
    );
    assert.equal(settings.port, 0);
    assert.equal(settings.host, '127.0.0.1');
    assert.equal(settings.maxBodyBytes, 1024);
    assert.equal(resolveServeSettings({ topicArn: [A] }, { PORT: '9000' }).port, 9000);
    assert.equal(configError(() => resolveServeSettings({ topicArn: [A], port: '70000' }, {})).key, '--port');
    assert.equal(configError(() => resolveServeSettings({ topicArn: [A] }, { PORT: 'x' })).key, 'PORT');
    assert.equal(
      configError(() => resolveServeSettings({ topicArn: [A], maxBody: '0' }, {})).key,
      '--max-body',
    );
    assert.equal(
      configError(() => resolveServeSettings({ topicArn: [A], maxBody: '1.5' }, {})).key,
      '--max-body',
    );
  });

  it('needs --tls-cert and --tls-key together and reads both', () => {
    assert.equal(
      configError(() => resolveServeSettings({ topicArn: [A], tlsCert: 'c.pem' }, {})).key,
      '--tls-key',
    );
    const files: Record<string, string> = { 'c.pem': 'CERT', 'k.pem': 'KEY' };
    const settings = resolveServeSettings(
      { topicArn: [A], tlsCert: 'c.pem', tlsKey: 'k.pem' },
      {},
      (path) => {
        const text = files[path];
        if (text === undefined) throw new Error('ENOENT');
        return Buffer.from(text);
      },
    );
    assert.equal(settings.tls?.cert.toString(), 'CERT');
    assert.equal(settings.tls?.key.toString(), 'KEY');
    const missing = configError(() =>
      resolveServeSettings({ topicArn: [A], tlsCert: 'c.pem', tlsKey: 'nope.pem' }, {}, (path) => {
        if (path === 'nope.pem') throw new Error('ENOENT');
        return Buffer.from('CERT');
      }),
    );
    assert.equal(missing.key, '--tls-key');
  });

  it('never takes the test-only trust setting from the environment', () => {
    const settings = resolveServeSettings({ topicArn: [A] }, { SES_KAFKA_TEST_ONLY_TRUST: '127.0.0.1:1' });
    assert.equal('testOnlyTrust' in settings, false);
  });
});
