import type { CompatibilityLevel } from '../serde/compatibility-level.ts';
import type { ConfluentRegistryClient, RegistryCompatibilityAnswer } from '../serde/confluent-registry.ts';
import type { RegistrationTarget, StoredVersion } from './target.ts';

export class ConfluentTarget implements RegistrationTarget {
  readonly kind = 'confluent' as const;
  readonly location: string;
  private readonly client: ConfluentRegistryClient;
  private readonly subject: string;

  constructor(client: ConfluentRegistryClient, subject: string) {
    this.client = client;
    this.subject = subject;
    this.location = `subject "${subject}" at ${client.url}`;
  }

  /** Undefined when the subject does not exist; a subject without its own level reports the global one. */
  async currentCompatibility(): Promise<string | undefined> {
    if ((await this.client.listVersions(this.subject)).length === 0) return undefined;
    return this.client.getCompatibility(this.subject);
  }

  async versions(): Promise<StoredVersion[]> {
    const numbers = await this.client.listVersions(this.subject);
    const versions: StoredVersion[] = [];
    for (const number of numbers) {
      // A version deleted between the listing and this read is simply not there any more.
      const stored = await this.client.getVersion(this.subject, number);
      if (stored)
        versions.push({ version: stored.version, definition: stored.schema, id: String(stored.id) });
    }
    return versions;
  }

  async setupSteps(): Promise<string[]> {
    return [];
  }

  async setCompatibility(level: CompatibilityLevel): Promise<void> {
    await this.client.setCompatibility(this.subject, level);
  }

  /** The registry's own compatibility verdict, so registration can report where it disagrees with ours. */
  async registryVerdict(definition: string): Promise<RegistryCompatibilityAnswer | undefined> {
    return this.client.checkCompatibility(this.subject, definition);
  }

  async register(definition: string, level: CompatibilityLevel): Promise<{ id: string; version?: number }> {
    // Set the level first: the registry enforces the level it holds when it accepts the version.
    // (Apicurio and Confluent accept a subject config before the subject has any version.)
    await this.setCompatibility(level);
    const id = await this.client.register(this.subject, definition, level);
    const stored = await this.client.lookUp(this.subject, definition, { normalize: true });
    return { id: String(id), ...(stored ? { version: stored.version } : {}) };
  }
}
