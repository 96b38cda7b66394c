import { LRUCache } from 'lru-cache';
import { SETTINGS } from '../config/settings.ts';

/**
 * Replay protection for signed SNS messages. A genuine notification stays genuine forever (its
 * signature does not expire, and the dead-letter topic keeps raw payloads), so a signature alone
 * does not stop anyone who holds one from sending it again. Two checks close that:
 * - freshness: a message whose Timestamp is older than the maximum age is refused;
 * - de-duplication: a MessageId processed within that age is acknowledged and not processed again.
 * Entries live as long as the maximum age (plus the allowed clock skew), so every replay either falls
 * inside the window (a duplicate) or outside it (stale), as long as the LRU has not evicted it.
 */

/** SNS retries an HTTP delivery for up to an hour under its default delivery policy. */
export const DEFAULT_MAX_MESSAGE_AGE_MS: number = SETTINGS.snsMaxMessageAgeSeconds.fallback * 1000;
/** Timestamps this far in the future are tolerated (clock skew between SNS and this host). */
export const ALLOWED_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const DEFAULT_DEDUPLICATION_ENTRIES = 100_000;

export type FreshnessCheck = { ok: true } | { ok: false; reason: string };

function describeAge(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 2 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

export function checkFreshness(timestamp: string, maxAgeMs: number, now: number): FreshnessCheck {
  const sent = Date.parse(timestamp);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(timestamp) || Number.isNaN(sent)) {
    return { ok: false, reason: 'Timestamp: not an ISO-8601 time' };
  }
  const age = now - sent;
  if (age > maxAgeMs) {
    return {
      ok: false,
      reason: `Timestamp: ${timestamp} is ${describeAge(age)} old; messages older than ${describeAge(maxAgeMs)} are refused (--max-message-age)`,
    };
  }
  if (-age > ALLOWED_CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: `Timestamp: ${timestamp} is ${describeAge(-age)} in the future; check this host's clock`,
    };
  }
  return { ok: true };
}

/**
 * Remembers which messages were processed, and shares the work of one still in progress: a copy that
 * arrives while the first is being processed waits for its outcome instead of running again.
 */
export class MessageDeduplicator<Outcome extends {}> {
  readonly #done: LRUCache<string, Outcome>;
  readonly #inFlight = new Map<string, Promise<Outcome>>();

  constructor(options: { maxEntries?: number; ttlMs: number }) {
    this.#done = new LRUCache<string, Outcome>({
      max: options.maxEntries ?? DEFAULT_DEDUPLICATION_ENTRIES,
      ttl: options.ttlMs,
    });
  }

  /**
   * Runs `work` for a key seen for the first time. `remember` says whether an outcome is final (a
   * retriable failure is not: SNS delivers the same MessageId again and it must be processed then).
   */
  async run(
    key: string,
    work: () => Promise<Outcome>,
    remember: (outcome: Outcome) => boolean,
  ): Promise<{ duplicate: boolean; outcome: Outcome }> {
    const previous = this.#done.get(key);
    if (previous !== undefined) return { duplicate: true, outcome: previous };
    const running = this.#inFlight.get(key);
    if (running !== undefined) return { duplicate: true, outcome: await running };
    const promise = work();
    this.#inFlight.set(key, promise);
    try {
      const outcome = await promise;
      if (remember(outcome)) this.#done.set(key, outcome);
      return { duplicate: false, outcome };
    } finally {
      this.#inFlight.delete(key);
    }
  }

  get size(): number {
    return this.#done.size;
  }
}
