import { PipelineError } from '../errors.ts';
import type { CompatibilityLevel } from '../serde/compatibility-level.ts';
import { toRegistryError } from '../serde/registry-errors.ts';

const REGISTRY_NAME = 'Confluent-compatible schema registry';
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface SubjectVersion {
  version: number;
  id: number;
  schema: string;
}

class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The few Confluent REST calls registration needs that @kafkajs/confluent-schema-registry does not
 * expose (listing versions, reading a subject's config). Plain fetch; errors name the URL.
 */
export class CcompatClient {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: { url: string; auth?: { username: string; password: string }; timeoutMs?: number }) {
    this.url = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = { Accept: CONTENT_TYPE, 'Content-Type': CONTENT_TYPE };
    if (options.auth) {
      const token = Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
      this.headers.Authorization = `Basic ${token}`;
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

  async getVersion(subject: string, version: number): Promise<SubjectVersion> {
    return this.request<SubjectVersion>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/${version}`,
      {
        action: `reading version ${version} of subject "${subject}"`,
      },
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

  /** Registers the schema; the registry answers with the existing id when it already holds it. */
  async register(subject: string, schema: string): Promise<number> {
    const { id } = await this.request<{ id: number }>(
      'POST',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      {
        action: `registering a schema under subject "${subject}"`,
        body: { schema },
      },
    );
    return id;
  }

  /** The version under `subject` that holds exactly this schema, if any. */
  async lookUp(subject: string, schema: string): Promise<SubjectVersion | undefined> {
    return this.request<SubjectVersion | undefined>('POST', `/subjects/${encodeURIComponent(subject)}`, {
      action: `looking up a schema under subject "${subject}"`,
      body: { schema },
      notFound: undefined,
    });
  }

  private async request<T>(
    method: string,
    path: string,
    options: { action: string; body?: unknown; notFound?: T },
  ): Promise<T> {
    const context = { registry: REGISTRY_NAME, url: this.url, action: options.action };
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
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
      throw toRegistryError(
        new HttpStatusError(response.status, `HTTP ${response.status}: ${text.slice(0, 500)}`),
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
