/**
 * Threat: secrets in plain environment variables. The SCRAM password, the registry credentials and the
 * HMAC key may be given as Secrets Manager or SSM SecureString ARNs, resolved once at start-up. Against
 * moto (the local stack's AWS emulation, which serves both Secrets Manager and SSM), and end to end:
 * `ses-kafka replay` as its own process, with the Kafka SCRAM password and the HMAC key given as ARNs,
 * produces to the SCRAM listener; the values never appear in its output.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../../src/errors.ts';
import {
  fetchSecretFromAws,
  forgetResolvedSecrets,
  parseSecretReference,
  resolveSecretReferences,
  type SecretReference,
} from '../../src/secrets/secret-references.ts';
import {
  LOCAL_AWS_CREDENTIALS,
  SCRAM_PASSWORD,
  SCRAM_USER,
  stackEndpoints,
} from '../../src/stack/endpoints.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';
import { createTopics, topicRecordCount, uniqueName } from '../support/pipeline.ts';
import { fixtureText } from '../unit/ses/helpers.ts';

const endpoints = stackEndpoints();
const REGION = 'us-east-1';
const awsEnv = {
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.glueEndpoint,
  AWS_ENDPOINT_URL_SSM: endpoints.glueEndpoint,
};
const clientConfig = { region: REGION, endpoint: endpoints.glueEndpoint, credentials: LOCAL_AWS_CREDENTIALS };
const HMAC_KEY = 'hmac-key-from-ssm-0123456789abcdef-x';

describe('security: secrets given as Secrets Manager / SSM ARNs (moto)', function () {
  this.timeout(120_000);
  const secrets = new SecretsManagerClient(clientConfig);
  const ssm = new SSMClient(clientConfig);
  const names = {
    password: uniqueName('scram'),
    registry: uniqueName('registry'),
    hmac: `/${uniqueName('hmac')}`,
  };
  let passwordArn: string;
  let registryArn: string;
  let hmacArn: string;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    passwordArn = (
      await secrets.send(new CreateSecretCommand({ Name: names.password, SecretString: SCRAM_PASSWORD }))
    ).ARN as string;
    registryArn = (
      await secrets.send(
        new CreateSecretCommand({
          Name: names.registry,
          SecretString: JSON.stringify({ username: 'registry-user', password: 'registry-pass-123' }),
        }),
      )
    ).ARN as string;
    await ssm.send(new PutParameterCommand({ Name: names.hmac, Value: HMAC_KEY, Type: 'SecureString' }));
    hmacArn = `arn:aws:ssm:${REGION}:123456789012:parameter${names.hmac}`;
    // The SDK reads the endpoint and credentials from the environment, as it would in Lambda.
    for (const [name, value] of Object.entries(awsEnv)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    forgetResolvedSecrets();
  });
  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await secrets.send(
      new DeleteSecretCommand({ SecretId: names.password, ForceDeleteWithoutRecovery: true }),
    );
    await secrets.send(
      new DeleteSecretCommand({ SecretId: names.registry, ForceDeleteWithoutRecovery: true }),
    );
    await ssm.send(new DeleteParameterCommand({ Name: names.hmac }));
    secrets.destroy();
    ssm.destroy();
  });

  it('recognises Secrets Manager and SSM parameter ARNs, and nothing else', () => {
    assert.equal(parseSecretReference(passwordArn)?.service, 'secretsmanager');
    assert.equal(parseSecretReference(`${registryArn}#password`)?.jsonKey, 'password');
    assert.equal(parseSecretReference(hmacArn)?.service, 'ssm');
    for (const other of [
      'arn:aws:sns:us-east-1:123456789012:topic',
      'plain-password',
      'arn:aws:s3:::bucket',
    ]) {
      assert.equal(parseSecretReference(other), undefined, other);
    }
  });

  it('resolves each reference once, keeps plain values, and picks a JSON key', async () => {
    const env = {
      SES_KAFKA_PASSWORD: passwordArn,
      SES_KAFKA_REGISTRY_USERNAME: `${registryArn}#username`,
      SES_KAFKA_REGISTRY_PASSWORD: `${registryArn}#password`,
      SES_KAFKA_HMAC_KEY: hmacArn,
      SES_KAFKA_TOPIC: 'plain-value',
    };
    let fetches = 0;
    const counting = (reference: SecretReference) => {
      fetches++;
      return fetchSecretFromAws(reference);
    };
    forgetResolvedSecrets();
    const resolved = await resolveSecretReferences(env, counting);
    assert.deepEqual(resolved, {
      SES_KAFKA_PASSWORD: SCRAM_PASSWORD,
      SES_KAFKA_REGISTRY_USERNAME: 'registry-user',
      SES_KAFKA_REGISTRY_PASSWORD: 'registry-pass-123',
      SES_KAFKA_HMAC_KEY: HMAC_KEY,
      SES_KAFKA_TOPIC: 'plain-value',
    });
    // The registry secret is fetched once per JSON key it is read with; the rest once each.
    assert.equal(fetches, 4);
    // Cached for the life of the process: resolving again fetches nothing.
    const again = await resolveSecretReferences(env, async () => assert.fail('fetched again'));
    assert.equal(again.SES_KAFKA_HMAC_KEY, HMAC_KEY);
    forgetResolvedSecrets();
  });

  it('names the variable, the ARN and the permission when a secret cannot be read, never a value', async () => {
    const missing = passwordArn.replace(names.password, `${names.password}-missing`);
    await assert.rejects(resolveSecretReferences({ SES_KAFKA_PASSWORD: missing }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^SES_KAFKA_PASSWORD: cannot read arn:aws:secretsmanager:/);
      assert.match(error.message, /may secretsmanager:GetSecretValue on it$/);
      return true;
    });
  });

  it('`ses-kafka replay` produces over SCRAM with the password and the HMAC key given as ARNs', async () => {
    const topic = uniqueName('sec-secrets');
    const dlqTopic = uniqueName('sec-secrets-dlq');
    await createTopics([topic, dlqTopic]);
    const input = path.join(tmpdir(), `${topic}.json`);
    writeFileSync(input, fixtureText('event-publishing/bounce.json'));
    const result = spawnSync(
      process.execPath,
      [
        'bin/ses-kafka.js',
        'replay',
        '--local',
        '--transforms',
        'schemas/transforms.example.properties',
        input,
      ],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 90_000,
        env: {
          ...process.env,
          ...awsEnv,
          SES_KAFKA_TOPIC: topic,
          SES_KAFKA_DLQ_TOPIC: dlqTopic,
          SES_KAFKA_BROKERS: endpoints.kafkaScramBrokers,
          SES_KAFKA_AUTH: 'scram-sha-512',
          SES_KAFKA_USERNAME: SCRAM_USER,
          SES_KAFKA_PASSWORD: passwordArn,
          SES_KAFKA_HMAC_KEY: hmacArn,
          SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
          SES_KAFKA_METADATA_ENABLED: 'false',
        },
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.status, 0, output);
    assert.equal(await topicRecordCount(topic, endpoints.kafkaBrokers), 1);
    assert.equal(output.includes(SCRAM_PASSWORD), false, 'the SCRAM password was printed');
    assert.equal(output.includes(HMAC_KEY), false, 'the HMAC key was printed');
  });
});
