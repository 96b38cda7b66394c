import assert from 'node:assert/strict';
import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  TimeoutError,
  UserError,
} from '@platformatic/kafka';
import { Partitioners } from 'kafkajs';
import type { ClientSettings } from '../../../src/kafka/client.ts';
import { PRODUCE_ERROR_CODES } from '../../../src/kafka/errors.ts';
import {
  platformaticProducerOptions,
  toPlatformaticProduceError,
} from '../../../src/kafka/platformatic-producer.ts';
import { Secret } from '../../../src/kafka/secret.ts';

const SETTINGS: ClientSettings = {
  brokers: ['b-1.example:9098', 'b-2.example:9098'],
  topic: 'events',
  dlqTopic: 'events.dlq',
  clientId: 'unit',
  auth: { mode: 'none' },
  tls: { enabled: false },
  sendTimeoutMs: 7_000,
  connectionTimeoutMs: 1_500,
};

/** How the client wraps a broker's error code in a produce failure: a response error in a multiple error. */
function brokerFailure(id: string): Error {
  const codes: Record<string, number> = {
    MESSAGE_TOO_LARGE: 10,
    TOPIC_AUTHORIZATION_FAILED: 29,
    OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
    NOT_LEADER_OR_FOLLOWER: 6,
    UNSUPPORTED_VERSION: 35,
  };
  const response = new ResponseError(0, 9, { '/responses/0/partitions/0': [codes[id] as number, null] }, {});
  return new MultipleErrors('Producing messages failed.', [response]);
}

