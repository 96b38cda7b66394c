import { deflateSync } from 'node:zlib';
import { ConfigError, PipelineError } from '../errors.ts';
import { logger } from '../observability/logger.ts';
import { pollUntil } from '../retry.ts';
import {
  type AvroSchemaInput,
  type AvroTypeCache,
  type CompiledSchema,
  defaultTypeCache,
  encodeAvroBody,
  encodeAvroFramed,
} from './avro-types.ts';
import {
  type CompatibilityLevel,
  DEFAULT_COMPATIBILITY,
  toGlueCompatibility,
} from './compatibility-level.ts';
import { type GlueConnectionOptions, GlueSchemaRegistry, type SchemaVersionInfo } from './glue-registry.ts';
import { RefreshingCache } from './refreshing-cache.ts';
import { sameSchema } from './schema-text.ts';
import type { BoundEncoder, EncodeContext, EncodeResult, Serializer } from './types.ts';
import { type GlueCompression, glueHeader } from './wire-format.ts';

export interface GlueSerializerOptions {
  /** Connection settings, or a ready GlueSchemaRegistry (shared clients, tests). */
  registry: GlueConnectionOptions | GlueSchemaRegistry;
  registryName: string;
  /** Fixed schema name; when absent the topic names the schema, as the AWS Java serializer does. */
  schemaName?: string;
  /** Default topic when encode() is not told one. */
  topic?: string;
  /** Create the registry/schema/version when missing. Off by default: the registration script owns that. */
  autoRegister?: boolean;
  /** Compatibility given to a schema this serializer creates. */
  compatibility?: CompatibilityLevel;
  compression?: GlueCompression;
  /** How long a looked-up version id is fresh (default 24 h, as the AWS serializer). */
  cacheTtlMs?: number;
  typeCache?: AvroTypeCache;
  now?: () => number;
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
const AVAILABLE = 'AVAILABLE';
/** Glue settles a new version's compatibility check in about a second; wait up to 5 s before handing back. */
const PENDING_POLLS = 20;
const PENDING_POLL_MS = 250;

export class GlueSerializer implements Serializer {
  readonly format = 'glue' as const;
  private readonly registry: GlueSchemaRegistry;
  private readonly versionIds: RefreshingCache<SchemaVersionInfo>;
  private readonly typeCache: AvroTypeCache;
  private readonly options: GlueSerializerOptions;

  constructor(options: GlueSerializerOptions) {
    if (!options.registryName)
      throw new ConfigError('glue.registryName', 'required: the Glue registry to use');
    this.options = options;
    this.registry =
      options.registry instanceof GlueSchemaRegistry
        ? options.registry
        : new GlueSchemaRegistry(options.registry);
    this.typeCache = options.typeCache ?? defaultTypeCache;
    this.versionIds = new RefreshingCache({
      ttlMs: options.cacheTtlMs ?? DEFAULT_TTL_MS,
      now: options.now,
      onRefreshError: (key, error, kept) =>
        kept
          ? logger.warn('Glue schema version refresh failed; serving the cached id meanwhile', {
              key,
              error: String(error),
            })
          : logger.error('Glue schema version is no longer usable; the cached id is dropped', {
              key,
              error: String(error),
            }),
    });
  }

  async encode(value: unknown, schema: AvroSchemaInput, context: EncodeContext = {}): Promise<EncodeResult> {
    const encoder = await this.encoderFor(schema, context);
    return { bytes: encoder.encode(value), schemaRef: { ...encoder.schemaRef } };
  }

  async encoderFor(schema: AvroSchemaInput, context: EncodeContext = {}): Promise<BoundEncoder> {
    const compiled = this.typeCache.compile(schema);
    const schemaName = this.schemaNameFor(context);
    const version = await this.versionIds.get(
      `${this.options.registryName}/${schemaName}#${compiled.definitionHash}`,
      () => this.lookUp(schemaName, compiled),
    );
    const compression = this.options.compression ?? 'none';
    const header = glueHeader(version.schemaVersionId, compression);
    return {
      schemaRef: {
        format: 'glue',
        id: version.schemaVersionId,
        ...(version.versionNumber === undefined ? {} : { version: version.versionNumber }),
      },
      encode:
        compression === 'zlib'
          ? (value) => Buffer.concat([header, deflateSync(encodeAvroBody(compiled, value))])
          : (value) => encodeAvroFramed(compiled, header, value),
    };
  }

