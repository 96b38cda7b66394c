import {
  type Compatibility,
  CreateRegistryCommand,
  CreateSchemaCommand,
  GetSchemaByDefinitionCommand,
  GetSchemaCommand,
  GetSchemaVersionCommand,
  GlueClient,
  RegisterSchemaVersionCommand,
  UpdateSchemaCommand,
} from '@aws-sdk/client-glue';
import { PipelineError } from '../errors.ts';
import { awsErrorName, toRegistryError } from './registry-errors.ts';

export interface GlueConnectionOptions {
  region?: string;
  /** Override for local emulators (moto) or VPC endpoints; the SDK default otherwise. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call, including the first; kept low so an outage surfaces fast. */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface SchemaVersionInfo {
  schemaVersionId: string;
  versionNumber?: number;
  status?: string;
}

export interface SchemaVersionDefinition extends SchemaVersionInfo {
  definition: string;
  dataFormat?: string;
}

export interface GlueSchemaInfo {
  compatibility?: string;
  latestVersion?: number;
  dataFormat?: string;
}

const REGISTRY_NAME = 'AWS Glue Schema Registry';

/**
 * The Glue Schema Registry calls the serdes and the registration script share, each turning SDK
 * failures into PipelineErrors that name the endpoint and what was being done.
 */
export class GlueSchemaRegistry {
  readonly client: GlueClient;
  readonly endpointLabel: string;

