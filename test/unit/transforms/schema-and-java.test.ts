import assert from 'node:assert/strict';
import avro from 'avsc';
import { compileDateFormat } from '../../../src/transforms/java/date-format.ts';
import { javaDoubleToString, javaFloatToString, javaNarrow } from '../../../src/transforms/java/numbers.ts';
import { type AvroSchema, expandSchema, finalizeSchema } from '../../../src/transforms/schema.ts';

describe('schema expansion and finalization', () => {
  it('keeps one definition per name, references identical repeats, renames different shapes', () => {
    const part = (fields: string[]) => ({
      type: 'record',
      name: 'Part',
      fields: fields.map((name) => ({ name, type: 'string' })),
    });
    const expanded = expandSchema({
      type: 'record',
      name: 'Root',
      namespace: 'ns',
      fields: [
        { name: 'a', type: part(['x']) },
        { name: 'b', type: ['null', 'Part'], default: null },
      ],
    }) as unknown as { fields: unknown[] };
    // A transform can leave a second, different record under the same name.
    const withClash = { ...expanded, fields: [...expanded.fields, { name: 'c', type: part(['x', 'y']) }] };
    const out = finalizeSchema(withClash as unknown as AvroSchema) as unknown as {
      fields: Array<{ type: unknown }>;
    };
    assert.deepEqual(out.fields[1]?.type, ['null', 'ns.Part']);
    assert.equal((out.fields[2] as { type: { name: string } }).type.name, 'Part_2');
    assert.doesNotThrow(() => avro.Type.forSchema(out as unknown as avro.Schema));
  });
});

describe('Java formatting used by Cast and the routers', () => {
  it('Double.toString and Float.toString', () => {
    assert.equal(javaDoubleToString(1), '1.0');
    assert.equal(javaDoubleToString(97.25), '97.25');
    assert.equal(javaDoubleToString(1e7), '1.0E7');
    assert.equal(javaDoubleToString(1.5e-4), '1.5E-4');
    assert.equal(javaDoubleToString(-0), '-0.0');
    assert.equal(javaFloatToString(Math.fround(0.1)), '0.1');
    assert.equal(javaFloatToString(Math.fround(-2.5)), '-2.5');
  });

  it('narrowing wraps integers and saturates floating point like Java', () => {
    assert.equal(javaNarrow(1_234_567_890_123, 'integer', 8), -53);
    assert.equal(javaNarrow(300, 'integer', 8), 44);
    assert.equal(javaNarrow(1e20, 'floating', 64), 2n ** 63n - 1n); // Long.MAX_VALUE, exactly
    assert.equal(javaNarrow(1e20, 'floating', 8), -1);
    assert.equal(javaNarrow(Number.NaN, 'floating', 32), 0);
  });

  it('SimpleDateFormat patterns format and parse in UTC', () => {
    const format = compileDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
    assert.equal(format.format(1_700_000_123_456), '2023-11-14T22:15:23.456');
    assert.equal(format.parse('2023-11-14T22:15:23.456'), 1_700_000_123_456);
    assert.equal(compileDateFormat('yyyyMMdd').parse('20240229'), Date.UTC(2024, 1, 29));
    assert.equal(compileDateFormat('yyyyMMdd').parse('nope'), null);
    assert.throws(() => compileDateFormat('yyyy-qq'), /illegal pattern character 'q'/);
  });
});
