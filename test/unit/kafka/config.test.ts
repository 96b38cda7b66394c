import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ENV_VAR_ALIASES } from '../../../src/config/env-vars.ts';
import { ConfigError } from '../../../src/errors.ts';
import { KAFKA_AUTH_MODES, loadKafkaSettings } from '../../../src/kafka/config.ts';

const BASE = { SES_KAFKA_BROKERS: 'b-1.example:9092', SES_KAFKA_TOPIC: 'ses-events' } as const;

function configError(env: Record<string, string>): ConfigError {
  try {
    loadKafkaSettings(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('kafka settings from env', () => {
  it("honours the predecessor's name for the brokers", () => {
    assert.equal(ENV_VAR_ALIASES.bootstrap_server, 'SES_KAFKA_BROKERS');
    assert.deepEqual(loadKafkaSettings({ bootstrap_server: 'old:9092', SES_KAFKA_TOPIC: 't' }).brokers, [
      'old:9092',
    ]);
  });

  it('fills defaults around the two required variables', () => {
    const settings = loadKafkaSettings({ ...BASE });
    assert.deepEqual(settings.brokers, ['b-1.example:9092']);
    assert.equal(settings.topic, 'ses-events');
    assert.equal(settings.dlqTopic, 'ses-events.dlq');
    assert.equal(settings.clientId, 'ses-kafka-producer');
    assert.deepEqual(settings.auth, { mode: 'none' });
    assert.deepEqual(settings.tls, { enabled: false });
    assert.equal(settings.sendTimeoutMs, 10_000);
  });

  it('splits and trims a broker list', () => {
    const settings = loadKafkaSettings({ ...BASE, SES_KAFKA_BROKERS: ' a.example:9096 , b.example:9096,' });
    assert.deepEqual(settings.brokers, ['a.example:9096', 'b.example:9096']);
  });

  it("accepts the predecessor's bootstrap_server as the broker list", () => {
    const settings = loadKafkaSettings({ bootstrap_server: 'old.example:9098', SES_KAFKA_TOPIC: 't' });
    assert.deepEqual(settings.brokers, ['old.example:9098']);
  });

  it('refuses bootstrap_server and SES_KAFKA_BROKERS that disagree', () => {
    const error = configError({ ...BASE, bootstrap_server: 'other.example:9092' });
    assert.equal(error.key, 'SES_KAFKA_BROKERS');
    assert.match(error.message, /bootstrap_server/);
  });

  it('names the alias when the alias holds the bad value', () => {
    const error = configError({ bootstrap_server: 'no-port', SES_KAFKA_TOPIC: 't' });
    assert.equal(error.key, 'bootstrap_server');
    assert.match(error.message, /host:port/);
  });

  it('requires brokers and topic', () => {
    assert.equal(configError({ SES_KAFKA_TOPIC: 't' }).key, 'SES_KAFKA_BROKERS');
    assert.equal(configError({ SES_KAFKA_BROKERS: 'a:1' }).key, 'SES_KAFKA_TOPIC');
  });

  for (const [name, value, pattern] of [
    ['SES_KAFKA_BROKERS', 'host:99999', /between 1 and 65535/],
    ['SES_KAFKA_TOPIC', 'bad topic!', /letters, digits/],
    ['SES_KAFKA_DLQ_TOPIC', 'ses-events', /must differ/],
    ['SES_KAFKA_TLS', 'yes', /true or false/],
    ['SES_KAFKA_SEND_TIMEOUT_MS', 'soon', /whole number/],
    ['SES_KAFKA_SEND_TIMEOUT_MS', '5', /from 100 to 900000/],
    ['SES_KAFKA_CONNECTION_TIMEOUT_MS', '1.5', /whole number/],
  ] as const) {
    it(`rejects ${name}=${value} naming the variable`, () => {
      const error = configError({ ...BASE, [name]: value });
      assert.equal(error.key, name);
      assert.match(error.message, pattern);
      assert.ok(error.message.startsWith(`${name}:`));
    });
  }

  it('lists the allowed auth modes when SES_KAFKA_AUTH is unknown', () => {
    const error = configError({ ...BASE, SES_KAFKA_AUTH: 'kerberos' });
    assert.equal(error.key, 'SES_KAFKA_AUTH');
    for (const mode of KAFKA_AUTH_MODES) assert.ok(error.message.includes(mode), `${mode} missing`);
    assert.match(error.message, /got "kerberos"/);
  });

  for (const mode of ['scram-sha-512', 'scram-sha-256', 'plain'] as const) {
    it(`reads username and password for ${mode} and requires both`, () => {
      const settings = loadKafkaSettings({
        ...BASE,
        SES_KAFKA_AUTH: mode,
        SES_KAFKA_USERNAME: 'svc',
        SES_KAFKA_PASSWORD: 'pw-123',
      });
      assert.equal(settings.auth.mode, mode);
      assert.ok('password' in settings.auth);
      assert.equal(settings.auth.username, 'svc');
      assert.equal(settings.auth.password.reveal(), 'pw-123');
      assert.equal(
        configError({ ...BASE, SES_KAFKA_AUTH: mode, SES_KAFKA_PASSWORD: 'x' }).key,
        'SES_KAFKA_USERNAME',
      );
      assert.equal(
        configError({ ...BASE, SES_KAFKA_AUTH: mode, SES_KAFKA_USERNAME: 'x' }).key,
        'SES_KAFKA_PASSWORD',
      );
    });
  }

  it('keeps the password out of logs, JSON and string conversion', () => {
    const settings = loadKafkaSettings({
      ...BASE,
      SES_KAFKA_AUTH: 'scram-sha-512',
      SES_KAFKA_USERNAME: 'svc',
      SES_KAFKA_PASSWORD: 'hunter2-secret',
    });
    for (const rendered of [
      JSON.stringify(settings),
      inspect(settings, { depth: 10 }),
      `${JSON.stringify(settings.auth)}`,
    ]) {
      assert.ok(!rendered.includes('hunter2-secret'), rendered);
    }
    assert.ok(!String('password' in settings.auth ? settings.auth.password : '').includes('hunter2'));
  });

  it('rejects a username left over when auth does not use it', () => {
    const error = configError({ ...BASE, SES_KAFKA_USERNAME: 'svc' });
    assert.equal(error.key, 'SES_KAFKA_USERNAME');
    assert.match(error.message, /SES_KAFKA_AUTH=none/);
  });

  it('never echoes a password in an error', () => {
    const error = configError({ ...BASE, SES_KAFKA_AUTH: 'none', SES_KAFKA_PASSWORD: 'hunter2-secret' });
    assert.equal(error.key, 'SES_KAFKA_PASSWORD');
    assert.ok(!error.message.includes('hunter2'));
  });

  describe('msk-iam', () => {
    it('turns TLS on and reads the region, falling back to AWS_REGION', () => {
      const settings = loadKafkaSettings({ ...BASE, SES_KAFKA_AUTH: 'msk-iam', AWS_REGION: 'eu-west-1' });
      assert.deepEqual(settings.auth, { mode: 'msk-iam', region: 'eu-west-1' });
      assert.deepEqual(settings.tls, { enabled: true });
      const own = loadKafkaSettings({
        ...BASE,
        SES_KAFKA_AUTH: 'msk-iam',
        SES_KAFKA_AWS_REGION: 'us-west-2',
        AWS_REGION: 'eu-west-1',
      });
      assert.deepEqual(own.auth, { mode: 'msk-iam', region: 'us-west-2' });
    });

    it('requires a region and refuses TLS=false', () => {
      assert.equal(configError({ ...BASE, SES_KAFKA_AUTH: 'msk-iam' }).key, 'SES_KAFKA_AWS_REGION');
      const noTls = configError({
        ...BASE,
        SES_KAFKA_AUTH: 'msk-iam',
        AWS_REGION: 'us-east-1',
        SES_KAFKA_TLS: 'false',
      });
      assert.equal(noTls.key, 'SES_KAFKA_TLS');
      assert.match(noTls.message, /only works over TLS/);
    });

    it('names the fallback variable when it holds a bad region', () => {
      const error = configError({ ...BASE, SES_KAFKA_AUTH: 'msk-iam', AWS_REGION: 'Mars' });
      assert.equal(error.key, 'AWS_REGION');
    });
  });

  describe('TLS CA bundle', () => {
    it('reads the CA file when TLS is on', () => {
      const dir = mkdtempSync(join(tmpdir(), 'kafka-ca-'));
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
      const settings = loadKafkaSettings({ ...BASE, SES_KAFKA_TLS: 'true', SES_KAFKA_TLS_CA_FILE: caFile });
      assert.ok(settings.tls.enabled);
      assert.equal(settings.tls.caFile, caFile);
      assert.match(settings.tls.ca ?? '', /BEGIN CERTIFICATE/);
    });

    it('reports an unreadable CA file and a CA file without TLS', () => {
      const missing = configError({
        ...BASE,
        SES_KAFKA_TLS: 'true',
        SES_KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem',
      });
      assert.equal(missing.key, 'SES_KAFKA_TLS_CA_FILE');
      assert.match(missing.message, /ENOENT/);
      const withoutTls = configError({ ...BASE, SES_KAFKA_TLS_CA_FILE: '/tmp/ca.pem' });
      assert.equal(withoutTls.key, 'SES_KAFKA_TLS_CA_FILE');
    });
  });
});
