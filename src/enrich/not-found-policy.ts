import { PipelineError } from '../errors.ts';
import type { NotFoundPolicy } from './config.ts';
import type { EmailMetadata } from './metadata.ts';
import type { MetadataRequest, MetadataResult, MetadataStore } from './store.ts';

export interface NotFoundPolicySettings {
  policy: NotFoundPolicy;
  /** Under `retry`, an event older than this (measured from mail.timestamp) is published as NOT_FOUND. */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * Decides what a NOT_FOUND answer becomes for one event:
 * - `publish`: the event goes out with status NOT_FOUND;
 * - `retry`: a retriable METADATA_NOT_FOUND_YET error, so the event is redelivered later, because SES can
 *   report Send before the application has written its row. Once the email is older than the max age,
 *   waiting longer will not help: publish NOT_FOUND, with the reason saying so.
 */
export function applyNotFoundPolicy(
  request: MetadataRequest,
  metadata: EmailMetadata,
  settings: NotFoundPolicySettings,
): MetadataResult {
  if (metadata.status !== 'NOT_FOUND' || settings.policy === 'publish') return metadata;
  const sentAt = request.timestamp.getTime();
  if (Number.isNaN(sentAt)) {
    return {
      ...metadata,
      reason: 'not found; mail.timestamp is not a valid time, so the retry policy cannot wait',
    };
  }
  const ageMs = (settings.now ?? Date.now)() - sentAt;
  if (ageMs >= settings.maxAgeMs) {
    return {
      ...metadata,
      reason: `not found; email is ${Math.round(ageMs / 1000)} s old, past the ${Math.round(settings.maxAgeMs / 1000)} s retry window`,
    };
  }
  return new PipelineError(
    'enrich',
    'METADATA_NOT_FOUND_YET',
    `no metadata row yet for the email (age ${Math.max(0, Math.round(ageMs / 1000))} s); retry until it is ${Math.round(settings.maxAgeMs / 1000)} s old`,
    { retriable: true },
  );
}

/** Applies the not-found policy to every answer of an inner store. */
export class NotFoundPolicyStore implements MetadataStore {
  readonly #inner: MetadataStore;
  readonly #settings: NotFoundPolicySettings;

  constructor(inner: MetadataStore, settings: NotFoundPolicySettings) {
    this.#inner = inner;
    this.#settings = settings;
  }

  async lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    const results = await this.#inner.lookupMany(requests);
    if (this.#settings.policy === 'publish') return results;
    for (const request of requests) {
      const result = results.get(request.requestId);
      if (result === undefined || result instanceof PipelineError) continue;
      results.set(request.requestId, applyNotFoundPolicy(request, result, this.#settings));
    }
    return results;
  }
}
