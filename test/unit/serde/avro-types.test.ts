import assert from 'node:assert/strict';
import { PipelineError } from '../../../src/errors.ts';
import { AvroTypeCache, encodeAvroBody } from '../../../src/serde/avro-types.ts';

const schema = {
  type: 'record',
  name: 'Sample',
  namespace: 'test.serde',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'count', type: 'int' }] } },
  ],
};

describe('AvroTypeCache', () => {
  it('compiles a schema object once and reuses the compiled type', () => {
    const cache = new AvroTypeCache();
    const first = cache.compile(schema);
    assert.equal(cache.compile(schema), first);
    // Another object or the JSON text with the same content also hits the cache.
    assert.equal(cache.compile(JSON.parse(JSON.stringify(schema))), first);
    assert.equal(cache.compile(JSON.stringify(schema)), first);
    assert.equal(first.fullName, 'test.serde.Sample');
    assert.equal(first.definition, JSON.stringify(schema));
  });

  it('gives schemas that differ only in docs the same fingerprint but different definition hashes', () => {
    const cache = new AvroTypeCache();
    const documented = { ...schema, doc: 'documented' };
    const a = cache.compile(schema);
    const b = cache.compile(documented);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(a.definitionHash, b.definitionHash);
  });

  it('rejects invalid schemas with a serialize-stage error', () => {
    const cache = new AvroTypeCache();
    assert.throws(() => cache.compile('{nope'), /not valid JSON/);
    assert.throws(
      () => cache.compile({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nosuch' }] }),
      /not valid Avro/,
    );
  });

  it('names the failing path when a value does not match, without echoing the value', () => {
    const compiled = new AvroTypeCache().compile(schema);
    assert.throws(
      () => encodeAvroBody(compiled, { id: 'someone@example.com', inner: { count: 'many' } }),
      (error: unknown) =>
        error instanceof PipelineError &&
        error.stage === 'serialize' &&
        error.message.includes('inner.count (expected int)') &&
        !error.message.includes('someone@example.com'),
    );
  });

  it('encodes a valid value to the plain Avro body', () => {
    const compiled = new AvroTypeCache().compile(schema);
    const body = encodeAvroBody(compiled, { id: 'a', inner: { count: 2 } });
    assert.deepEqual(JSON.parse(JSON.stringify(compiled.type.fromBuffer(body))), {
      id: 'a',
      inner: { count: 2 },
    });
    assert.equal(body.length, 3);
  });
});
