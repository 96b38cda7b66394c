import assert from 'node:assert/strict';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { PipelineError } from '../../../src/errors.ts';
import { PRODUCE_ERROR_CODES, toProduceError } from '../../../src/kafka/errors.ts';

// kafkajs builds protocol errors from its table of broker error codes; these mirror entries of that table.
function protocolError(type: string, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ type, retriable, message: `broker said ${type}`, code: 0 } as never);
}

describe('toProduceError', () => {
  it('keeps a PipelineError as it is', () => {
    const original = new PipelineError('produce', 'X', 'x', { retriable: true });
    assert.equal(toProduceError(original), original);
  });

  it('calls a refused connection retriable, also after kafkajs ran out of retries', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, {
      retryCount: 5,
      retryTime: 2000,
    } as never);
    assert.equal(exhausted.retriable, false, 'kafkajs itself calls it non-retriable');
    for (const thrown of [refused, exhausted]) {
      const error = toProduceError(thrown);
      assert.equal(error.stage, 'produce');
      assert.equal(error.code, PRODUCE_ERROR_CODES.unavailable);
      assert.equal(error.retriable, true);
      assert.match(error.message, /ECONNREFUSED/);
      assert.equal(error.cause, thrown);
    }
  });

  it('calls request timeouts retriable', () => {
    const error = toProduceError(new KafkaJSRequestTimeoutError('Request Produce(key: 0) timed out'));
    assert.equal(error.retriable, true);
  });

  it('calls a failed SASL handshake a non-retriable authentication failure', () => {
    // The kafkajs typings declare fewer constructor arguments than its classes take.
    const Sasl = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
    const Wrapper = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
    const sasl = new Sasl('SASL SCRAM SHA512 authentication failed');
    for (const thrown of [sasl, new Wrapper(sasl, { cause: sasl })]) {
      const error = toProduceError(thrown);
      assert.equal(error.code, PRODUCE_ERROR_CODES.authenticationFailed);
      assert.equal(error.retriable, false);
    }
  });

  it('sorts broker error codes into not-authorized, record-rejected and producer-state', () => {
    const cases: [string, boolean, string, boolean][] = [
      ['TOPIC_AUTHORIZATION_FAILED', false, PRODUCE_ERROR_CODES.notAuthorized, false],
      ['MESSAGE_TOO_LARGE', false, PRODUCE_ERROR_CODES.recordRejected, false],
      ['INVALID_RECORD', false, PRODUCE_ERROR_CODES.recordRejected, false],
      // Fatal for one kafkajs producer, but we start a new one, so another attempt works.
      ['OUT_OF_ORDER_SEQUENCE_NUMBER', false, PRODUCE_ERROR_CODES.producerFenced, true],
      ['UNKNOWN_PRODUCER_ID', false, PRODUCE_ERROR_CODES.producerFenced, true],
      ['NOT_LEADER_FOR_PARTITION', true, PRODUCE_ERROR_CODES.unavailable, true],
      ['UNSUPPORTED_VERSION', false, PRODUCE_ERROR_CODES.other, false],
    ];
    for (const [type, kafkajsRetriable, code, retriable] of cases) {
      const error = toProduceError(protocolError(type, kafkajsRetriable));
      assert.equal(error.code, code, type);
      assert.equal(error.retriable, retriable, type);
      assert.match(error.message, new RegExp(type));
    }
  });

  it('follows the kafkajs retriable flag for other kafkajs errors', () => {
    assert.equal(toProduceError(new KafkaJSError('flaky', { retriable: true })).retriable, true);
    assert.equal(toProduceError(new KafkaJSError('broken', { retriable: false })).retriable, false);
  });

  it('does not call an unknown error retriable', () => {
    const error = toProduceError(new TypeError('cannot read properties of undefined'));
    assert.equal(error.code, PRODUCE_ERROR_CODES.other);
    assert.equal(error.retriable, false);
    assert.equal(toProduceError('a string').retriable, false);
  });
});
