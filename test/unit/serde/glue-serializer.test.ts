import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import type { GlueClient } from '@aws-sdk/client-glue';
import { PipelineError } from '../../../src/errors.ts';
import { AvroDecoder } from '../../../src/serde/decoder.ts';
import { GlueSchemaRegistry } from '../../../src/serde/glue-registry.ts';
import { GlueSerializer } from '../../../src/serde/glue-serializer.ts';
import { parseGlueFrame } from '../../../src/serde/wire-format.ts';

/**
 * An in-memory stand-in for the Glue API calls the serde makes, with a switch to simulate an outage.
 * The real thing (moto) is exercised in test/integration/serde.
 */
interface FakeInput {
  SchemaId?: { RegistryName?: string; SchemaName?: string };
  RegistryId?: { RegistryName?: string };
  RegistryName?: string;
  SchemaName?: string;
  SchemaDefinition?: string;
  SchemaVersionId?: string;
  SchemaVersionNumber?: { VersionNumber?: number };
}

class FakeGlue {
  readonly calls: string[] = [];
  down = false;
  readonly registries = new Set<string>();
  readonly schemas = new Map<string, { id: string; definition: string; version: number }[]>();

  async send(command: { constructor: { name: string }; input: FakeInput }): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, '');
    this.calls.push(name);
    if (this.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
    const input = command.input;
    const key = `${input.SchemaId?.RegistryName ?? input.RegistryId?.RegistryName}/${input.SchemaId?.SchemaName ?? input.SchemaName}`;
    const notFound = () => Object.assign(new Error('not found'), { name: 'EntityNotFoundException' });
    switch (name) {
      case 'GetSchemaByDefinition': {
        const found = this.schemas.get(key)?.find((version) => version.definition === input.SchemaDefinition);
        if (!found) throw notFound();
        return { SchemaVersionId: found.id, Status: 'AVAILABLE' };
      }
      case 'RegisterSchemaVersion': {
        const versions = this.schemas.get(key);
        if (!versions) throw notFound();
        const version = {
          id: randomUUID(),
          definition: input.SchemaDefinition ?? '',
          version: versions.length + 1,
        };
        versions.push(version);
        return { SchemaVersionId: version.id, VersionNumber: version.version, Status: 'AVAILABLE' };
      }
      case 'CreateRegistry':
        this.registries.add(input.RegistryName ?? '');
        return {};
      case 'CreateSchema': {
        if (!this.registries.has(input.RegistryId?.RegistryName ?? '')) throw notFound();
        const version = { id: randomUUID(), definition: input.SchemaDefinition ?? '', version: 1 };
        this.schemas.set(key, [version]);
        return { SchemaVersionId: version.id, SchemaVersionStatus: 'AVAILABLE' };
      }
      case 'GetSchema': {
        const versions = this.schemas.get(key);
        if (!versions) throw notFound();
        return { DataFormat: 'AVRO', Compatibility: 'BACKWARD', LatestSchemaVersion: versions.length };
      }
      case 'GetSchemaVersion': {
        const byNumber = input.SchemaVersionNumber?.VersionNumber;
        if (byNumber !== undefined) {
          const found = this.schemas.get(key)?.find((version) => version.version === byNumber);
          if (!found) throw notFound();
          return {
            SchemaVersionId: found.id,
            SchemaDefinition: found.definition,
            VersionNumber: found.version,
            DataFormat: 'AVRO',
            Status: 'AVAILABLE',
          };
        }
        for (const versions of this.schemas.values()) {
          const found = versions.find((version) => version.id === input.SchemaVersionId);
          if (found) {
            return {
              SchemaVersionId: found.id,
              SchemaDefinition: found.definition,
              VersionNumber: found.version,
              DataFormat: 'AVRO',
              Status: 'AVAILABLE',
            };
          }
        }
        throw notFound();
      }
      default:
        throw new Error(`FakeGlue does not implement ${name}`);
    }
  }
}

const schema = {
  type: 'record',
  name: 'Ping',
  namespace: 'test.glue',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'int' },
  ],
};

function setUp(options: { autoRegister?: boolean; compression?: 'none' | 'zlib'; ttlMs?: number } = {}) {
  const fake = new FakeGlue();
  let clock = 0;
  const registry = new GlueSchemaRegistry({
    client: fake as unknown as GlueClient,
    endpointLabel: 'fake-glue',
  });
  const serializer = new GlueSerializer({
    registry,
    registryName: 'reg',
    topic: 'pings',
    autoRegister: options.autoRegister ?? true,
    compression: options.compression,
    cacheTtlMs: options.ttlMs ?? 1000,
    now: () => clock,
  });
  return { fake, registry, serializer, advance: (ms: number) => (clock += ms) };
}

