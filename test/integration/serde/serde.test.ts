import assert from 'node:assert/strict';
import { PipelineError } from '../../../src/errors.ts';
import { registerSchemas } from '../../../src/registration/register-schemas.ts';
import { ConfluentRegistryClient } from '../../../src/serde/confluent-registry.ts';
import { ConfluentSerializer } from '../../../src/serde/confluent-serializer.ts';
import { AvroDecoder } from '../../../src/serde/decoder.ts';
import { GlueSerializer } from '../../../src/serde/glue-serializer.ts';
import { parseConfluentFrame, parseGlueFrame } from '../../../src/serde/wire-format.ts';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  STACK_HOST,
  stackPorts,
} from '../../../src/stack/endpoints.ts';
import {
  CuttableProxy,
  closedPort,
  deleteScratchRegistries,
  endpoints,
  localGlue,
  plain,
  requireRegistries,
  scratchRegistryName,
  uniqueName,
} from './support.ts';

const v1 = {
  type: 'record',
  name: 'Delivery',
  namespace: 'test.serde.it',
  fields: [
    { name: 'messageId', type: 'string' },
    { name: 'attempt', type: 'int' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['SEND', 'DELIVERY'] } },
    { name: 'tags', type: { type: 'map', values: { type: 'array', items: 'string' } } },
  ],
};
const v2 = { ...v1, fields: [...v1.fields, { name: 'tenant', type: ['null', 'string'], default: null }] };
const value = { messageId: 'm-1', attempt: 2, kind: 'DELIVERY', tags: { campaign: ['spring'] } };

async function subjectVersions(subject: string): Promise<number[]> {
  const response = await fetch(`${endpoints.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`);
  return response.status === 404 ? [] : ((await response.json()) as number[]);
}

