import { PipelineError } from '../errors.ts';
import { type CompatibilityLevel, toGlueCompatibility } from '../serde/compatibility-level.ts';
import type { GlueSchemaRegistry, SchemaVersionInfo } from '../serde/glue-registry.ts';
import type { RegistrationTarget, StoredVersion } from './target.ts';

const USABLE_STATUSES = new Set(['AVAILABLE', 'PENDING']);

export class GlueTarget implements RegistrationTarget {
  readonly kind = 'glue' as const;
  readonly location: string;
  private readonly registry: GlueSchemaRegistry;
  private readonly registryName: string;
  private readonly schemaName: string;

  constructor(registry: GlueSchemaRegistry, registryName: string, schemaName: string) {
    this.registry = registry;
    this.registryName = registryName;
    this.schemaName = schemaName;
    this.location = `schema "${registryName}/${schemaName}" at ${registry.endpointLabel}`;
  }

  async currentCompatibility(): Promise<string | undefined> {
    return (await this.registry.getSchema(this.registryName, this.schemaName))?.compatibility;
  }

  /**
   * The versions that hold data or will: AVAILABLE ones, and PENDING ones (Glue is still checking them).
   * A version in FAILURE or DELETING never counts, neither as "latest" for the compatibility check nor
   * as "already registered".
   */
  async versions(): Promise<StoredVersion[]> {
    const all = await this.registry.listVersions(this.registryName, this.schemaName);
    return all
      .filter((stored) => stored.status === undefined || USABLE_STATUSES.has(stored.status))
      .map((stored) => ({
        version: stored.versionNumber as number,
        definition: stored.definition,
        id: stored.schemaVersionId,
      }));
  }

  async setupSteps(): Promise<string[]> {
    if (await this.registry.getSchema(this.registryName, this.schemaName)) return [];
    return [`create schema "${this.schemaName}" (creating registry "${this.registryName}" if missing)`];
  }

  async setCompatibility(level: CompatibilityLevel): Promise<void> {
    await this.registry.setCompatibility(this.registryName, this.schemaName, toGlueCompatibility(level));
  }

  async register(definition: string, level: CompatibilityLevel): Promise<{ id: string; version?: number }> {
    const compatibility = toGlueCompatibility(level);
    const exists = (await this.registry.getSchema(this.registryName, this.schemaName)) !== undefined;
    let registered: SchemaVersionInfo | undefined;
    if (exists) {
      await this.setCompatibility(level);
      registered = await this.registry.registerVersion(this.registryName, this.schemaName, definition);
    } else {
      registered = await this.registry.createSchemaAndRegistry(
        this.registryName,
        this.schemaName,
        definition,
        compatibility,
      );
    }
    if (!registered) {
      throw new PipelineError(
        'registry',
        'REGISTRY_BAD_RESPONSE',
        `${this.location} vanished while registering`,
      );
    }
    return {
      id: registered.schemaVersionId,
      ...(registered.versionNumber === undefined ? {} : { version: registered.versionNumber }),
    };
  }
}
