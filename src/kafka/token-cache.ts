import { PipelineError } from '../errors.ts';
import { logger } from '../observability/logger.ts';

export interface BearerToken {
  value: string;
  /** Epoch milliseconds after which the broker rejects the token. */
  expiresAt: number;
}

export interface TokenCacheOptions {
  /** Fraction of a token's lifetime after which a new one is fetched; 0.8 leaves a fifth as margin. */
  refreshFraction?: number;
  now?: () => number;
}

export const DEFAULT_REFRESH_FRACTION = 0.8;

/**
 * Keeps one bearer token and fetches a fresh one once `refreshFraction` of its lifetime has passed, so a
 * connection (re)authenticating near expiry never presents a token the broker is about to reject.
 * Concurrent callers share a single fetch. If a refresh fails while the old token is still valid, the old
 * token is used and the next call tries again.
 */
export class RefreshingTokenCache {
  readonly #fetch: () => Promise<BearerToken>;
  readonly #refreshFraction: number;
  readonly #now: () => number;
  #current: { token: BearerToken; refreshAt: number } | undefined;
  #inFlight: Promise<BearerToken> | undefined;

  constructor(fetch: () => Promise<BearerToken>, options: TokenCacheOptions = {}) {
    const fraction = options.refreshFraction ?? DEFAULT_REFRESH_FRACTION;
    if (!(fraction > 0 && fraction <= 1)) {
      throw new RangeError(`refreshFraction must be in (0, 1], got ${fraction}`);
    }
    this.#fetch = fetch;
    this.#refreshFraction = fraction;
    this.#now = options.now ?? Date.now;
  }

  /** When the cached token will be replaced (epoch ms), or undefined before the first fetch. */
  get refreshAt(): number | undefined {
    return this.#current?.refreshAt;
  }

  async token(): Promise<BearerToken> {
    const current = this.#current;
    if (current !== undefined && this.#now() < current.refreshAt) return current.token;
    this.#inFlight ??= this.#refresh().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #refresh(): Promise<BearerToken> {
    const fetchedAt = this.#now();
    let token: BearerToken;
    try {
      token = await this.#fetch();
    } catch (error) {
      const stale = this.#current?.token;
      if (stale !== undefined && this.#now() < stale.expiresAt) {
        logger.warn('Bearer token refresh failed; using the current token until it expires', {
          expiresAt: new Date(stale.expiresAt).toISOString(),
          error: error instanceof Error ? error.message : String(error),
        });
        return stale;
      }
      throw new PipelineError(
        'produce',
        'KAFKA_AUTH_TOKEN_UNAVAILABLE',
        'could not obtain a Kafka bearer token',
        {
          retriable: true,
          cause: error,
        },
      );
    }
    if (!(token.expiresAt > fetchedAt)) {
      throw new PipelineError(
        'produce',
        'KAFKA_AUTH_TOKEN_EXPIRED',
        `the token provider returned a token that expires at ${new Date(token.expiresAt).toISOString()}, not in the future`,
        { retriable: true },
      );
    }
    const refreshAt = fetchedAt + Math.floor((token.expiresAt - fetchedAt) * this.#refreshFraction);
    this.#current = { token, refreshAt };
    return token;
  }
}
