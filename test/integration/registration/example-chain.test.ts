import assert from 'node:assert/strict';
import path from 'node:path';
import avro from 'avsc';
import { registerSchemas } from '../../../src/registration/register-schemas.ts';
import { loadBaseSchema } from '../../../src/ses/base-schema.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import { type AvroSchema, loadConfigFile, TransformChain } from '../../../src/transforms/index.ts';
import { endpoints, requireRegistries, uniqueName } from '../serde/support.ts';

describe('the example transform chain over the SES base schema', function () {
  this.timeout(60_000);
  before(requireRegistries);

  it('produces an output schema that Apicurio accepts, and registering it again changes nothing', async () => {
    const chain = TransformChain.build(
      loadConfigFile(path.join(REPO_ROOT, 'schemas/transforms.example.properties')),
      {
        valueSchema: loadBaseSchema('v2') as unknown as AvroSchema,
        keySchema: 'string',
        env: { SES_KAFKA_HMAC_KEY: 'registration-test-key-0123456789abcdef' },
      },
    );
    const schema = chain.outputValueSchema as unknown as { fields: Array<{ name: string }> };
    // The chain really changed the schema: raw headers gone from mail, a pipeline field added.
    assert.ok(schema.fields.some((field) => field.name === 'pipeline'));
    assert.doesNotThrow(() => avro.Type.forSchema(schema as avro.Schema));

    const topic = uniqueName('example-chain');
    const options = {
      schema,
      target: 'confluent' as const,
      confluent: { url: endpoints.registryUrl, topic },
    };
    const first = await registerSchemas(options);
    assert.equal(first.status, 'registered');
    assert.ok(first.id, 'Apicurio returned a schema id');
    const stored = (await fetch(`${endpoints.registryUrl}/schemas/ids/${first.id}`).then((r) =>
      r.json(),
    )) as {
      schema: string;
    };
    assert.ok(JSON.parse(stored.schema).fields.some((field: { name: string }) => field.name === 'pipeline'));
    const again = await registerSchemas(options);
    assert.equal(again.status, 'unchanged');
  });
});
