import assert from 'node:assert/strict';
import { installShutdownHook } from '../../../src/kafka/lifecycle.ts';

describe('installShutdownHook', () => {
  const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('installs one SIGTERM listener however often it is called, and can be removed', () => {
    const before = process.listenerCount('SIGTERM');
    const remove = installShutdownHook({ exit: () => undefined });
    assert.equal(installShutdownHook({ exit: () => undefined }), remove);
    assert.equal(process.listenerCount('SIGTERM'), before + 1);
    remove();
    assert.equal(process.listenerCount('SIGTERM'), before);
  });

  it('exits after closing producers only when no other SIGTERM handler will', async () => {
    const exits: number[] = [];
    const remove = installShutdownHook({ exit: (code) => exits.push(code), graceMs: 50 });
    const other = () => undefined;
    try {
      process.on('SIGTERM', other);
      process.emit('SIGTERM', 'SIGTERM');
      await flush();
      assert.deepEqual(exits, [], 'another handler owns the exit');
      process.off('SIGTERM', other);
      process.emit('SIGTERM', 'SIGTERM');
      await flush();
      assert.deepEqual(exits, [0]);
    } finally {
      process.off('SIGTERM', other);
      remove();
    }
  });
});
