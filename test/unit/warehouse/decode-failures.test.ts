/**
 * How the consumer tells a record's own bad bytes (a decode-error row) from its own setup (stop, commit
 * nothing), and the bound on inflating a zlib-compressed Glue record.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { ConfigError, PipelineError } from '../../../src/errors.ts';
import { AvroDecoder, classifyDecodeFailure, SCHEMA_NOT_FOUND } from '../../../src/serde/decoder.ts';
import { frameGlue } from '../../../src/serde/wire-format.ts';

describe('decode failures: the record or the setup', () => {
  it("a Glue zlib body that inflates past the bound is the record's fault, before any registry is asked", async () => {
    // 64 MiB of zeros compresses to about 64 KiB: a record Kafka accepts, a heap the consumer must not give.
    const bomb = frameGlue(
      'b4658624-c948-497c-a900-9615ffeb4a3b',
      'zlib',
      deflateSync(Buffer.alloc(64 * 1024 * 1024)),
    );
    assert.ok(bomb.length < 200 * 1024);
    // No Glue registry configured: had the body been inflated first and fully, this would still say setup.
    const decoder = new AvroDecoder({
      confluent: { url: 'http://127.0.0.1:1' },
      maxInflatedBytes: 1024 * 1024,
    });
    const error = await decoder.decode(bomb).then(
      () => assert.fail('decoded a zip bomb'),
      (failure: unknown) => failure,
    );
    assert.equal((error as PipelineError).code, 'SERDE_INFLATE_TOO_LARGE');
    assert.match((error as Error).message, /inflates past 1048576 bytes/);
    assert.equal(classifyDecodeFailure(error), 'record');
  });

  it('sorts failures: bad bytes are the record, an unknown id is its own kind, the rest is setup or unavailable', () => {
    const serde = (code: string) => new PipelineError('serialize', code, 'x');
    for (const code of [
      'SERDE_UNKNOWN_FORMAT',
      'SERDE_MALFORMED_FRAME',
      'SERDE_DECODE_FAILED',
      'SERDE_UNSUPPORTED_FORMAT',
    ]) {
      assert.equal(classifyDecodeFailure(serde(code)), 'record', code);
    }
    assert.equal(
      classifyDecodeFailure(new PipelineError('registry', SCHEMA_NOT_FOUND, 'x')),
      'unknown-schema',
    );
    assert.equal(classifyDecodeFailure(new PipelineError('registry', 'REGISTRY_REJECTED', '401')), 'setup');
    assert.equal(
      classifyDecodeFailure(new PipelineError('registry', 'REGISTRY_NO_CREDENTIALS', 'x')),
      'setup',
    );
    assert.equal(classifyDecodeFailure(new ConfigError('glue.region', 'no Glue registry')), 'setup');
    assert.equal(
      classifyDecodeFailure(new PipelineError('registry', 'REGISTRY_UNREACHABLE', 'x', { retriable: true })),
      'unavailable',
    );
  });
});
