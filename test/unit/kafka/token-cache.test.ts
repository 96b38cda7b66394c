import assert from 'node:assert/strict';
import { PipelineError } from '../../../src/errors.ts';
import { type BearerToken, RefreshingTokenCache } from '../../../src/kafka/token-cache.ts';

/** A token source whose tokens live `lifetimeMs` from a clock the test moves by hand. */
function scriptedSource(clock: { now: number }, lifetimeMs: number) {
  let issued = 0;
  const source = {
    failNext: false,
    get issued() {
      return issued;
    },
    fetch: async (): Promise<BearerToken> => {
      if (source.failNext) {
        source.failNext = false;
        throw new Error('signer unavailable');
      }
      issued += 1;
      return { value: `token-${issued}`, expiresAt: clock.now + lifetimeMs };
    },
  };
  return source;
}

describe('RefreshingTokenCache', () => {
  it('reuses a token until 80% of its lifetime has passed, then fetches a new one', async () => {
    const clock = { now: 1_000_000 };
    const source = scriptedSource(clock, 900_000);
    const cache = new RefreshingTokenCache(source.fetch, { now: () => clock.now });

    assert.equal((await cache.token()).value, 'token-1');
    assert.equal(cache.refreshAt, 1_000_000 + 720_000);
    clock.now += 719_999;
    assert.equal((await cache.token()).value, 'token-1');
    clock.now += 1;
    assert.equal((await cache.token()).value, 'token-2');
    assert.equal(source.issued, 2);
    assert.equal(cache.refreshAt, clock.now + 720_000);
  });

  it('honours another refresh fraction', async () => {
    const clock = { now: 0 };
    const source = scriptedSource(clock, 1000);
    const cache = new RefreshingTokenCache(source.fetch, { now: () => clock.now, refreshFraction: 0.5 });
    await cache.token();
    assert.equal(cache.refreshAt, 500);
    assert.throws(() => new RefreshingTokenCache(source.fetch, { refreshFraction: 0 }), RangeError);
  });

  it('shares one fetch between concurrent callers', async () => {
    const clock = { now: 0 };
    const source = scriptedSource(clock, 60_000);
    const cache = new RefreshingTokenCache(source.fetch, { now: () => clock.now });
    const tokens = await Promise.all([cache.token(), cache.token(), cache.token()]);
    assert.deepEqual(
      tokens.map((token) => token.value),
      ['token-1', 'token-1', 'token-1'],
    );
    assert.equal(source.issued, 1);
  });

  it('keeps using a still-valid token when a refresh fails, and retries on the next call', async () => {
    const clock = { now: 0 };
    const source = scriptedSource(clock, 10_000);
    const cache = new RefreshingTokenCache(source.fetch, { now: () => clock.now });
    await cache.token();
    clock.now = 9_000;
    source.failNext = true;
    assert.equal((await cache.token()).value, 'token-1');
    assert.equal((await cache.token()).value, 'token-2');
  });

  it('fails retriably when no valid token is left', async () => {
    const clock = { now: 0 };
    const source = scriptedSource(clock, 10_000);
    const cache = new RefreshingTokenCache(source.fetch, { now: () => clock.now });
    await cache.token();
    clock.now = 10_000;
    source.failNext = true;
    await assert.rejects(cache.token(), (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, 'KAFKA_AUTH_TOKEN_UNAVAILABLE');
      assert.equal(error.retriable, true);
      assert.equal(error.stage, 'produce');
      return true;
    });
  });

  it('refuses a token that is already expired', async () => {
    const cache = new RefreshingTokenCache(async () => ({ value: 'old', expiresAt: 5 }), { now: () => 10 });
    await assert.rejects(cache.token(), /not in the future/);
  });
});
