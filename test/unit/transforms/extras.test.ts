import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import avro from 'avsc';
import { ConfigError } from '../../../src/errors.ts';
import type { KafkaRecord } from '../../../src/record.ts';
import { TransformChain } from '../../../src/transforms/chain.ts';
import type { AvroSchema } from '../../../src/transforms/schema.ts';

const Recipient = {
  type: 'record',
  name: 'Recipient',
  fields: [
    { name: 'emailAddress', type: 'string' },
    { name: 'status', type: ['null', 'string'], default: null },
  ],
};
const schema: AvroSchema = {
  type: 'record',
  name: 'Event',
  namespace: 'test',
  fields: [
    { name: 'eventType', type: 'string' },
    {
      name: 'mail',
      type: {
        type: 'record',
        name: 'Mail',
        fields: [
          { name: 'source', type: 'string' },
          { name: 'destination', type: { type: 'array', items: 'string' } },
          {
            name: 'headers',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'Header',
                fields: [
                  { name: 'name', type: 'string' },
                  { name: 'value', type: 'string' },
                ],
              },
            },
          },
          { name: 'replyTo', type: ['null', 'string'], default: null },
        ],
      },
    },
    {
      name: 'bounce',
      type: [
        'null',
        {
          type: 'record',
          name: 'Bounce',
          fields: [{ name: 'bouncedRecipients', type: { type: 'array', items: Recipient } }],
        },
      ],
      default: null,
    },
    { name: 'count', type: 'int' },
  ],
};

const bounce = {
  eventType: 'Bounce',
  mail: {
    source: 'sender@example.com',
    destination: ['A@Example.com', 'b@example.com'],
    headers: [{ name: 'To', value: 'A@Example.com' }],
    replyTo: null,
  },
  bounce: { bouncedRecipients: [{ emailAddress: ' a@example.com', status: '5.1.1' }] },
  count: 1,
};
const delivery = { ...bounce, eventType: 'Delivery', bounce: null };

const record = (value: unknown, topic = 'ses'): KafkaRecord => ({
  topic,
  key: 'm-1',
  value,
  headers: [],
  timestamp: 1,
});
/** 32 bytes: HashField refuses shorter keys. */
const SECRET = 'unit-test-hmac-key-0123456789abcdef';
const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

function build(config: Record<string, string>, env: Record<string, string> = {}): TransformChain {
  return TransformChain.build(config, { valueSchema: schema, env });
}

describe('HashField', () => {
  const config = {
    transforms: 'h',
    'transforms.h.type': 'ses.kafka.transforms.HashField$Value',
    'transforms.h.fields': 'mail.destination,bounce.bouncedRecipients.emailAddress,mail.replyTo',
    'transforms.h.key.env': 'TEST_HMAC_KEY',
  };

  it('hashes nested strings, arrays of strings and fields inside arrays of records, keeping nulls', () => {
    const chain = build(config, { TEST_HMAC_KEY: SECRET });
    const outcome = chain.apply(record(bounce));
    assert.equal(outcome.kind, 'ok');
    const value = outcome.kind === 'ok' ? (outcome.record.value as typeof bounce) : bounce;
    assert.deepEqual(value.mail.destination, [hmac(SECRET, 'A@Example.com'), hmac(SECRET, 'b@example.com')]);
    // The address is hashed, not the text: the surrounding space is no part of it.
    assert.equal(value.bounce.bouncedRecipients[0]?.emailAddress, hmac(SECRET, 'a@example.com'));
    assert.equal(value.bounce.bouncedRecipients[0]?.status, '5.1.1');
    assert.equal(value.mail.replyTo, null);
    assert.equal(value.mail.source, 'sender@example.com');
    // The input record is not mutated: the dead-letter path needs the original.
    assert.deepEqual(bounce.mail.destination, ['A@Example.com', 'b@example.com']);
    assert.ok(avro.Type.forSchema(chain.outputValueSchema as avro.Schema).isValid(value));
  });

  it('normalizes before hashing when asked, so case variants join', () => {
    const chain = build({
      ...config,
      'transforms.h.normalize': 'trim-lowercase',
      'transforms.h.key': SECRET,
      'transforms.h.key.env': '',
    });
    const outcome = chain.apply(record(bounce));
    const value = outcome.kind === 'ok' ? (outcome.record.value as typeof bounce) : bounce;
    assert.equal(value.mail.destination[0], hmac(SECRET, 'a@example.com'));
    assert.equal(value.bounce.bouncedRecipients[0]?.emailAddress, hmac(SECRET, 'a@example.com'));
  });

  it('keeps the recipient domain after the digest when keep.domain is set', () => {
    const chain = build({ ...config, 'transforms.h.keep.domain': 'true' }, { TEST_HMAC_KEY: SECRET });
    const outcome = chain.apply(record(bounce));
    const value = outcome.kind === 'ok' ? (outcome.record.value as typeof bounce) : bounce;
    assert.deepEqual(value.mail.destination, [
      `${hmac(SECRET, 'A@Example.com')}@example.com`,
      `${hmac(SECRET, 'b@example.com')}@example.com`,
    ]);
  });

  it('different keys give different digests', () => {
    const a = build(config, { TEST_HMAC_KEY: `one-${SECRET}` }).apply(record(bounce));
    const b = build(config, { TEST_HMAC_KEY: `two-${SECRET}` }).apply(record(bounce));
    assert.notDeepEqual(a, b);
  });

  it('refuses a missing key without revealing any key material', () => {
    assert.throws(
      () => build(config),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(
          error.message,
          'transforms.h.key.env: environment variable TEST_HMAC_KEY is not set or empty; it must hold the HMAC key',
        );
        return true;
      },
    );
    assert.throws(
      () => build({ ...config, 'transforms.h.key': 'x' }, { TEST_HMAC_KEY: 'y' }),
      /set exactly one of key and key.env/,
    );
  });

  it('refuses non-string fields and unknown paths', () => {
    assert.throws(
      () => build({ ...config, 'transforms.h.fields': 'count' }, { TEST_HMAC_KEY: SECRET }),
      /"count" is int32; HashField hashes strings/,
    );
    assert.throws(
      () => build({ ...config, 'transforms.h.fields': 'mail.nope' }, { TEST_HMAC_KEY: SECRET }),
      /no field "nope" in record Mail/,
    );
  });
});