describe('serdes against the real registries', function () {
  this.timeout(60_000);
  before(requireRegistries);

  describe('Confluent wire format via Apicurio ccompat', () => {
    afterEach(deleteScratchRegistries);
    it('round-trips through the registry and names the subject <topic>-value', async () => {
      const topic = uniqueName('serde-confluent');
      const serializer = new ConfluentSerializer({ registry: { url: endpoints.registryUrl }, topic });
      const { bytes, schemaRef } = await serializer.encode(value, v1);
      assert.equal(schemaRef.format, 'confluent');
      assert.equal(String(parseConfluentFrame(bytes).schemaId), schemaRef.id);
      assert.deepEqual(await subjectVersions(`${topic}-value`), [1]);
      const decoded = await new AvroDecoder({ confluent: { url: endpoints.registryUrl } }).decode(bytes);
      assert.deepEqual(plain(decoded.value), value);
      assert.equal(decoded.schemaRef.id, schemaRef.id);
    });

    it('uses RecordNameStrategy and TopicRecordNameStrategy subjects', async () => {
      const topic = uniqueName('serde-strategies');
      const namespace = `test.serde.${topic.replaceAll('-', '_')}`;
      const schema = { ...v1, namespace, fields: [v1.fields[0], v1.fields[1]] };
      const recordName = `${namespace}.Delivery`;
      await new ConfluentSerializer({
        registry: { url: endpoints.registryUrl },
        subjectNameStrategy: 'RecordNameStrategy',
      }).encode({ messageId: 'x', attempt: 1 }, schema);
      await new ConfluentSerializer({
        registry: { url: endpoints.registryUrl },
        subjectNameStrategy: 'TopicRecordNameStrategy',
      }).encode({ messageId: 'x', attempt: 1 }, schema, { topic });
      assert.deepEqual(await subjectVersions(recordName), [1]);
      assert.deepEqual(await subjectVersions(`${topic}-${recordName}`), [1]);
    });

    it('looks each schema id up once per subject', async () => {
      const topic = uniqueName('serde-cache');
      let lookups = 0;
      const client = new (class extends ConfluentRegistryClient {
        override async findId(subject: string, definition: string) {
          lookups += 1;
          return super.findId(subject, definition);
        }
      })({ url: endpoints.registryUrl });
      const serializer = new ConfluentSerializer({ registry: client, topic });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => serializer.encode({ ...value, attempt: i }, v1)),
      );
      assert.equal(lookups, 1);
      assert.equal(new Set(results.map((result) => result.schemaRef.id)).size, 1);
    });

    it('decodes v1 data into a v2 reader and v2 data into a v1 reader', async () => {
      const topic = uniqueName('serde-evolve');
      const serializer = new ConfluentSerializer({ registry: { url: endpoints.registryUrl }, topic });
      const old = await serializer.encode(value, v1);
      const newer = await serializer.encode({ ...value, tenant: 't-9' }, v2);
      const decoder = new AvroDecoder({ confluent: { url: endpoints.registryUrl } });
      assert.deepEqual(plain((await decoder.decode(old.bytes, { readerSchema: v2 })).value), {
        ...value,
        tenant: null,
      });
      assert.deepEqual(plain((await decoder.decode(newer.bytes, { readerSchema: v1 })).value), value);
    });
  });

  describe('Glue wire format via moto', () => {
    const glueOptions = () => ({
      registry: localGlue(),
      registryName: scratchRegistryName('serde-reg'),
      autoRegister: true,
    });

    it('auto-registers (creating the registry), round-trips, and reports the version', async () => {
      const options = glueOptions();
      const serializer = new GlueSerializer({ ...options, schemaName: 'deliveries' });
      const { bytes, schemaRef } = await serializer.encode(value, v1);
      assert.equal(parseGlueFrame(bytes).schemaVersionId, schemaRef.id);
      assert.equal(schemaRef.version, 1);
      const decoded = await new AvroDecoder({ glue: localGlue() }).decode(bytes);
      assert.deepEqual(plain(decoded.value), value);
      assert.equal(decoded.schemaRef.version, 1);
      const evolved = await serializer.encode({ ...value, tenant: null }, v2);
      assert.equal(evolved.schemaRef.version, 2);
    });

    it('round-trips zlib-compressed bodies', async () => {
      const serializer = new GlueSerializer({ ...glueOptions(), schemaName: 'zipped', compression: 'zlib' });
      const { bytes } = await serializer.encode(value, v1);
      assert.equal(bytes[1], 5);
      assert.deepEqual(plain((await new AvroDecoder({ glue: localGlue() }).decode(bytes)).value), value);
    });

    it('finds the version the registration script registered, without auto-registration', async () => {
      const registryName = scratchRegistryName('serde-registered');
      const registered = await registerSchemas({
        schema: v1,
        target: 'glue',
        glue: { registry: localGlue(), registryName, schemaName: 'deliveries' },
      });
      assert.equal(registered.status, 'registered');
      const serializer = new GlueSerializer({
        registry: localGlue(),
        registryName,
        schemaName: 'deliveries',
        autoRegister: false,
      });
      const { schemaRef } = await serializer.encode(value, v1);
      assert.equal(schemaRef.id, registered.id);
    });
  });

  describe('registry unreachable', () => {
    it('Confluent: a retriable registry error naming the URL', async () => {
      const url = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
      const serializer = new ConfluentSerializer({ registry: { url, retries: 0 }, topic: 't' });
      await assert.rejects(serializer.encode(value, v1), (error: unknown) => {
        assert.ok(error instanceof PipelineError);
        assert.equal(error.stage, 'registry');
        assert.equal(error.retriable, true);
        assert.equal(error.code, 'REGISTRY_UNREACHABLE');
        assert.ok(error.message.includes(url), error.message);
        return true;
      });
    });

    it('Glue: a retriable registry error naming the endpoint', async () => {
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      const serializer = new GlueSerializer({
        registry: localGlue(endpoint, 1),
        registryName: 'r',
        schemaName: 's',
      });
      await assert.rejects(
        serializer.encode(value, v1),
        (error: unknown) =>
          error instanceof PipelineError &&
          error.retriable &&
          error.stage === 'registry' &&
          error.message.includes(endpoint),
      );
    });

    it('Confluent: cached ids and writer schemas keep working after the registry goes away', async () => {
      const proxy = await new CuttableProxy({ host: STACK_HOST, port: stackPorts().registry }).start();
      const url = `http://127.0.0.1:${proxy.port}/apis/ccompat/v7`;
      const topic = scratchRegistryName('serde-outage');
      const serializer = new ConfluentSerializer({ registry: { url, retries: 0 }, topic });
      const decoder = new AvroDecoder({ confluent: { url, retries: 0 } });
      const before = await serializer.encode(value, v1);
      await decoder.decode(before.bytes);
      await proxy.cut();
      const after = await serializer.encode({ ...value, attempt: 9 }, v1);
      assert.equal(after.schemaRef.id, before.schemaRef.id);
      assert.deepEqual(plain((await decoder.decode(after.bytes)).value), { ...value, attempt: 9 });
      await assert.rejects(serializer.encode({ ...value, tenant: null }, v2), /unreachable/);
    });

    it('Glue: past the TTL the stale id is served while refreshes fail', async () => {
      const proxy = await new CuttableProxy({ host: STACK_HOST, port: stackPorts().moto }).start();
      const registry = localGlue(`http://127.0.0.1:${proxy.port}`, 1);
      const serializer = new GlueSerializer({
        registry,
        registryName: scratchRegistryName('serde-outage'),
        schemaName: 's',
        autoRegister: true,
        cacheTtlMs: 50,
      });
      const before = await serializer.encode(value, v1);
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 80));
      const after = await serializer.encode(value, v1);
      assert.equal(after.schemaRef.id, before.schemaRef.id);
      await serializer.settled();
      const decoded = await new AvroDecoder({
        glue: {
          endpoint: endpoints.glueEndpoint,
          region: LOCAL_AWS_REGION,
          credentials: { ...LOCAL_AWS_CREDENTIALS },
        },
      }).decode(after.bytes);
      assert.deepEqual(plain(decoded.value), value);
    });
  });
});