describe('@platformatic/kafka adapter: options and errors', () => {
  it('asks for an idempotent producer with acks=all, bounded retries, no topic creation and our timeouts', () => {
    const options = platformaticProducerOptions(SETTINGS);
    assert.equal(options.idempotent, true);
    assert.equal(options.acks, -1);
    assert.equal(options.retries, 5, 'with idempotence and no number the client would retry forever');
    assert.equal(options.autocreateTopics, false);
    assert.equal(options.timeout, 7_000);
    assert.equal(options.connectTimeout, 1_500);
    assert.deepEqual(options.bootstrapBrokers, SETTINGS.brokers);
    assert.equal(options.sasl, undefined);
    assert.equal(options.tls, undefined);
  });

  it('maps each auth mode to its SASL mechanism, never holding the password as plain option text', async () => {
    const scram = platformaticProducerOptions({
      ...SETTINGS,
      auth: { mode: 'scram-sha-512', username: 'ses', password: new Secret('s3cret') },
    });
    assert.equal(scram.sasl?.mechanism, 'SCRAM-SHA-512');
    assert.equal(scram.sasl?.username, 'ses');
    assert.equal(typeof scram.sasl?.password, 'function');
    assert.equal(await (scram.sasl as { password: () => string }).password(), 's3cret');
    assert.ok(!JSON.stringify(scram).includes('s3cret'));
    const sha256 = platformaticProducerOptions({
      ...SETTINGS,
      auth: { mode: 'scram-sha-256', username: 'ses', password: new Secret('x') },
    });
    assert.equal(sha256.sasl?.mechanism, 'SCRAM-SHA-256');
    const plain = platformaticProducerOptions({
      ...SETTINGS,
      auth: { mode: 'plain', username: 'u', password: new Secret('p') },
    });
    assert.equal(plain.sasl?.mechanism, 'PLAIN');
    const oauth = platformaticProducerOptions({
      ...SETTINGS,
      auth: {
        mode: 'oauthbearer',
        tokens: { token: async () => ({ value: 'jws', expiresAt: Date.now() + 60_000 }) },
      },
    });
    assert.equal(oauth.sasl?.mechanism, 'OAUTHBEARER');
    assert.equal(await (oauth.sasl as { token: () => Promise<string> }).token(), 'jws');
    const iam = platformaticProducerOptions({
      ...SETTINGS,
      auth: { mode: 'msk-iam', region: 'eu-west-1' },
      tls: { enabled: true },
    });
    assert.equal(iam.sasl?.mechanism, 'OAUTHBEARER');
    assert.equal(typeof iam.sasl?.token, 'function', 'MSK IAM tokens are signed when a connection asks');
  });

  it('uses TLS with SNI, and a private CA when one is given', () => {
    const system = platformaticProducerOptions({ ...SETTINGS, tls: { enabled: true } });
    assert.deepEqual(system.tls, {});
    assert.equal(system.tlsServerName, true);
    const privateCa = platformaticProducerOptions({
      ...SETTINGS,
      tls: { enabled: true, caFile: '/ca.pem', ca: '-----BEGIN CERTIFICATE-----' },
    });
    assert.deepEqual(privateCa.tls, { ca: ['-----BEGIN CERTIFICATE-----'] });
  });

  it('partitions keys exactly as kafkajs (and so the Java client) does, and spreads records without a key', () => {
    const partitioner = platformaticProducerOptions(SETTINGS).partitioner as (
      message: unknown,
      key: Buffer | undefined,
    ) => number;
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 7, 50]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      }));
      for (let index = 0; index < 200; index++) {
        const key = `0100018f${index.toString(36)}-message-${index * 7919}`;
        // The client reduces the partitioner's number modulo the partition count.
        const ours = partitioner({}, Buffer.from(key)) % partitions;
        const theirs = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
        assert.equal(ours, theirs, `${key} over ${partitions} partitions`);
      }
    }
    const unkeyed = new Set(Array.from({ length: 6 }, () => partitioner({}, undefined) % 3));
    assert.equal(unkeyed.size, 3, 'records without a key go round robin, not all to partition 0');
  });

  it('sorts the client errors into the same codes as the kafkajs adapter', () => {
    const cases: Array<[string, Error, string, boolean]> = [
      ['broker too large', brokerFailure('MESSAGE_TOO_LARGE'), PRODUCE_ERROR_CODES.recordRejected, false],
      [
        'not authorized',
        brokerFailure('TOPIC_AUTHORIZATION_FAILED'),
        PRODUCE_ERROR_CODES.notAuthorized,
        false,
      ],
      ['sequence', brokerFailure('OUT_OF_ORDER_SEQUENCE_NUMBER'), PRODUCE_ERROR_CODES.producerFenced, true],
      ['leader moving', brokerFailure('NOT_LEADER_OR_FOLLOWER'), PRODUCE_ERROR_CODES.unavailable, true],
      ['unsupported', brokerFailure('UNSUPPORTED_VERSION'), PRODUCE_ERROR_CODES.other, false],
      [
        'refused connection',
        new MultipleErrors('Producing messages failed.', [
          new NetworkError('Connection failed.', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }),
        ]),
        PRODUCE_ERROR_CODES.unavailable,
        true,
      ],
      ['request timeout', new TimeoutError('Request timed out.'), PRODUCE_ERROR_CODES.unavailable, true],
      [
        'SASL',
        new AuthenticationError('SASL authentication failed.'),
        PRODUCE_ERROR_CODES.authenticationFailed,
        false,
      ],
      [
        'SASL by code',
        new ProtocolError('SASL_AUTHENTICATION_FAILED'),
        PRODUCE_ERROR_CODES.authenticationFailed,
        false,
      ],
      [
        'missing topic',
        new UserError('Unknown topic ses-events-typo.'),
        PRODUCE_ERROR_CODES.topicNotFound,
        false,
      ],
      ['anything else', new Error('boom'), PRODUCE_ERROR_CODES.other, false],
    ];
    for (const [name, thrown, code, retriable] of cases) {
      const error = toPlatformaticProduceError(thrown, { topic: 'ses-events-typo' });
      assert.equal(error.stage, 'produce', name);
      assert.equal(error.code, code, name);
      assert.equal(error.retriable, retriable, name);
      assert.equal(error.cause, thrown, name);
    }
    assert.match(
      toPlatformaticProduceError(new UserError('Unknown topic x.'), { topic: 'x' }).message,
      /topic "x" does not exist on the brokers, and the producer does not create topics; create it with `ses-kafka topics create/,
    );
    assert.match(
      toPlatformaticProduceError(brokerFailure('NOT_LEADER_OR_FOLLOWER')).message,
      /^Kafka produce failed \(NOT_LEADER_OR_FOLLOWER\)/,
    );
  });
});
