import assert from 'node:assert/strict';
import fc from 'fast-check';
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

describe('exact Avro longs', () => {
  const longs = new AvroTypeCache().compile({
    type: 'record',
    name: 'Longs',
    fields: [
      { name: 'plain', type: 'long' },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'maybe', type: ['null', 'long'], default: null },
    ],
  });
  const cases: Array<number | bigint> = [
    0,
    -1,
    1_700_000_000_000,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2n ** 53n,
    -(2n ** 53n) - 1n,
    1_234_567_890_123_456_789n,
    2n ** 63n - 1n,
    -(2n ** 63n),
  ];

  it('round-trips every long exactly: numbers while safe, BigInt beyond', () => {
    for (const value of cases) {
      const decoded = longs.type.fromBuffer(
        encodeAvroBody(longs, { plain: value, at: value, maybe: value }),
      ) as Record<string, unknown>;
      for (const field of ['plain', 'at', 'maybe']) {
        assert.equal(BigInt(decoded[field] as bigint), BigInt(value), `${field} ${value}`);
        const safe =
          BigInt(value) >= BigInt(Number.MIN_SAFE_INTEGER) &&
          BigInt(value) <= BigInt(Number.MAX_SAFE_INTEGER);
        assert.equal(typeof decoded[field], safe ? 'number' : 'bigint', `${field} ${value}`);
      }
    }
  });

  it('writes the same bytes as the Avro spec (zig-zag varint) for safe values, either form', () => {
    const plainLong = new AvroTypeCache().compile('"long"');
    assert.equal(plainLong.type.toBuffer(-64).toString('hex'), '7f');
    assert.equal(plainLong.type.toBuffer(64n).toString('hex'), '8001');
    assert.equal(plainLong.type.toBuffer(2n ** 63n - 1n).toString('hex'), 'feffffffffffffffff01');
  });

  it('writes spec zig-zag bytes for any long, several in one record (the reused long buffer never leaks)', () => {
    /** The Avro spec's encoding, in BigInt arithmetic: nothing shared with the encoder under test. */
    const specVarint = (value: bigint): string => {
      let unsigned = value >= 0n ? value << 1n : (-value << 1n) - 1n;
      const bytes: number[] = [];
      do {
        const low = Number(unsigned & 0x7fn);
        unsigned >>= 7n;
        bytes.push(unsigned > 0n ? low | 0x80 : low);
      } while (unsigned > 0n);
      return Buffer.from(bytes).toString('hex');
    };
    const anyLong = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.maxSafeInteger(),
      fc.integer({ min: -300, max: 300 }),
      fc.constantFrom(2 ** 52 - 1, -(2 ** 52), 2 ** 52, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
    );
    fc.assert(
      fc.property(anyLong, anyLong, anyLong, (plain, at, maybe) => {
        const body = encodeAvroBody(longs, { plain, at, maybe });
        const expected = `${specVarint(BigInt(plain))}${specVarint(BigInt(at))}02${specVarint(BigInt(maybe))}`;
        assert.equal(body.toString('hex'), expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what is not a 64-bit integer, naming the field', () => {
    for (const bad of [1.5, 2n ** 63n, Number.MAX_SAFE_INTEGER + 1, '7']) {
      assert.throws(
        () => encodeAvroBody(longs, { plain: bad, at: 0, maybe: null }),
        (error: PipelineError) => error.code === 'SERDE_INVALID_VALUE' && /plain/.test(error.message),
      );
    }
  });
});
