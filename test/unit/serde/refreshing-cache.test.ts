import assert from 'node:assert/strict';
import { RefreshingCache } from '../../../src/serde/refreshing-cache.ts';

describe('RefreshingCache (stale while refreshing)', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000;
  });

  it('loads once, then serves from cache while fresh', async () => {
    const cache = new RefreshingCache<string>({ ttlMs: 100, now });
    let loads = 0;
    const load = async () => `v${++loads}`;
    assert.equal(await cache.get('k', load), 'v1');
    clock += 99;
    assert.equal(await cache.get('k', load), 'v1');
    assert.equal(loads, 1);
  });

  it('shares one load between concurrent misses', async () => {
    const cache = new RefreshingCache<number>({ ttlMs: 100, now });
    let loads = 0;
    const load = () => new Promise<number>((resolve) => setTimeout(() => resolve(++loads), 5));
    const values = await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    assert.deepEqual(values, [1, 1, 1]);
    assert.equal(loads, 1);
  });

  it('serves the stale value at once and swaps in the refreshed one', async () => {
    const cache = new RefreshingCache<string>({ ttlMs: 100, now });
    let version = 'old';
    await cache.get('k', async () => version);
    clock += 100;
    version = 'new';
    assert.equal(await cache.get('k', async () => version), 'old');
    await cache.settled();
    assert.equal(await cache.get('k', async () => 'unused'), 'new');
  });

  const outage = (message: string) => Object.assign(new Error(message), { retriable: true });

  it('keeps serving the stale value when the refresh fails, and reports it', async () => {
    const failures: string[] = [];
    const cache = new RefreshingCache<string>({
      ttlMs: 100,
      now,
      onRefreshError: (key) => failures.push(key),
    });
    await cache.get('k', async () => 'cached');
    clock += 150;
    const down = async (): Promise<string> => {
      throw outage('registry down');
    };
    assert.equal(await cache.get('k', down), 'cached');
    await cache.settled();
    assert.deepEqual(failures, ['k']);
    // Right after a failure it does not hammer the registry on every call.
    let attempts = 0;
    const counting = async (): Promise<string> => {
      attempts += 1;
      throw outage('still down');
    };
    assert.equal(await cache.get('k', counting), 'cached');
    assert.equal(attempts, 0);
  });

  it('drops the entry when the refresh is a real "no" (gone, unusable), so it is never served again', async () => {
    const dropped: Array<[string, boolean]> = [];
    const cache = new RefreshingCache<string>({
      ttlMs: 100,
      now,
      onRefreshError: (key, _error, kept) => dropped.push([key, kept]),
    });
    await cache.get('k', async () => 'version-1');
    clock += 150;
    const gone = async (): Promise<string> => {
      throw new Error('schema version deleted');
    };
    // The refresh starts in the background; this call is still answered from the entry it replaces.
    assert.equal(await cache.get('k', gone), 'version-1');
    await cache.settled();
    assert.deepEqual(dropped, [['k', false]]);
    await assert.rejects(cache.get('k', gone), /deleted/);
  });

  it('does not cache a failed first load', async () => {
    const cache = new RefreshingCache<string>({ ttlMs: 100, now });
    await assert.rejects(
      cache.get('k', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await cache.get('k', async () => 'ok'), 'ok');
  });
});
