/**
 * One schema identity against the registries as they really behave: a version registered in another
 * spelling is found (Apicurio and moto both compare definitions as text), and a Glue version that the
 * registry says is gone, PENDING or FAILED is treated as such by a running serializer.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { CreateSchemaCommand, DeleteSchemaCommand } from '@aws-sdk/client-glue';
import { ConfluentRegistryClient } from '../../../src/serde/confluent-registry.ts';
import { ConfluentSerializer } from '../../../src/serde/confluent-serializer.ts';
import { GlueSchemaRegistry } from '../../../src/serde/glue-registry.ts';
import { GlueSerializer } from '../../../src/serde/glue-serializer.ts';
import { schemaText } from '../../../src/serde/schema-text.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../../src/stack/endpoints.ts';
import {
  deleteScratchRegistries,
  endpoints,
  localGlue,
  requireRegistries,
  scratchRegistryName,
  uniqueName,
} from './support.ts';

const schema = {
  type: 'record',
  name: 'Spelled',
  namespace: 'dev.seskafka.identity',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['A', 'B'] } },
    { name: 'again', type: ['null', 'Status'], default: null },
    { name: 'count', type: 'long', default: 0 },
  ],
};

/** The same schema as a person might write it: pretty-printed, keys reordered, full names in references. */
const variantSpelling = JSON.stringify(
  {
    fields: [
      { type: 'string', name: 'id' },
      { type: { symbols: ['A', 'B'], name: 'dev.seskafka.identity.Status', type: 'enum' }, name: 'status' },
      { default: null, name: 'again', type: ['null', 'dev.seskafka.identity.Status'] },
      { name: 'count', default: 0, type: 'long' },
    ],
    namespace: 'dev.seskafka.identity',
    type: 'record',
    name: 'Spelled',
  },
  null,
  4,
);

const value = { id: 'x', status: 'B', again: null, count: 3 };

/**
 * A proxy in front of moto that reports a chosen Status for chosen schema versions, because moto marks
 * every version AVAILABLE at once: Glue's PENDING and FAILURE cannot be produced by any server that runs
 * locally. Everything else is moto's real answer.
 */
class StatusRewritingProxy {
  readonly statuses = new Map<string, string[]>();
  private server?: http.Server;
  url = '';

