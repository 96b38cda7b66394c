import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonValueSplitter, type JsonValueText } from '../../../src/replay/json-values.ts';
import { fuzzSeed } from '../../support/fuzz-seed.ts';

const SEED = fuzzSeed();

/** Feeds `text` in pieces of the given sizes (cycled), then ends, and returns every value. */
function split(text: string, sizes: readonly number[] = [text.length || 1]): JsonValueText[] {
  const splitter = new JsonValueSplitter();
  const out: JsonValueText[] = [];
  let at = 0;
  for (let turn = 0; at < text.length; turn++) {
    const size = Math.max(1, sizes[turn % sizes.length] as number);
    out.push(...splitter.push(text.slice(at, at + size)));
    at += size;
  }
  out.push(...splitter.end());
  return out;
}

function texts(values: readonly JsonValueText[]): string[] {
  return values.map((value) => value.text);
}

/** JSON objects with awkward strings: quotes, backslashes, braces, escaped newlines, non-ASCII. */
const awkwardString = fc.oneof(
  fc.string(),
  fc.constantFrom('"', '\\', '\\"', '{', '}', '[', ']', '\\\\"}', 'é€😀', '\n', ',:'),
);
const record = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 8 }), awkwardString),
  fc.jsonValue({ maxDepth: 3 }).chain((value) => fc.oneof(fc.constant(value), awkwardString)),
  { maxKeys: 6 },
);

describe('JsonValueSplitter: top-level JSON values from a stream of text', () => {
  it(`finds every value of NDJSON, Firehose's concatenated records, pretty JSON and arrays, however the text is cut (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('ndjson', 'concatenated', 'pretty', 'array'),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        (values, layout, sizes) => {
          const text =
            layout === 'ndjson'
              ? `${values.map((value) => JSON.stringify(value)).join('\n')}\n`
              : layout === 'concatenated'
                ? values.map((value) => JSON.stringify(value)).join('')
                : layout === 'pretty'
                  ? values.map((value) => JSON.stringify(value, null, 2)).join('\n')
                  : JSON.stringify(values, null, 1);
          const found = split(text, sizes);
          assert.deepEqual(
            found.map((value) => JSON.parse(value.text)),
            JSON.parse(JSON.stringify(values)),
          );
          if (layout === 'array')
            assert.deepEqual(
              found.map((value) => value.arrayIndex),
              values.map((_, i) => i),
            );
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it(`a broken line in NDJSON costs only itself: every other line comes out as it was (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 2, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('truncate', 'garbage'),
        (values, which, cutAt, damage) => {
          const lines = values.map((value) => JSON.stringify(value));
          const broken = which % lines.length;
          const line = lines[broken] as string;
          lines[broken] =
            damage === 'garbage' ? 'this is not JSON' : line.slice(0, 1 + (cutAt % (line.length - 1)));
          const found = texts(split(`${lines.join('\n')}\n`, [7]));
          const intact = lines.filter((_, index) => index !== broken);
          assert.deepEqual(
            found.filter((text) => intact.includes(text)),
            intact,
            'every intact line is a value of its own, in order',
          );
          assert.ok(found.length <= lines.length);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('numbers values by line, and by position on the line when records share one', () => {
    const found = split('{"a":1}\n\n{"b":2}{"c":3}\n  {"d":4}');
    assert.deepEqual(
      found.map(({ line, onLine }) => [line, onLine]),
      [
        [1, 1],
        [3, 1],
        [3, 2],
        [4, 1],
      ],
    );
  });

  it('cuts off broken input as values of their own and never swallows the next record', () => {
    const cases: Array<[string, string[]]> = [
      // A truncated line followed by the next record.
      ['{"a":1,\n{"b":2}\n', ['{"a":1,\n', '{"b":2}']],
      // A string cut off at the end of its line.
      ['{"a":"xx\n{"b":2}\n', ['{"a":"xx', '{"b":2}']],
      // A missing colon: the rest of that line is the broken value.
      ['{"a" 1}\n{"b":2}', ['{"a" 1}', '{"b":2}']],
      // Text that is not JSON at all, on its own line.
      ['not json\n{"b":2}\n', ['not json', '{"b":2}']],
      // A record cut off by the end of the object.
      ['{"a":1}\n{"trunc', ['{"a":1}', '{"trunc']],
      // Escaped backslash before the closing quote.
      ['{"a":"\\\\"}{"b":1}', ['{"a":"\\\\"}', '{"b":1}']],
      // A byte order mark is not part of the first value.
      ['\uFEFF{"a":1}', ['{"a":1}']],
      ['  \n\n', []],
    ];
    for (const [input, expected] of cases) {
      for (const size of [1, 3, 1000]) {
        assert.deepEqual(
          texts(split(input, [size])),
          expected,
          `${JSON.stringify(input)} in pieces of ${size}`,
        );
      }
    }
  });

  it('scans a long concatenated object in linear time', () => {
    const one = JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify({ mail: { id: 'x'.repeat(800) } }),
    });
    const text = one.repeat(20_000);
    const started = process.hrtime.bigint();
    const found = split(text, [64 * 1024]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(found.length, 20_000);
    // Quadratic rescanning of a 20 MB line would take minutes; linear takes well under a few seconds.
    assert.ok(ms < 10_000, `${ms} ms`);
  });
});
