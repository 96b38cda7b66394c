import { isRetriable } from '../errors.ts';

export interface RefreshingCacheOptions {
  /** After this long an entry is stale: still served, but refreshed in the background. */
  ttlMs: number;
  /** After a failed refresh, wait this long before trying again (default: 5 s, at most the TTL). */
  retryAfterFailureMs?: number;
  now?: () => number;
  /**
   * Hears about every failed background refresh. A retriable failure (an outage) keeps the stale value;
   * any other (the registry says the entry is gone or unusable) drops it, so it is never served again.
   */
  onRefreshError?: (key: string, error: unknown, kept: boolean) => void;
}

interface Entry<V> {
  value: V;
  refreshAt: number;
  refreshing: boolean;
}

/**
 * A stale-while-revalidate cache: a registry outage must not stop records whose schema id we already
 * know, so an expired entry is served while one background load replaces it. Concurrent misses for
 * the same key share one load. Only an outage keeps a stale entry alive: when the refresh is answered
 * with a real "no" (the version was deleted, or is not AVAILABLE), the entry goes.
 */
export class RefreshingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<V>>();
  private readonly refreshes = new Set<Promise<void>>();
  private readonly ttlMs: number;
  private readonly retryAfterFailureMs: number;
  private readonly now: () => number;
  private readonly onRefreshError: (key: string, error: unknown, kept: boolean) => void;

  constructor(options: RefreshingCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.retryAfterFailureMs = Math.min(options.retryAfterFailureMs ?? 5000, options.ttlMs);
    this.now = options.now ?? Date.now;
    this.onRefreshError = options.onRefreshError ?? (() => {});
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry) {
      if (!entry.refreshing && this.now() >= entry.refreshAt) this.refresh(key, entry, load);
      return entry.value;
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const loading = load()
      .then((value) => {
        this.store(key, value);
        return value;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, loading);
    return loading;
  }

  /** Resolves once every load and background refresh in flight has settled (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending.values(), ...this.refreshes]);
  }

  private store(key: string, value: V): void {
    this.entries.set(key, { value, refreshAt: this.now() + this.ttlMs, refreshing: false });
  }

  private refresh(key: string, entry: Entry<V>, load: () => Promise<V>): void {
    entry.refreshing = true;
    const task = load()
      .then((value) => this.store(key, value))
      .catch((error: unknown) => {
        const kept = isRetriable(error);
        if (kept) {
          entry.refreshing = false;
          entry.refreshAt = this.now() + this.retryAfterFailureMs;
        } else if (this.entries.get(key) === entry) {
          this.entries.delete(key);
        }
        this.onRefreshError(key, error, kept);
      })
      .finally(() => this.refreshes.delete(task));
    this.refreshes.add(task);
  }
}
