/**
 * The one way this project waits and tries again: exponential backoff with full jitter (the wait before
 * retry n is uniform in [0, min(max, base * 2^n))), which spreads concurrent Lambda containers apart so a
 * throttled service is not hit again in lock-step (the approach AWS recommends). Three shapes of loop
 * use it: a call retried while it fails retriably, a batch whose unprocessed part is sent again, and a
 * status polled until it settles.
 *
 * Hand-written rather than p-retry: p-retry cannot express full jitter, nor a batch call that succeeds
 * partly (DynamoDB's UnprocessedKeys) and must be re-sent for the rest only.
 */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BackoffPolicy {
  /** Attempts in all, counting the first. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  /** Returns a number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
  sleep?: Sleep;
}

export function backoffDelayMs(
  retry: number,
  policy: Pick<BackoffPolicy, 'baseMs' | 'maxMs' | 'random'>,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** retry);
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

/**
 * Calls `call` until it succeeds, throws an error `retriable` says no to, or the attempts run out; the
 * last error is thrown. `toError` turns whatever was thrown into the caller's error type first.
 */
export async function retryCall<T, E>(
  policy: BackoffPolicy,
  call: (attempt: number) => Promise<T>,
  toError: (thrown: unknown) => E,
  retriable: (error: E) => boolean,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (thrown) {
      const error = toError(thrown);
      if (!retriable(error) || attempt >= policy.maxAttempts) throw error;
      await (policy.sleep ?? realSleep)(backoffDelayMs(attempt - 1, policy));
    }
  }
}

export interface DrainOutcome<K, E> {
  /** What was still pending when the rounds stopped; empty when everything went through. */
  left: K[];
  /** Why it stopped early: the error of the last round, when that round threw. */
  error?: E;
  attempts: number;
}

/**
 * Sends `pending` in rounds: each round returns what it could not process, which the next round sends
 * again after a backoff. Stops when nothing is left, when a round throws an error `retriable` says no
 * to, or when the attempts run out.
 */
export async function drain<K, E>(
  policy: BackoffPolicy,
  initial: readonly K[],
  round: (pending: K[]) => Promise<K[]>,
  toError: (thrown: unknown) => E,
  retriable: (error: E) => boolean,
): Promise<DrainOutcome<K, E>> {
  let pending = [...initial];
  let attempt = 0;
  while (pending.length > 0) {
    attempt++;
    try {
      pending = await round(pending);
    } catch (thrown) {
      const error = toError(thrown);
      if (!retriable(error) || attempt >= policy.maxAttempts)
        return { left: pending, error, attempts: attempt };
    }
    if (pending.length === 0) break;
    if (attempt >= policy.maxAttempts) return { left: pending, attempts: attempt };
    await (policy.sleep ?? realSleep)(backoffDelayMs(attempt - 1, policy));
  }
  return { left: [], attempts: attempt };
}

/**
 * Checks `check` until it says the value settled, waiting `intervalMs` between checks, at most
 * `attempts` checks in all; returns the last value either way (the caller decides what unsettled means).
 */
export async function pollUntil<T>(
  first: T,
  settled: (value: T) => boolean,
  check: () => Promise<T>,
  options: { attempts: number; intervalMs: number; sleep?: Sleep },
): Promise<T> {
  let current = first;
  for (let attempt = 0; !settled(current) && attempt < options.attempts; attempt++) {
    await (options.sleep ?? realSleep)(options.intervalMs);
    current = await check();
  }
  return current;
}