  constructor(options: GlueConnectionOptions | { client: GlueClient; endpointLabel?: string }) {
    if ('client' in options) {
      this.client = options.client;
      this.endpointLabel = options.endpointLabel ?? 'the configured Glue endpoint';
      return;
    }
    this.client = new GlueClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 3000,
        requestTimeout: options.requestTimeoutMs ?? 10_000,
      },
    });
    this.endpointLabel =
      options.endpoint ?? `the AWS Glue endpoint of ${options.region ?? 'the default region'}`;
  }

  private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toRegistryError(error, { registry: REGISTRY_NAME, url: this.endpointLabel, action });
    }
  }

  /** Like `call`, but "does not exist" (EntityNotFoundException) is an answer: undefined. */
  private async callOrMissing<T>(action: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (awsErrorName(error) === 'EntityNotFoundException') return undefined;
      throw toRegistryError(error, { registry: REGISTRY_NAME, url: this.endpointLabel, action });
    }
  }

  /** Undefined when the registry, the schema or that exact definition does not exist. */
  async findVersionByDefinition(
    registryName: string,
    schemaName: string,
    definition: string,
  ): Promise<SchemaVersionInfo | undefined> {
    const response = await this.callOrMissing(
      `looking up schema "${registryName}/${schemaName}" by definition`,
      () =>
        this.client.send(
          new GetSchemaByDefinitionCommand({
            SchemaId: { RegistryName: registryName, SchemaName: schemaName },
            SchemaDefinition: definition,
          }),
        ),
    );
    if (!response?.SchemaVersionId) return undefined;
    return { schemaVersionId: response.SchemaVersionId, status: response.Status };
  }

  /** Undefined when the registry or schema does not exist yet. */
  async registerVersion(
    registryName: string,
    schemaName: string,
    definition: string,
  ): Promise<SchemaVersionInfo | undefined> {
    const action = `registering a version of "${registryName}/${schemaName}"`;
    const response = await this.callOrMissing(action, () =>
      this.client.send(
        new RegisterSchemaVersionCommand({
          SchemaId: { RegistryName: registryName, SchemaName: schemaName },
          SchemaDefinition: definition,
        }),
      ),
    );
    return response === undefined ? undefined : this.versionInfo(response, action);
  }

  /** Creates the registry; an already existing one is fine (another writer may have won the race). */
  async ensureRegistry(registryName: string): Promise<void> {
    try {
      await this.client.send(new CreateRegistryCommand({ RegistryName: registryName }));
    } catch (error) {
      if (awsErrorName(error) === 'AlreadyExistsException') return;
      throw toRegistryError(error, {
        registry: REGISTRY_NAME,
        url: this.endpointLabel,
        action: `creating registry "${registryName}"`,
      });
    }
  }

  /**
   * Creates the schema with `definition` as version 1. Undefined when the registry is missing; when
   * the schema already exists, registers the definition as a version instead.
   */
  async createSchema(
    registryName: string,
    schemaName: string,
    definition: string,
    compatibility: Compatibility,
  ): Promise<SchemaVersionInfo | undefined> {
    const action = `creating schema "${registryName}/${schemaName}"`;
    try {
      const response = await this.client.send(
        new CreateSchemaCommand({
          RegistryId: { RegistryName: registryName },
          SchemaName: schemaName,
          DataFormat: 'AVRO',
          Compatibility: compatibility,
          SchemaDefinition: definition,
        }),
      );
      if (!response.SchemaVersionId) {
        throw new PipelineError(
          'registry',
          'REGISTRY_BAD_RESPONSE',
          `${REGISTRY_NAME} returned no schema version id while ${action}`,
        );
      }
      return {
        schemaVersionId: response.SchemaVersionId,
        versionNumber: 1,
        status: response.SchemaVersionStatus,
      };
    } catch (error) {
      const name = awsErrorName(error);
      if (name === 'EntityNotFoundException') return undefined;
      if (name === 'AlreadyExistsException')
        return this.registerVersion(registryName, schemaName, definition);
      throw toRegistryError(error, { registry: REGISTRY_NAME, url: this.endpointLabel, action });
    }
  }

  /**
   * Creates the schema with `definition` as version 1, creating the registry first when it is missing
   * (another writer may win either race; that is fine).
   */
  async createSchemaAndRegistry(
    registryName: string,
    schemaName: string,
    definition: string,
    compatibility: Compatibility,
  ): Promise<SchemaVersionInfo> {
    const created = await this.createSchema(registryName, schemaName, definition, compatibility);
    if (created) return created;
    await this.ensureRegistry(registryName);
    const retried = await this.createSchema(registryName, schemaName, definition, compatibility);
    if (!retried) {
      throw new PipelineError(
        'registry',
        'REGISTRY_BAD_RESPONSE',
        `${REGISTRY_NAME} at ${this.endpointLabel}: registry "${registryName}" still missing after creating it`,
      );
    }
    return retried;
  }

  async getVersionById(schemaVersionId: string): Promise<SchemaVersionDefinition> {
    const action = `fetching schema version ${schemaVersionId}`;
    const response = await this.call(action, () =>
      this.client.send(new GetSchemaVersionCommand({ SchemaVersionId: schemaVersionId })),
    );
    return this.definitionOf(response, action);
  }

  /** Undefined when that version number does not exist. */
  async getVersionByNumber(
    registryName: string,
    schemaName: string,
    versionNumber: number,
  ): Promise<SchemaVersionDefinition | undefined> {
    const action = `fetching version ${versionNumber} of "${registryName}/${schemaName}"`;
    const response = await this.callOrMissing(action, () =>
      this.client.send(
        new GetSchemaVersionCommand({
          SchemaId: { RegistryName: registryName, SchemaName: schemaName },
          SchemaVersionNumber: { VersionNumber: versionNumber },
        }),
      ),
    );
    return response === undefined ? undefined : this.definitionOf(response, action);
  }

  /** Undefined when the registry or the schema does not exist. */
  async getSchema(registryName: string, schemaName: string): Promise<GlueSchemaInfo | undefined> {
    const response = await this.callOrMissing(`reading schema "${registryName}/${schemaName}"`, () =>
      this.client.send(
        new GetSchemaCommand({ SchemaId: { RegistryName: registryName, SchemaName: schemaName } }),
      ),
    );
    if (response === undefined) return undefined;
    return {
      compatibility: response.Compatibility,
      latestVersion: response.LatestSchemaVersion,
      dataFormat: response.DataFormat,
    };
  }

  /**
   * Every version of the schema with its definition and status, oldest first; empty when the schema
   * does not exist. Walks version numbers up to the latest (one GetSchemaVersion each) because moto has
   * no ListSchemaVersions; a number that is gone (deleted) is skipped.
   */
  async listVersions(registryName: string, schemaName: string): Promise<SchemaVersionDefinition[]> {
    const schema = await this.getSchema(registryName, schemaName);
    const latest = schema?.latestVersion ?? 0;
    const versions: SchemaVersionDefinition[] = [];
    for (let number = 1; number <= latest; number += 1) {
      const stored = await this.getVersionByNumber(registryName, schemaName, number);
      if (stored) versions.push({ ...stored, versionNumber: stored.versionNumber ?? number });
    }
    return versions;
  }

  async setCompatibility(
    registryName: string,
    schemaName: string,
    compatibility: Compatibility,
  ): Promise<void> {
    await this.call(`setting compatibility of "${registryName}/${schemaName}" to ${compatibility}`, () =>
      this.client.send(
        new UpdateSchemaCommand({
          SchemaId: { RegistryName: registryName, SchemaName: schemaName },
          Compatibility: compatibility,
        }),
      ),
    );
  }

  private versionInfo(
    response: { SchemaVersionId?: string; VersionNumber?: number; Status?: string },
    action: string,
  ): SchemaVersionInfo {
    if (!response.SchemaVersionId) {
      throw new PipelineError(
        'registry',
        'REGISTRY_BAD_RESPONSE',
        `${REGISTRY_NAME} returned no schema version id while ${action}`,
      );
    }
    return {
      schemaVersionId: response.SchemaVersionId,
      versionNumber: response.VersionNumber,
      status: response.Status,
    };
  }

  private definitionOf(
    response: {
      SchemaVersionId?: string;
      SchemaDefinition?: string;
      VersionNumber?: number;
      Status?: string;
      DataFormat?: string;
    },
    action: string,
  ): SchemaVersionDefinition {
    if (!response.SchemaDefinition) {
      throw new PipelineError(
        'registry',
        'REGISTRY_BAD_RESPONSE',
        `${REGISTRY_NAME} returned no schema definition while ${action}`,
      );
    }
    return {
      ...this.versionInfo(response, action),
      definition: response.SchemaDefinition,
      dataFormat: response.DataFormat,
    };
  }
}
