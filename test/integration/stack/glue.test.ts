import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  DeleteRegistryCommand,
  GetSchemaByDefinitionCommand,
  GetSchemaVersionCommand,
  GlueClient,
  RegisterSchemaVersionCommand,
} from '@aws-sdk/client-glue';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../../../src/stack/endpoints.ts';

const glue = new GlueClient({
  endpoint: stackEndpoints().glueEndpoint,
  region: LOCAL_AWS_REGION,
  credentials: LOCAL_AWS_CREDENTIALS,
});

const record = (fields: object[]) =>
  JSON.stringify({ type: 'record', name: 'GlueProbe', namespace: 'test', fields });

describe('local stack: moto as the AWS Glue Schema Registry', () => {
  const created: string[] = [];
  // Glue allows ten registries per account (moto too): give back what this test made.
  after(async () => {
    for (const name of created)
      await glue.send(new DeleteRegistryCommand({ RegistryId: { RegistryName: name } }));
  });

  it('creates a registry and schema, registers a version and finds it by id and by definition', async () => {
    const registryName = `stack-test-${randomUUID()}`;
    const schemaName = 'ses-events';
    const v1 = record([{ name: 'id', type: 'string' }]);
    const v2 = record([
      { name: 'id', type: 'string' },
      { name: 'tenant', type: ['null', 'string'], default: null },
    ]);

    const registry = await glue.send(new CreateRegistryCommand({ RegistryName: registryName }));
    created.push(registryName);
    assert.equal(registry.RegistryName, registryName);

    const schema = await glue.send(
      new CreateSchemaCommand({
        RegistryId: { RegistryName: registryName },
        SchemaName: schemaName,
        DataFormat: 'AVRO',
        Compatibility: 'BACKWARD',
        SchemaDefinition: v1,
      }),
    );
    assert.equal(schema.SchemaName, schemaName);
    assert.equal(schema.Compatibility, 'BACKWARD');
    const firstVersionId = schema.SchemaVersionId;
    assert.ok(firstVersionId, 'CreateSchema returns the first version id');

    const registered = await glue.send(
      new RegisterSchemaVersionCommand({
        SchemaId: { RegistryName: registryName, SchemaName: schemaName },
        SchemaDefinition: v2,
      }),
    );
    assert.equal(registered.VersionNumber, 2);
    assert.notEqual(registered.SchemaVersionId, firstVersionId);

    const byId = await glue.send(
      new GetSchemaVersionCommand({ SchemaVersionId: registered.SchemaVersionId }),
    );
    assert.equal(byId.SchemaDefinition, v2);
    assert.equal(byId.VersionNumber, 2);

    const byDefinition = await glue.send(
      new GetSchemaByDefinitionCommand({
        SchemaId: { RegistryName: registryName, SchemaName: schemaName },
        SchemaDefinition: v1,
      }),
    );
    assert.equal(byDefinition.SchemaVersionId, firstVersionId);
  });
});