  /** Waits for background refreshes (tests, graceful shutdown). */
  async settled(): Promise<void> {
    await this.versionIds.settled();
  }

  private schemaNameFor(context: EncodeContext): string {
    const name = this.options.schemaName ?? context.topic ?? this.options.topic;
    if (!name) {
      throw new ConfigError(
        'glue.schemaName',
        'no schema name: set a fixed schema name or pass the topic to encode()',
      );
    }
    return name;
  }

  /**
   * Finds (or, with auto-registration, registers) the version for this schema. Also what a cache refresh
   * runs, so a version deleted or failed since it was cached stops being used once its entry expires.
   */
  private async lookUp(schemaName: string, compiled: CompiledSchema): Promise<SchemaVersionInfo> {
    const { registryName } = this.options;
    const found =
      (await this.registry.findVersionByDefinition(registryName, schemaName, compiled.definition)) ??
      (await this.findSameSchema(schemaName, compiled));
    if (found) return this.requireAvailable(found, schemaName);
    if (!this.options.autoRegister) {
      throw new PipelineError(
        'registry',
        'SCHEMA_NOT_REGISTERED',
        `schema "${registryName}/${schemaName}" has no version matching this definition in ${this.registry.endpointLabel}; run \`ses-kafka register-schemas\` or enable auto-registration`,
      );
    }
    const registered =
      (await this.registry.registerVersion(registryName, schemaName, compiled.definition)) ??
      (await this.registry.createSchemaAndRegistry(
        registryName,
        schemaName,
        compiled.definition,
        toGlueCompatibility(this.options.compatibility ?? DEFAULT_COMPATIBILITY),
      ));
    return this.requireAvailable(registered, schemaName);
  }

  /**
   * GetSchemaByDefinition compares text in moto (real Glue canonicalises first), so a version
   * registered in another spelling of the same schema is looked for among the versions themselves,
   * newest first. Versions in FAILURE or DELETING do not count.
   */
  private async findSameSchema(
    schemaName: string,
    compiled: CompiledSchema,
  ): Promise<SchemaVersionInfo | undefined> {
    const versions = await this.registry.listVersions(this.options.registryName, schemaName);
    return versions
      .reverse()
      .find(
        (version) =>
          (version.status === undefined || version.status === AVAILABLE || version.status === 'PENDING') &&
          sameSchema(version.definition, compiled.definition),
      );
  }

  /**
   * Glue checks compatibility asynchronously: a new version starts PENDING. Poll the version until it
   * settles, since bytes framed with a version that ends up FAILURE would be unreadable.
   */
  private async requireAvailable(version: SchemaVersionInfo, schemaName: string): Promise<SchemaVersionInfo> {
    const settled = await pollUntil(
      version,
      (current) => current.status !== 'PENDING',
      async () => {
        const fetched = await this.registry.getVersionById(version.schemaVersionId);
        return { ...version, status: fetched.status, versionNumber: fetched.versionNumber };
      },
      { attempts: PENDING_POLLS, intervalMs: PENDING_POLL_MS },
    );
    if (settled.status === undefined || settled.status === AVAILABLE) return settled;
    const where = `schema "${this.options.registryName}/${schemaName}" version ${settled.schemaVersionId}`;
    if (settled.status === 'PENDING') {
      throw new PipelineError(
        'registry',
        'SCHEMA_VERSION_PENDING',
        `${where} is still PENDING (Glue is checking its compatibility); the input is handed back to try again`,
        { retriable: true },
      );
    }
    // FAILURE (Glue refused it as incompatible) or DELETING: bytes framed with it would be unreadable.
    throw new PipelineError(
      'registry',
      'SCHEMA_VERSION_UNAVAILABLE',
      `${where} is ${settled.status}, not AVAILABLE; register a compatible version with \`ses-kafka register-schemas\``,
    );
  }
}
