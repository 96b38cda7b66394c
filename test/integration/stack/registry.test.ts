import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { stackEndpoints } from '../../../src/stack/endpoints.ts';

const registryUrl = stackEndpoints().registryUrl;

const v1 = {
  type: 'record',
  name: 'StackProbe',
  namespace: 'test.stack',
  fields: [{ name: 'id', type: 'string' }],
};

describe('local stack: Apicurio Registry (Confluent-compatible API)', () => {
  it('registers an Avro schema and serves it back by id', async () => {
    const registry = new SchemaRegistry({ host: registryUrl });
    const subject = `stack-test-${randomUUID()}-value`;
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v1) },
      { subject },
    );
    assert.ok(Number.isInteger(id) && id > 0, `expected a numeric schema id, got ${id}`);
    const byId = (await fetch(`${registryUrl}/schemas/ids/${id}`).then((response) => response.json())) as {
      schema: string;
    };
    assert.deepEqual(JSON.parse(byId.schema), v1);
    const encoded = await registry.encode(id, { id: 'abc' });
    assert.equal(encoded[0], 0, 'Confluent wire format starts with magic byte 0');
    assert.equal(encoded.readUInt32BE(1), id);
    assert.deepEqual({ ...(await registry.decode(encoded)) }, { id: 'abc' });
  });

  it('rejects a change that breaks BACKWARD compatibility', async () => {
    const registry = new SchemaRegistry({ host: registryUrl });
    const subject = `stack-test-${randomUUID()}-value`;
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });
    const setCompatibility = await fetch(`${registryUrl}/config/${subject}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    assert.equal(setCompatibility.status, 200, await setCompatibility.text());

    const addsRequiredField = { ...v1, fields: [...v1.fields, { name: 'tenant', type: 'string' }] };
    await assert.rejects(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(addsRequiredField) }, { subject }),
      (error: Error) => {
        assert.match(error.message, /409|incompatible|compatib/i);
        return true;
      },
    );
    const addsOptionalField = {
      ...v1,
      fields: [...v1.fields, { name: 'tenant', type: ['null', 'string'], default: null }],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(addsOptionalField) },
      { subject },
    );
    assert.ok(id > 0);
  });
});
