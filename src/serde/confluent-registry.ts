import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { CompatibilityLevel } from './compatibility-level.ts';
import { toRegistryError } from './registry-errors.ts';

export interface ConfluentConnectionOptions {
  /** API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio. */
  url: string;
  auth?: { username: string; password: string };
  /** Retries after the first attempt; kept low so an outage surfaces fast. */
  retries?: number;
}

const REGISTRY_NAME = 'Confluent-compatible schema registry';

/**
 * The calls the serdes make to a Confluent-compatible registry, through
 * @kafkajs/confluent-schema-registry, with failures turned into PipelineErrors naming the URL.
 */
export class ConfluentRegistryClient {
  readonly url: string;
  private readonly registry: SchemaRegistry;

  constructor(options: ConfluentConnectionOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.registry = new SchemaRegistry({
      host: this.url,
      ...(options.auth ? { auth: options.auth } : {}),
      retry: { retries: options.retries ?? 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 2 },
    });
  }

  /** The id of this exact schema under `subject`, or undefined when the subject does not hold it. */
  async findId(subject: string, definition: string): Promise<number | undefined> {
    try {
      return await this.registry.getRegistryIdBySchema(subject, {
        type: SchemaType.AVRO,
        schema: definition,
      });
    } catch (error) {
      // The library rewraps only a 404 into its base error class; everything else arrives unwrapped.
      if ((error as Error | null)?.name === 'ConfluentSchemaRegistryError') return undefined;
      throw toRegistryError(error, {
        registry: REGISTRY_NAME,
        url: this.url,
        action: `looking up the schema under subject "${subject}"`,
      });
    }
  }

  /**
   * Registers the schema under `subject`; returns the existing id when it is already there. For a new
   * subject it also sets the compatibility level.
   */
  async register(subject: string, definition: string, compatibility: CompatibilityLevel): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: definition },
        { subject, compatibility: COMPATIBILITY[compatibility] },
      );
      return id;
    } catch (error) {
      throw toRegistryError(error, {
        registry: REGISTRY_NAME,
        url: this.url,
        action: `registering a schema under subject "${subject}"`,
      });
    }
  }

  /** The writer schema for a global id, as JSON text. The library caches it per id. */
  async getSchemaDefinition(id: number): Promise<string> {
    try {
      const type = (await this.registry.getSchema(id)) as unknown as { schema(opts?: object): unknown };
      return JSON.stringify(type.schema({ exportAttrs: true }));
    } catch (error) {
      throw toRegistryError(error, {
        registry: REGISTRY_NAME,
        url: this.url,
        action: `fetching schema id ${id}`,
      });
    }
  }
}
