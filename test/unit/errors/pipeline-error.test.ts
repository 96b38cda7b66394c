import assert from 'node:assert/strict';
import { ConfigError, isRetriable, PipelineError } from '../../../src/errors.ts';

describe('PipelineError', () => {
  it('is recognised even when it comes from a second copy of the module', async () => {
    // A query string makes the ESM loader evaluate errors.ts again: the same situation as a module
    // reached through both require() and import().
    const copy = (await import(
      `../../../src/errors.ts?copy=${Date.now()}`
    )) as typeof import('../../../src/errors.ts');
    assert.notEqual(copy.PipelineError, PipelineError, 'the test needs two distinct classes');
    const foreign = new copy.PipelineError('registry', 'REGISTRY_UNREACHABLE', 'down', { retriable: true });
    assert.ok(foreign instanceof PipelineError);
    assert.ok(isRetriable(foreign));
  });

  it('keeps subclass checks exact and refuses look-alikes', () => {
    const config = new ConfigError('SES_KAFKA_TOPIC', 'required');
    assert.ok(config instanceof PipelineError);
    assert.ok(config instanceof ConfigError);
    assert.ok(!(new PipelineError('parse', 'X', 'y') instanceof ConfigError));
    assert.ok(!(new Error('plain') instanceof PipelineError));
    assert.ok(!({ stage: 'parse', code: 'X', retriable: true } instanceof PipelineError));
  });
});
