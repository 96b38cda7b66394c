import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { TransformChain } from '../../../src/transforms/chain.ts';
import { loadConfigFile } from '../../../src/transforms/config-source.ts';
import type { AvroSchema } from '../../../src/transforms/schema.ts';

const EXAMPLE = 'schemas/transforms.example.properties';
const BASE_SCHEMA = 'schemas/ses-email-event/v1.avsc';
const KEY = 'example-hmac-key-0123456789abcdef';

describe('schemas/transforms.example.properties over the SES base schema v1', () => {
  const baseSchema = JSON.parse(readFileSync(BASE_SCHEMA, 'utf8')) as AvroSchema;
  const chain = TransformChain.build(loadConfigFile(EXAMPLE), {
    valueSchema: baseSchema,
    env: { SES_KAFKA_HMAC_KEY: KEY },
  });
  const baseType = avro.Type.forSchema(baseSchema as avro.Schema);
  const outputType = avro.Type.forSchema(chain.outputValueSchema as avro.Schema);

  it('produces an output schema avsc compiles: no raw header list, a new optional pipeline field', () => {
    const mail = (
      chain.outputValueSchema as unknown as {
        fields: Array<{ name: string; type: { fields: Array<{ name: string }> } }>;
      }
    ).fields.find((field) => field.name === 'mail');
    assert.ok(mail);
    assert.equal(
      mail.type.fields.some((field) => field.name === 'headers'),
      false,
    );
    assert.ok(mail.type.fields.some((field) => field.name === 'commonHeaders'));
    const pipeline = (
      chain.outputValueSchema as unknown as {
        fields: Array<{ name: string; type: unknown; default?: unknown }>;
      }
    ).fields.find((field) => field.name === 'pipeline');
    assert.deepEqual(pipeline, { name: 'pipeline', type: ['null', 'string'], default: null });
    assert.equal(chain.keySchemaChanged, false);
    assert.equal(chain.errorHandling['errors.tolerance'], 'all');
    // No DLQ topic of its own: the pipeline sends tolerated failures to SES_KAFKA_DLQ_TOPIC.
    assert.equal(chain.errorHandling['errors.deadletterqueue.topic.name'], '');
  });

  it('the output schema can read data written with the base schema minus headers (evolution stays sane)', () => {
    // BACKWARD: a reader on the output schema must resolve against the base schema.
    assert.doesNotThrow(() => outputType.createResolver(baseType));
  });

  it('maps random valid SES events to valid output records with hashed recipients', () => {
    for (let i = 0; i < 40; i++) {
      const value = baseType.random() as unknown as { mail: { destination: string[] } };
      const outcome = chain.apply({ topic: 'ses-email-events', key: 'm', value, headers: [], timestamp: 0 });
      assert.equal(outcome.kind, 'ok');
      if (outcome.kind !== 'ok') return;
      const out = outcome.record.value as {
        mail: { destination: string[]; headers?: unknown };
        pipeline: string;
      };
      assert.ok(outputType.isValid(out), `record ${i} does not match the output schema`);
      assert.equal(out.pipeline, 'ses-kafka-producer');
      assert.equal(out.mail.headers, undefined);
      assert.deepEqual(
        out.mail.destination,
        value.mail.destination.map((address) =>
          createHmac('sha256', KEY).update(address.trim().toLowerCase()).digest('hex'),
        ),
      );
      assert.doesNotThrow(() => outputType.toBuffer(out));
    }
  });
});
