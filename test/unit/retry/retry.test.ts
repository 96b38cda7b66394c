import assert from 'node:assert/strict';
import { backoffDelayMs, drain, pollUntil, retryCall } from '../../../src/retry.ts';

const noSleep = async () => undefined;

describe('retry: backoff, retried calls, drained batches, polls', () => {
  it('backs off with full jitter under an exponential ceiling capped at the maximum', () => {
    assert.equal(backoffDelayMs(0, { baseMs: 50, maxMs: 2000, random: () => 0.999 }), 49);
    assert.equal(backoffDelayMs(3, { baseMs: 50, maxMs: 2000, random: () => 0.5 }), 200);
    assert.equal(backoffDelayMs(10, { baseMs: 50, maxMs: 2000, random: () => 0.5 }), 1000);
    assert.equal(backoffDelayMs(4, { baseMs: 50, maxMs: 2000, random: () => 0 }), 0);
  });

  it('retries a call while it fails retriably, up to the attempts, and not after a real "no"', async () => {
    const waits: number[] = [];
    const policy = {
      maxAttempts: 3,
      baseMs: 10,
      maxMs: 100,
      random: () => 0.5,
      sleep: async (ms: number) => void waits.push(ms),
    };
    let calls = 0;
    const value = await retryCall(
      policy,
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('throttled'), { retriable: true });
        return 'ok';
      },
      (thrown) => thrown as Error & { retriable?: boolean },
      (error) => error.retriable === true,
    );
    assert.equal(value, 'ok');
    assert.deepEqual(waits, [5, 10]);
    calls = 0;
    await assert.rejects(
      retryCall(
        policy,
        async () => {
          calls++;
          throw new Error('access denied');
        },
        (thrown) => thrown as Error,
        () => false,
      ),
      /access denied/,
    );
    assert.equal(calls, 1);
  });

  it('drains a batch round by round, resending only what was left, and reports what stayed', async () => {
    const sent: number[][] = [];
    const done = await drain(
      { maxAttempts: 5, baseMs: 1, maxMs: 1, sleep: noSleep },
      [1, 2, 3, 4],
      async (pending) => {
        sent.push(pending);
        return pending.slice(2);
      },
      (thrown) => thrown,
      () => true,
    );
    assert.deepEqual(sent, [
      [1, 2, 3, 4],
      [3, 4],
    ]);
    assert.deepEqual(done, { left: [], attempts: 2 });
    const stuck = await drain(
      { maxAttempts: 2, baseMs: 1, maxMs: 1, sleep: noSleep },
      ['a'],
      async (pending) => pending,
      (thrown) => thrown,
      () => true,
    );
    assert.deepEqual(stuck, { left: ['a'], attempts: 2 });
    const failed = await drain(
      { maxAttempts: 5, baseMs: 1, maxMs: 1, sleep: noSleep },
      ['a'],
      async () => {
        throw new Error('not retriable');
      },
      (thrown) => (thrown as Error).message,
      () => false,
    );
    assert.deepEqual(failed, { left: ['a'], error: 'not retriable', attempts: 1 });
  });

  it('polls until the value settles, or gives the last value after the attempts', async () => {
    const answers = ['PENDING', 'PENDING', 'AVAILABLE'];
    const settled = await pollUntil(
      'PENDING',
      (status) => status !== 'PENDING',
      async () => answers.shift() as string,
      {
        attempts: 5,
        intervalMs: 1,
        sleep: noSleep,
      },
    );
    assert.equal(settled, 'AVAILABLE');
    const never = await pollUntil(
      'PENDING',
      (status) => status !== 'PENDING',
      async () => 'PENDING',
      {
        attempts: 3,
        intervalMs: 1,
        sleep: noSleep,
      },
    );
    assert.equal(never, 'PENDING');
  });
});
