import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { PipelineError } from '../errors.ts';
import type { CompatibilityLevel } from './compatibility-level.ts';
import { toRegistryError } from './registry-errors.ts';
import { sameSchema } from './schema-text.ts';

export interface ConfluentConnectionOptions {
  /** API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio. Credentials in it become basic auth. */
  url: string;
  auth?: { username: string; password: string };
  /** Retries after the first attempt; kept low so an outage surfaces fast. */
  retries?: number;
  timeoutMs?: number;
}

export interface SubjectVersion {
  version: number;
  id: number;
  schema: string;
}

export interface RegistryCompatibilityAnswer {
  compatible: boolean;
  /** The registry's own explanation, when it gives one (`verbose=true`). */
  messages: string[];
}

const REGISTRY_NAME = 'Confluent-compatible schema registry';
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

class HttpStatusError extends Error {
  readonly status: number;
  readonly errorCode: number | undefined;
  constructor(status: number, errorCode: number | undefined, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

/**
 * A URL as it may appear in a message: without the user and password a URL like
 * https://user:secret@registry/ carries, so credentials are never echoed.
 */
function withoutCredentials(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return shown.href.replace(/\/+$/, '');
}

/**
 * The one client for a Confluent-compatible registry (Confluent, Apicurio's ccompat API, Karapace).
 * Ids, schemas by id and registration go through @kafkajs/confluent-schema-registry, which caches
 * schemas by id. Plain fetch covers what that library does not offer: look-ups with `normalize=true`,
 * listing a subject's versions, reading and setting its compatibility level and the registry's own
 * compatibility check.
 */
export class ConfluentRegistryClient {
  /** The API root without credentials: safe to print. */
  readonly url: string;
  private readonly apiRoot: string;
  private readonly library: SchemaRegistry;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: ConfluentConnectionOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new PipelineError('config', 'CONFIG_INVALID', 'the registry URL is not a valid URL');
    }
    const fromUrl =
      parsed.username === ''
        ? undefined
        : { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    const auth = options.auth ?? fromUrl;
    this.url = withoutCredentials(parsed);
    this.apiRoot = this.url;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = { Accept: CONTENT_TYPE, 'Content-Type': CONTENT_TYPE };
    if (auth) {
      this.headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    this.library = new SchemaRegistry({
      host: this.apiRoot,
      ...(auth ? { auth } : {}),
      retry: { retries: options.retries ?? 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 2 },
    });
  }

  /**
   * The id of this schema under `subject`, or undefined when the subject does not hold it. Asks the
   * registry to normalise first, so a version registered in another spelling is found; a registry that
   * ignores `normalize` compares text, so the subject's versions are then compared here, schema by schema.
   */
  async findId(subject: string, definition: string): Promise<number | undefined> {
    const found = await this.lookUp(subject, definition, { normalize: true });
    if (found) return found.id;
    for (const version of (await this.listVersions(subject)).reverse()) {
      const stored = await this.getVersion(subject, version);
      if (stored && sameSchema(stored.schema, definition)) return stored.id;
    }
    return undefined;
  }

  /**
   * Registers the schema under `subject`; returns the existing id when it is already there. For a new
   * subject it also sets the compatibility level.
   */
  async register(subject: string, definition: string, compatibility: CompatibilityLevel): Promise<number> {
    const attempt = () =>
      this.library.register(
        { type: SchemaType.AVRO, schema: definition },
        { subject, compatibility: COMPATIBILITY[compatibility] },
      );
    try {
      try {
        return (await attempt()).id;
      } catch (error) {
        // Two producers registering a new subject at once (Lambda instances starting together, replay's
        // workers) both find no compatibility level and both set it; the registry refuses the second with
        // 409. The level is then set, so one more attempt reads it and registers (or finds) the schema.
        // An incompatible schema is a 409 too; its second attempt fails the same way and is reported.
        if ((error as { status?: unknown } | null)?.status !== 409) throw error;
        return (await attempt()).id;
      }
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
      const type = (await this.library.getSchema(id)) as unknown as { schema(opts?: object): unknown };
      return JSON.stringify(type.schema({ exportAttrs: true }));
    } catch (error) {
      throw toRegistryError(error, {
        registry: REGISTRY_NAME,
        url: this.url,
        action: `fetching schema id ${id}`,
      });
    }
  }

  /** Version numbers under `subject`, oldest first; empty when the subject does not exist. */
  async listVersions(subject: string): Promise<number[]> {
    const versions = await this.request<number[]>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      {
        action: `listing versions of subject "${subject}"`,
        notFound: [],
      },
    );
    return [...versions].sort((a, b) => a - b);
  }

  /** Undefined when that version does not exist (deleted, or never registered). */
  async getVersion(subject: string, version: number): Promise<SubjectVersion | undefined> {
    return this.request<SubjectVersion | undefined>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/${version}`,
      { action: `reading version ${version} of subject "${subject}"`, notFound: undefined },
    );
  }

  /** The subject's own compatibility level; undefined when none is set on the subject. */
  async getCompatibility(subject: string): Promise<string | undefined> {
    const config = await this.request<{ compatibilityLevel?: string; compatibility?: string } | undefined>(
      'GET',
      `/config/${encodeURIComponent(subject)}`,
      { action: `reading the compatibility of subject "${subject}"`, notFound: undefined },
    );
    return config?.compatibilityLevel ?? config?.compatibility;
  }

  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, {
      action: `setting the compatibility of subject "${subject}" to ${level}`,
      body: { compatibility: level },
    });
  }

  /** The version under `subject` that holds this schema, if any; `normalize` lets the registry compare. */
  async lookUp(
    subject: string,
    definition: string,
    options: { normalize?: boolean } = {},
  ): Promise<SubjectVersion | undefined> {
    const query = options.normalize ? '?normalize=true' : '';
    return this.request<SubjectVersion | undefined>(
      'POST',
      `/subjects/${encodeURIComponent(subject)}${query}`,
      {
        action: `looking up a schema under subject "${subject}"`,
        body: { schema: definition },
        notFound: undefined,
      },
    );
  }

  /**
   * The registry's own verdict on whether `definition` may follow the latest version of `subject`,
   * under the level the registry holds for it. Undefined when the subject has no versions yet.
   */
  async checkCompatibility(
    subject: string,
    definition: string,
  ): Promise<RegistryCompatibilityAnswer | undefined> {
    const answer = await this.request<{ is_compatible?: boolean; messages?: unknown } | undefined>(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      {
        action: `asking the registry whether the schema is compatible with subject "${subject}"`,
        body: { schema: definition },
        notFound: undefined,
      },
    );
    if (answer === undefined || typeof answer.is_compatible !== 'boolean') return undefined;
    const messages = Array.isArray(answer.messages) ? answer.messages.map(String) : [];
    return { compatible: answer.is_compatible, messages };
  }

  private async request<T>(
    method: string,
    path: string,
    options: { action: string; body?: unknown; notFound?: T },
  ): Promise<T> {
    const context = { registry: REGISTRY_NAME, url: this.url, action: options.action };
    let response: Response;
    try {
      response = await fetch(`${this.apiRoot}${path}`, {
        method,
        headers: this.headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw toRegistryError(error, context);
    }
    const text = await response.text();
    if (response.status === 404 && 'notFound' in options) return options.notFound as T;
    if (!response.ok) {
      let errorCode: number | undefined;
      try {
        errorCode = (JSON.parse(text) as { error_code?: number }).error_code;
      } catch {
        errorCode = undefined;
      }
      throw toRegistryError(
        new HttpStatusError(response.status, errorCode, `HTTP ${response.status}: ${text.slice(0, 500)}`),
        context,
      );
    }
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      throw new PipelineError(
        'registry',
        'REGISTRY_BAD_RESPONSE',
        `${REGISTRY_NAME} at ${this.url} sent non-JSON while ${options.action}`,
      );
    }
  }
}
