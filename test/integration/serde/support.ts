import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { DeleteRegistryCommand } from '@aws-sdk/client-glue';
import { GlueSchemaRegistry } from '../../../src/serde/glue-registry.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../../../src/stack/endpoints.ts';

export { closedPort } from '../../support/ports.ts';

/** Helpers for serde, registration and interop tests against the local stack's Apicurio and moto. */

export const endpoints = stackEndpoints();

/** A name no parallel run will also pick (Glue names allow letters, digits, - and _). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

const scratchRegistries = new Set<string>();

/**
 * A unique Glue registry name that `deleteScratchRegistries` removes again. Glue (and moto) allow only
 * ten registries per account, so a test that creates one must delete it or the suite runs out.
 */
export function scratchRegistryName(prefix: string): string {
  const name = uniqueName(prefix);
  scratchRegistries.add(name);
  return name;
}

export async function deleteScratchRegistries(): Promise<void> {
  const glue = localGlue();
  for (const name of scratchRegistries) {
    await glue.client
      .send(new DeleteRegistryCommand({ RegistryId: { RegistryName: name } }))
      .catch(() => undefined);
    scratchRegistries.delete(name);
  }
}

export function localGlue(endpoint: string = endpoints.glueEndpoint, maxAttempts = 2): GlueSchemaRegistry {
  return new GlueSchemaRegistry({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: { ...LOCAL_AWS_CREDENTIALS },
    maxAttempts,
    connectionTimeoutMs: 1000,
  });
}

/** Fails the suite early, with the command to run, when the stack's registries are not up. */
export async function requireRegistries(): Promise<void> {
  const checks: [string, string][] = [
    ['Apicurio (ccompat)', `${endpoints.registryUrl}/subjects`],
    ['moto (Glue)', `${endpoints.glueEndpoint}/moto-api/`],
  ];
  for (const [name, url] of checks) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(3000) });
    } catch {
      throw new Error(
        `${name} is not reachable at ${url}; start the stack: npx tsx src/cli/main.ts stack up`,
      );
    }
  }
}

/**
 * A loopback TCP proxy in front of a real registry that a test can cut, to show what happens when the
 * registry goes away mid-run (the shared stack itself must stay up for everyone else).
 */
export class CuttableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** Stops accepting and drops every open connection, so the next request is refused. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** Avro-decoded records are class instances; compare them as plain JSON. */
export function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? Number(inner) : inner)),
  );
}
