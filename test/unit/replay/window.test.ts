import assert from 'node:assert/strict';
import { InFlightWindow } from '../../../src/replay/window.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InFlightWindow: inputs and bytes in the pipeline at once', () => {
  it('lets batches in while both limits hold, and the next one once room comes back', async () => {
    const window = new InFlightWindow({ inputs: 10, bytes: 1000 });
    await window.acquire(5, 100);
    await window.acquire(5, 100);
    let third = false;
    const waiting = window.acquire(1, 1).then(() => {
      third = true;
    });
    await tick();
    assert.equal(third, false, 'no room by inputs');
    window.release(5, 100);
    await waiting;
    assert.equal(third, true);
    assert.deepEqual([window.inputs, window.bytes], [6, 101]);
  });

  it('also waits for room by bytes', async () => {
    const window = new InFlightWindow({ inputs: 100, bytes: 1000 });
    await window.acquire(1, 900);
    let second = false;
    const waiting = window.acquire(1, 200).then(() => {
      second = true;
    });
    await tick();
    assert.equal(second, false);
    window.release(1, 900);
    await waiting;
    assert.equal(second, true);
  });

  it('lets a batch larger than the whole window in alone, so it is never stuck', async () => {
    const window = new InFlightWindow({ inputs: 10, bytes: 100 });
    await window.acquire(50, 5000);
    let next = false;
    const waiting = window.acquire(1, 1).then(() => {
      next = true;
    });
    await tick();
    assert.equal(next, false);
    window.release(50, 5000);
    await waiting;
    assert.equal(next, true);
  });

  it('gives room in the order it was asked for: a small batch does not overtake a large one', async () => {
    const window = new InFlightWindow({ inputs: 10, bytes: 1000 });
    await window.acquire(8, 10);
    const order: string[] = [];
    const large = window.acquire(5, 10).then(() => order.push('large'));
    const small = window.acquire(1, 10).then(() => order.push('small'));
    await tick();
    assert.deepEqual(order, [], 'the small one would fit, but waits its turn');
    window.release(8, 10);
    await Promise.all([large, small]);
    assert.deepEqual(order, ['large', 'small']);
  });
});