  async start(): Promise<this> {
    const target = new URL(endpoints.glueEndpoint);
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const upstream = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: request.method,
            path: request.url,
            headers: request.headers,
          },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => parts.push(chunk));
            answer.on('end', () => {
              let body = Buffer.concat(parts).toString('utf8');
              try {
                const parsed = JSON.parse(body) as { SchemaVersionId?: string; Status?: string };
                const queue = parsed.SchemaVersionId ? this.statuses.get(parsed.SchemaVersionId) : undefined;
                if (queue && queue.length > 0 && 'Status' in parsed) {
                  parsed.Status = queue.length > 1 ? (queue.shift() as string) : (queue[0] as string);
                  body = JSON.stringify(parsed);
                }
              } catch {
                // not JSON: passed on as it is
              }
              const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
              response.writeHead(answer.statusCode ?? 500, headers);
              response.end(body);
            });
          },
        );
        upstream.on('error', (error) => {
          response.writeHead(502);
          response.end(String(error));
        });
        upstream.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('one schema identity against the real registries', function () {
  this.timeout(60_000);
  before(requireRegistries);
  afterEach(deleteScratchRegistries);

  it('Confluent (Apicurio): a version registered in another spelling is found, without auto-registration', async () => {
    const topic = uniqueName('identity');
    const response = await fetch(`${endpoints.registryUrl}/subjects/${topic}-value/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: variantSpelling }),
    });
    const { id } = (await response.json()) as { id: number };
    assert.notEqual(variantSpelling, schemaText(schema), 'the registry holds a different text');
    const serializer = new ConfluentSerializer({
      registry: { url: endpoints.registryUrl },
      topic,
      autoRegister: false,
    });
    const { schemaRef } = await serializer.encode(value, schema);
    assert.equal(schemaRef.id, String(id));
  });

  it('Confluent (Apicurio): producers registering a new subject at the same moment all get its id', async () => {
    // Lambda instances that start together, or replay's workers, race to set the new subject's
    // compatibility level; the registry refuses all but the first (409), which must not fail the batch.
    const definition = schemaText(schema);
    for (let trial = 0; trial < 10; trial++) {
      const subject = `${uniqueName('identity-race')}-value`;
      const clients = [1, 2, 3].map(() => new ConfluentRegistryClient({ url: endpoints.registryUrl }));
      const ids = await Promise.all(
        clients.map((client) => client.register(subject, definition, 'BACKWARD')),
      );
      assert.equal(new Set(ids).size, 1, `one id for the subject, got ${ids.join(', ')}`);
    }
  });

  it('Glue (moto): a version registered in another spelling is found, without auto-registration', async () => {
    const registryName = scratchRegistryName('identity');
    const glue = localGlue();
    await glue.ensureRegistry(registryName);
    const created = await glue.client.send(
      new CreateSchemaCommand({
        RegistryId: { RegistryName: registryName },
        SchemaName: 'spelled',
        DataFormat: 'AVRO',
        Compatibility: 'BACKWARD',
        SchemaDefinition: variantSpelling,
      }),
    );
    const serializer = new GlueSerializer({
      registry: glue,
      registryName,
      schemaName: 'spelled',
      autoRegister: false,
    });
    const { schemaRef } = await serializer.encode(value, schema);
    assert.equal(schemaRef.id, created.SchemaVersionId);
  });

  it('Glue: a version deleted under a running producer stops being used once its cache entry expires', async () => {
    const registryName = scratchRegistryName('identity-del');
    const glue = localGlue();
    await glue.ensureRegistry(registryName);
    const created = await glue.createSchema(registryName, 'deleted', schemaText(schema), 'BACKWARD');
    let clock = Date.now();
    const running = new GlueSerializer({
      registry: glue,
      registryName,
      schemaName: 'deleted',
      autoRegister: false,
      cacheTtlMs: 1_000,
      now: () => clock,
    });
    assert.equal((await running.encode(value, schema)).schemaRef.id, created?.schemaVersionId);
    // moto has no DeleteSchemaVersions; deleting the schema deletes its versions, as Glue does.
    await glue.client.send(
      new DeleteSchemaCommand({ SchemaId: { RegistryName: registryName, SchemaName: 'deleted' } }),
    );
    // Within the TTL the cached id is used: the registry is not asked per record.
    assert.equal((await running.encode(value, schema)).schemaRef.id, created?.schemaVersionId);
    // Past it, the record that finds the entry stale still goes out while the refresh runs...
    clock += 2_000;
    await running.encode(value, schema);
    await running.settled();
    // ...and the refresh heard that the version is gone: from then on, nothing is framed with it.
    await assert.rejects(
      running.encode(value, schema),
      (error: Error & { code?: string; retriable?: boolean }) => {
        assert.equal(error.code, 'SCHEMA_NOT_REGISTERED');
        assert.equal(error.retriable, false, 'a deleted version is a real "no", not an outage');
        return true;
      },
    );
  });

  it('Glue: a PENDING version is waited for until AVAILABLE; a FAILURE version is refused, never used', async () => {
    const proxy = await new StatusRewritingProxy().start();
    try {
      const registryName = scratchRegistryName('identity-status');
      const direct = localGlue();
      const glue = new GlueSchemaRegistry({
        endpoint: proxy.url,
        region: LOCAL_AWS_REGION,
        credentials: { ...LOCAL_AWS_CREDENTIALS },
        maxAttempts: 2,
      });
      await direct.ensureRegistry(registryName);
      const pendingVersion = await direct.createSchema(
        registryName,
        'pending',
        JSON.stringify(schema),
        'BACKWARD',
      );
      assert.ok(pendingVersion);
      proxy.statuses.set(pendingVersion.schemaVersionId, ['PENDING', 'PENDING', 'AVAILABLE']);
      const serializer = new GlueSerializer({
        registry: glue,
        registryName,
        schemaName: 'pending',
        autoRegister: false,
      });
      const started = Date.now();
      const { schemaRef } = await serializer.encode(value, schema);
      assert.equal(schemaRef.id, pendingVersion.schemaVersionId);
      assert.ok(Date.now() - started >= 250, 'it polled while the version was PENDING');

      const failedVersion = await direct.createSchema(
        registryName,
        'failed',
        JSON.stringify(schema),
        'BACKWARD',
      );
      assert.ok(failedVersion);
      proxy.statuses.set(failedVersion.schemaVersionId, ['FAILURE']);
      const refusing = new GlueSerializer({
        registry: glue,
        registryName,
        schemaName: 'failed',
        autoRegister: false,
      });
      await assert.rejects(
        refusing.encode(value, schema),
        (error: Error & { code?: string; retriable?: boolean }) => {
          assert.equal(error.code, 'SCHEMA_VERSION_UNAVAILABLE');
          assert.equal(error.retriable, false);
          assert.match(error.message, /FAILURE, not AVAILABLE/);
          return true;
        },
      );
    } finally {
      await proxy.stop();
    }
  });
});
