import assert from 'node:assert/strict';
import type { KafkaRecord } from '../../../src/record.ts';
import { TransformChain } from '../../../src/transforms/chain.ts';

const schema = { type: 'record', name: 'E', fields: [{ name: 'n', type: 'string' }] };
const chainConfig = {
  transforms: 'cast',
  'transforms.cast.type': 'Cast$Value',
  'transforms.cast.spec': 'n:int32',
};
const good: KafkaRecord = {
  topic: 'ses',
  partition: 2,
  offset: 7,
  key: 'k',
  value: { n: '12' },
  headers: [{ key: 'h', value: 'v' }],
  timestamp: 5,
};
const bad: KafkaRecord = { ...good, value: { n: 'twelve' } };

describe('transform error handling (errors.tolerance)', () => {
  it('none: the failure is returned as a non-retriable transform error naming the step', () => {
    const chain = TransformChain.build(chainConfig, { valueSchema: schema });
    assert.deepEqual(chain.apply(good), { kind: 'ok', record: { ...good, value: { n: 12 } } });
    const outcome = chain.apply(bad);
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.equal(outcome.error.stage, 'transform');
    assert.equal(outcome.error.retriable, false);
    assert.match(
      outcome.error.message,
      /^transforms\.cast \(org\.apache\.kafka\.connect\.transforms\.Cast\$Value\) failed: Cast: a string value cannot be converted to int32/,
    );
  });

  it('all without a dead-letter topic: the record is dropped, the error kept', () => {
    const chain = TransformChain.build(
      { ...chainConfig, 'errors.tolerance': 'all' },
      { valueSchema: schema },
    );
    const outcome = chain.apply(bad);
    assert.equal(outcome.kind, 'filtered');
    assert.ok(outcome.kind === 'filtered' && outcome.error);
  });

  it('all with a dead-letter topic: the original record goes there with __connect.errors.* headers', () => {
    const chain = TransformChain.build(
      {
        ...chainConfig,
        name: 'ses-connector',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'ses-dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
      { valueSchema: schema },
    );
    const outcome = chain.apply(bad);
    assert.equal(outcome.kind, 'dead-letter');
    if (outcome.kind !== 'dead-letter') return;
    assert.equal(outcome.record.topic, 'ses-dlq');
    assert.deepEqual(outcome.record.value, { n: 'twelve' });
    const headers = Object.fromEntries(outcome.record.headers.map((h) => [h.key, h.value]));
    assert.equal(headers.h, 'v');
    assert.equal(headers['__connect.errors.topic'], 'ses');
    assert.equal(headers['__connect.errors.partition'], '2');
    assert.equal(headers['__connect.errors.offset'], '7');
    assert.equal(headers['__connect.errors.connector.name'], 'ses-connector');
    assert.equal(headers['__connect.errors.stage'], 'TRANSFORMATION');
    assert.equal(headers['__connect.errors.class.name'], 'org.apache.kafka.connect.transforms.Cast$Value');
    assert.equal(headers['__connect.errors.exception.class.name'], 'TransformDataError');
    assert.match(String(headers['__connect.errors.exception.message']), /cannot be converted to int32/);
  });

  it('context headers are off by default', () => {
    const chain = TransformChain.build(
      { ...chainConfig, 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq' },
      { valueSchema: schema },
    );
    const outcome = chain.apply(bad);
    assert.equal(outcome.kind === 'dead-letter' && outcome.record.headers.length, 1);
  });

  it('the failing value itself never reaches the context headers', () => {
    const chain = TransformChain.build(
      {
        ...chainConfig,
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
      { valueSchema: schema },
    );
    const outcome = chain.apply({ ...good, value: { n: 'bob@example.com' } });
    const message =
      outcome.kind === 'dead-letter'
        ? outcome.record.headers.find((h) => h.key === '__connect.errors.exception.message')
        : undefined;
    assert.ok(message);
    assert.doesNotMatch(String(message.value), /bob@example\.com/);
  });
});