describe('FieldValueMatches predicate', () => {
  const base = {
    transforms: 'keep',
    'transforms.keep.type': 'Filter',
    'transforms.keep.predicate': 'feedback',
    'transforms.keep.negate': 'true',
    predicates: 'feedback',
    'predicates.feedback.type': 'ses.kafka.transforms.predicates.FieldValueMatches',
    'predicates.feedback.field': 'eventType',
  };

  it('keeps only listed values (Filter negated)', () => {
    const chain = build({ ...base, 'predicates.feedback.values': 'Bounce,Complaint' });
    assert.equal(chain.apply(record(bounce)).kind, 'ok');
    assert.equal(chain.apply(record(delivery)).kind, 'filtered');
  });

  it('matches a whole-value pattern on a nested path', () => {
    const chain = build({
      ...base,
      'predicates.feedback.field': 'mail.source',
      'predicates.feedback.pattern': '.*@example\\.com',
    });
    assert.equal(chain.apply(record(bounce)).kind, 'ok');
    assert.equal(
      chain.apply(record({ ...bounce, mail: { ...bounce.mail, source: 'x@other.org' } })).kind,
      'filtered',
    );
  });

  it('needs exactly one of values and pattern, and a scalar field', () => {
    assert.throws(() => build(base), /predicates\.feedback\.values: set exactly one of values/);
    assert.throws(
      () => build({ ...base, 'predicates.feedback.field': 'mail', 'predicates.feedback.values': 'x' }),
      /"mail" is struct/,
    );
  });
});

describe('ExtractTopic', () => {
  it('routes by a field value through a template', () => {
    const chain = build({
      transforms: 'route',
      'transforms.route.type': 'ExtractTopic',
      'transforms.route.field': 'eventType',
      'transforms.route.topic.format': '${topic}-${value}',
      'transforms.route.value.case': 'lower',
    });
    const outcome = chain.apply(record(bounce, 'ses-events'));
    assert.equal(outcome.kind === 'ok' && outcome.record.topic, 'ses-events-bounce');
  });

  it('fails, or keeps the topic, when the field is null', () => {
    const config = {
      transforms: 'r',
      'transforms.r.type': 'ExtractTopic',
      'transforms.r.field': 'mail.replyTo',
    };
    assert.equal(build(config).apply(record(bounce)).kind, 'failed');
    const kept = build({ ...config, 'transforms.r.on.missing': 'keep' }).apply(record(bounce, 'orig'));
    assert.equal(kept.kind === 'ok' && kept.record.topic, 'orig');
  });
});

describe('DropField', () => {
  it('removes a nested field from schema and value', () => {
    const chain = build({
      transforms: 'd',
      'transforms.d.type': 'DropField$Value',
      'transforms.d.fields': 'mail.headers,bounce.bouncedRecipients.status',
    });
    const outcome = chain.apply(record(bounce));
    assert.equal(outcome.kind, 'ok');
    const value =
      outcome.kind === 'ok' ? (outcome.record.value as Record<string, Record<string, unknown>>) : {};
    assert.equal(value.mail && 'headers' in value.mail, false);
    assert.deepEqual(value.bounce, { bouncedRecipients: [{ emailAddress: ' a@example.com' }] });
    const type = avro.Type.forSchema(chain.outputValueSchema as avro.Schema);
    assert.ok(type.isValid(value));
    assert.equal(JSON.stringify(chain.outputValueSchema).includes('"headers"'), false);
    assert.ok(type.isValid((chain.apply(record(delivery)) as { record: KafkaRecord }).record.value));
  });
});
