/**
 * Exponential backoff with full jitter: the wait before retry n is uniform in [0, min(max, base * 2^n)).
 * Full jitter spreads concurrent Lambda containers apart, so a throttled table is not hit again in
 * lock-step (the approach AWS recommends for DynamoDB throttling).
 */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
  /** Returns a number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export function backoffDelayMs(retry: number, settings: BackoffSettings): number {
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** retry);
  return Math.floor((settings.random ?? Math.random)() * ceiling);
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
