import { LRUCache } from 'lru-cache';
import { PipelineError } from '../errors.ts';
import type { EmailMetadata } from './metadata.ts';
import type { MetadataRequest, MetadataResult, MetadataStore } from './store.ts';

export interface CacheSettings {
  /** 0 switches the cache off (every lookup goes to the inner store). */
  maxEntries: number;
  /** How long a FOUND answer is reused. The application writes its row once, before sending. */
  ttlMs: number;
  /**
   * How long a NOT_FOUND answer is reused; 0 means never. SES can publish the Send event before the
   * application has written its row, so a cached miss would stamp NOT_FOUND on later events of the same
   * email (Delivery, Open...) even after the row exists, and would defeat the `retry` not-found policy.
   * Duplicate lookups inside one batch are already merged by the store, so caching misses saves little.
   */
  notFoundTtlMs: number;
  /** Which requests share one answer; undefined means "do not cache this request". */
  keyOf: (request: MetadataRequest) => string | undefined;
  /** Milliseconds clock; injectable so TTL tests need not sleep. */
  now?: () => number;
}

/**
 * Warm-container cache in front of any MetadataStore: bounded by entry count (least recently used goes
 * first) and by age. Errors and SKIPPED answers are never cached.
 */
export class CachedMetadataStore implements MetadataStore {
  readonly #inner: MetadataStore;
  readonly #settings: CacheSettings;
  readonly #cache: LRUCache<string, EmailMetadata> | undefined;

  constructor(inner: MetadataStore, settings: CacheSettings) {
    this.#inner = inner;
    this.#settings = settings;
    const now = settings.now;
    this.#cache =
      settings.maxEntries > 0 && settings.ttlMs > 0
        ? new LRUCache<string, EmailMetadata>({
            max: settings.maxEntries,
            ttl: settings.ttlMs,
            // An injected clock is read on every check; lru-cache would otherwise reuse a reading for 1 ms.
            ...(now === undefined ? {} : { perf: { now }, ttlResolution: 0 }),
          })
        : undefined;
  }

  /** Entries currently held (for tests and metrics). */
  get size(): number {
    return this.#cache?.size ?? 0;
  }

  async lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    const cache = this.#cache;
    if (cache === undefined) return this.#inner.lookupMany(requests);

    const results = new Map<string, MetadataResult>();
    const misses: MetadataRequest[] = [];
    for (const request of requests) {
      const key = this.#settings.keyOf(request);
      const hit = key === undefined ? undefined : cache.get(key);
      if (hit === undefined) misses.push(request);
      else results.set(request.requestId, copy(hit));
    }
    if (misses.length === 0) return results;

    const fetched = await this.#inner.lookupMany(misses);
    for (const request of misses) {
      const result =
        fetched.get(request.requestId) ??
        new PipelineError(
          'enrich',
          'METADATA_RESULT_MISSING',
          'the metadata store returned no result for a request',
          {
            retriable: true,
          },
        );
      results.set(request.requestId, result);
      this.#remember(request, result);
    }
    return results;
  }

  #remember(request: MetadataRequest, result: MetadataResult): void {
    if (result instanceof PipelineError) return;
    const key = this.#settings.keyOf(request);
    if (key === undefined) return;
    if (result.status === 'FOUND') this.#cache?.set(key, copy(result));
    else if (result.status === 'NOT_FOUND' && this.#settings.notFoundTtlMs > 0) {
      this.#cache?.set(key, copy(result), { ttl: this.#settings.notFoundTtlMs });
    }
  }
}

/** Callers own what they get back; a shared cached object must not change under another event. */
function copy(metadata: EmailMetadata): EmailMetadata {
  return { ...metadata, attributes: { ...metadata.attributes } };
}