describe('GlueSerializer', () => {
  it('auto-registers (creating registry and schema), frames with the version UUID, and decodes back', async () => {
    const { fake, registry, serializer } = setUp();
    const { bytes, schemaRef } = await serializer.encode({ id: 'a', n: 1 }, schema);
    assert.equal(schemaRef.format, 'glue');
    assert.equal(parseGlueFrame(bytes).schemaVersionId, schemaRef.id);
    assert.equal(fake.schemas.get('reg/pings')?.[0]?.definition, JSON.stringify(schema));
    assert.ok(fake.registries.has('reg'));
    const decoded = await new AvroDecoder({ glue: registry }).decode(bytes);
    assert.deepEqual(JSON.parse(JSON.stringify(decoded.value)), { id: 'a', n: 1 });
    assert.equal(decoded.schemaRef.id, schemaRef.id);
  });

  it('looks the version up once, then serves records from cache', async () => {
    const { fake, serializer } = setUp();
    await serializer.encode({ id: 'a', n: 1 }, schema);
    const callsAfterFirst = fake.calls.length;
    for (let i = 0; i < 50; i += 1) await serializer.encode({ id: 'b', n: i }, schema);
    assert.equal(fake.calls.length, callsAfterFirst);
  });

  it('keeps encoding with the cached id while the registry is down past the TTL, and reports refresh failures', async () => {
    const { fake, serializer, advance } = setUp({ ttlMs: 1000 });
    const first = await serializer.encode({ id: 'a', n: 1 }, schema);
    fake.down = true;
    advance(5000);
    const second = await serializer.encode({ id: 'b', n: 2 }, schema);
    assert.equal(second.schemaRef.id, first.schemaRef.id);
    await serializer.settled();
    assert.equal(fake.calls.at(-1), 'GetSchemaByDefinition', 'a background refresh was attempted');
  });

  it('fails retriably, naming the endpoint, when the registry is down and nothing is cached', async () => {
    const { fake, serializer } = setUp();
    fake.down = true;
    await assert.rejects(
      serializer.encode({ id: 'a', n: 1 }, schema),
      (error: unknown) =>
        error instanceof PipelineError &&
        error.stage === 'registry' &&
        error.retriable &&
        error.code === 'REGISTRY_UNREACHABLE' &&
        error.message.includes('fake-glue'),
    );
  });

  it('refuses to encode an unregistered schema when auto-registration is off', async () => {
    const { fake, serializer } = setUp({ autoRegister: false });
    await assert.rejects(serializer.encode({ id: 'a', n: 1 }, schema), /register-schemas/);
    assert.ok(!fake.calls.includes('RegisterSchemaVersion'));
  });

  it('zlib-compresses the Avro body and sets compression byte 5', async () => {
    const { registry, serializer } = setUp({ compression: 'zlib' });
    const { bytes } = await serializer.encode({ id: 'zz', n: 7 }, schema);
    const frame = parseGlueFrame(bytes);
    assert.equal(frame.compression, 'zlib');
    assert.equal(bytes[1], 5);
    assert.equal(inflateSync(frame.body).length, 4);
    const decoded = await new AvroDecoder({ glue: registry }).decode(bytes);
    assert.deepEqual(JSON.parse(JSON.stringify(decoded.value)), { id: 'zz', n: 7 });
  });

  it('decodes into a reader schema through Avro resolution', async () => {
    const { registry, serializer } = setUp();
    const { bytes } = await serializer.encode({ id: 'a', n: 3 }, schema);
    const reader = {
      ...schema,
      fields: [...schema.fields, { name: 'note', type: ['null', 'string'], default: null }],
    };
    const decoded = await new AvroDecoder({ glue: registry }).decode(bytes, { readerSchema: reader });
    assert.deepEqual(JSON.parse(JSON.stringify(decoded.value)), { id: 'a', n: 3, note: null });
  });

  it('a decoder without Glue settings says so instead of guessing', async () => {
    const { serializer } = setUp();
    const { bytes } = await serializer.encode({ id: 'a', n: 1 }, schema);
    await assert.rejects(new AvroDecoder({}).decode(bytes), /no Glue Schema Registry is configured/);
  });
});
