import assert from 'node:assert/strict';
import { workerCount } from '../../../src/replay/preparers.ts';

describe('replay --workers', () => {
  it('auto leaves two cores to the main thread and the runtime, and uses none below 4 cores', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 8, 64].map((cores) => workerCount('auto', cores)),
      [0, 0, 0, 2, 3, 4, 4, 4],
    );
  });

  it('takes a whole number as given, 0 included', () => {
    assert.equal(workerCount('0', 2), 0);
    assert.equal(workerCount('3', 2), 3);
    assert.equal(workerCount(' 2 ', 8), 2);
  });

  it('refuses anything else with a message naming the flag and what it takes', () => {
    for (const bad of ['-1', '1.5', 'two', '', '65', '1e1']) {
      assert.throws(
        () => workerCount(bad, 8),
        /^Error: --workers: expected auto or a whole number from 0 to 64, got/,
      );
    }
  });
});
