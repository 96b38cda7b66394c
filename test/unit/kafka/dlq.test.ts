import assert from 'node:assert/strict';
import { ConfigError, PipelineError, type PipelineStage } from '../../../src/errors.ts';
import {
  buildDeadLetter,
  DLQ_HEADERS,
  DLQ_MESSAGE_MAX_CHARS,
  deadLetterAction,
  shouldDeadLetter,
} from '../../../src/kafka/dlq.ts';
import { PRODUCE_ERROR_CODES } from '../../../src/kafka/errors.ts';

const RAW_SNS_MESSAGE =
  '{"eventType":"Bounce","mail":{"messageId":"0100-abc","source":"Shop <shop@example.com>"},"x":[1,2]';

describe('dead letters', () => {
  const savedPii = process.env.SES_KAFKA_LOG_PII;
  afterEach(() => {
    if (savedPii === undefined) delete process.env.SES_KAFKA_LOG_PII;
    else process.env.SES_KAFKA_LOG_PII = savedPii;
  });

  it('carries the original payload untouched and says where and why it failed', () => {
    const now = new Date('2025-03-04T05:06:07.089Z');
    const error = new PipelineError(
      'parse',
      'SES_INVALID_JSON',
      'Unexpected end of JSON input at position 88',
    );
    const record = buildDeadLetter({
      originalPayload: RAW_SNS_MESSAGE,
      error,
      originalTopic: 'ses-events',
      dlqTopic: 'ses-events.dlq',
      key: '0100-abc',
      now,
    });
    assert.equal(record.topic, 'ses-events.dlq');
    assert.equal(record.key, '0100-abc');
    assert.equal(record.value, RAW_SNS_MESSAGE);
    assert.equal(record.timestamp, now.getTime());
    assert.deepEqual(record.headers, {
      [DLQ_HEADERS.stage]: 'parse',
      [DLQ_HEADERS.code]: 'SES_INVALID_JSON',
      [DLQ_HEADERS.errorClass]: 'PipelineError',
      [DLQ_HEADERS.message]: 'Unexpected end of JSON input at position 88',
      [DLQ_HEADERS.originalTopic]: 'ses-events',
      [DLQ_HEADERS.timestamp]: '2025-03-04T05:06:07.089Z',
    });
  });

  it('keeps binary payloads byte for byte and has no key when none is known', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const record = buildDeadLetter({
      originalPayload: bytes,
      error: new PipelineError('parse', 'X', 'x'),
      originalTopic: 'a',
      dlqTopic: 'a.dlq',
    });
    assert.equal(record.key, null);
    assert.ok(Buffer.isBuffer(record.value) && record.value.equals(bytes));
  });

  it('names the cause class when the error wraps one', () => {
    const error = new PipelineError('transform', 'TRANSFORM_FAILED', 'Cast failed', {
      cause: new RangeError('x'),
    });
    const record = buildDeadLetter({ originalPayload: '{}', error, originalTopic: 'a', dlqTopic: 'b' });
    assert.equal(record.headers?.[DLQ_HEADERS.causeClass], 'RangeError');
  });

  it('cuts email addresses from the error message unless SES_KAFKA_LOG_PII=true', () => {
    const error = new PipelineError(
      'transform',
      'T',
      'cannot cast "bob@example.com" (from Shop <shop@example.org>)',
    );
    delete process.env.SES_KAFKA_LOG_PII;
    const redacted = buildDeadLetter({ originalPayload: '{}', error, originalTopic: 'a', dlqTopic: 'b' });
    const message = String(redacted.headers?.[DLQ_HEADERS.message]);
    assert.ok(!message.includes('@'), message);
    assert.match(message, /cannot cast/);

    process.env.SES_KAFKA_LOG_PII = 'true';
    const kept = buildDeadLetter({ originalPayload: '{}', error, originalTopic: 'a', dlqTopic: 'b' });
    assert.match(String(kept.headers?.[DLQ_HEADERS.message]), /bob@example\.com/);
  });

  it('truncates a long message and says how much was cut', () => {
    const error = new PipelineError('serialize', 'AVRO_INVALID', 'é'.repeat(DLQ_MESSAGE_MAX_CHARS + 250));
    const record = buildDeadLetter({ originalPayload: '{}', error, originalTopic: 'a', dlqTopic: 'b' });
    const message = String(record.headers?.[DLQ_HEADERS.message]);
    assert.ok(message.startsWith('é'.repeat(DLQ_MESSAGE_MAX_CHARS)));
    assert.ok(!message.startsWith('é'.repeat(DLQ_MESSAGE_MAX_CHARS + 1)));
    assert.match(message, /\[250 more characters\]$/);
  });

  it('describes errors that are not pipeline errors too', () => {
    const record = buildDeadLetter({
      originalPayload: '{}',
      error: new SyntaxError('bad'),
      originalTopic: 'a',
      dlqTopic: 'b',
    });
    assert.equal(record.headers?.[DLQ_HEADERS.stage], 'unknown');
    assert.equal(record.headers?.[DLQ_HEADERS.errorClass], 'SyntaxError');
  });
});

describe('deadLetterAction', () => {
  const stages: PipelineStage[] = [
    'parse',
    'enrich',
    'to-record',
    'transform',
    'serialize',
    'registry',
    'produce',
    'config',
  ];

  it('never dead-letters a retriable error, whatever the stage', () => {
    for (const stage of stages) {
      const error = new PipelineError(stage, 'SOME_CODE', 'x', { retriable: true });
      assert.equal(deadLetterAction(error).action, 'retry', stage);
      assert.equal(shouldDeadLetter(error), false, stage);
    }
  });

  it('dead-letters non-retriable failures caused by the input', () => {
    for (const stage of ['parse', 'to-record', 'transform', 'serialize'] as const) {
      assert.equal(deadLetterAction(new PipelineError(stage, 'BAD', 'x')).action, 'dead-letter', stage);
    }
    const rejected = new PipelineError('produce', PRODUCE_ERROR_CODES.recordRejected, 'too large');
    assert.equal(shouldDeadLetter(rejected), true);
  });

  it('fails loudly instead when the cause is not the input', () => {
    const notTheInput = [
      new ConfigError('SES_KAFKA_TOPIC', 'required'),
      new PipelineError('registry', 'SUBJECT_NOT_FOUND', 'x'),
      new PipelineError('enrich', 'METADATA_TABLE_NOT_FOUND', 'x'),
      new PipelineError('produce', PRODUCE_ERROR_CODES.authenticationFailed, 'x'),
      new PipelineError('produce', PRODUCE_ERROR_CODES.notAuthorized, 'x'),
      new Error('plain bug'),
      'thrown string',
    ];
    for (const error of notTheInput) {
      const decision = deadLetterAction(error);
      assert.equal(decision.action, 'fail', String(error));
      assert.ok(decision.reason.length > 0);
    }
  });
});
