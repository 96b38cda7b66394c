import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileUpdater, compileUpdaters, type UpdateSpec } from '../../../src/transforms/paths.ts';
import type { AvroSchema } from '../../../src/transforms/schema.ts';

// A record with the shapes a HashField path crosses: nested and optional records, arrays of records and
// arrays of strings.
const SCHEMA: AvroSchema = {
  type: 'record',
  name: 'Event',
  fields: [
    { name: 'id', type: 'string' },
    {
      name: 'mail',
      type: {
        type: 'record',
        name: 'Mail',
        fields: [
          { name: 'source', type: 'string' },
          { name: 'destination', type: { type: 'array', items: 'string' } },
          {
            name: 'headers',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'Header',
                fields: [
                  { name: 'name', type: 'string' },
                  { name: 'value', type: 'string' },
                ],
              },
            },
          },
        ],
      },
    },
    {
      name: 'bounce',
      type: [
        'null',
        {
          type: 'record',
          name: 'Bounce',
          fields: [
            { name: 'reportingMTA', type: ['null', 'string'], default: null },
            { name: 'recipients', type: { type: 'array', items: 'string' } },
          ],
        },
      ],
      default: null,
    },
  ],
};

const PATHS = [
  ['id'],
  ['mail', 'source'],
  ['mail', 'destination'],
  ['mail', 'headers', 'value'],
  ['mail', 'headers', 'name'],
  ['bounce', 'reportingMTA'],
  ['bounce', 'recipients'],
] as const;

const text = fc.string({ maxLength: 6 });
const value = fc.record({
  id: text,
  mail: fc.record({
    source: text,
    destination: fc.array(text, { maxLength: 3 }),
    headers: fc.array(fc.record({ name: text, value: text }), { maxLength: 3 }),
  }),
  bounce: fc.option(
    fc.record({ reportingMTA: fc.option(text, { nil: null }), recipients: fc.array(text, { maxLength: 3 }) }),
    { nil: null },
  ),
});

/** Each path's update tags the leaf with its index, or leaves it alone, so order and skips show. */
const specsArbitrary = fc
  .uniqueArray(fc.integer({ min: 0, max: PATHS.length - 1 }), { minLength: 1, maxLength: PATHS.length })
  .chain((indexes) =>
    fc.tuple(
      fc.constant(indexes),
      fc.array(fc.boolean(), { minLength: indexes.length, maxLength: indexes.length }),
      // A path may come twice: both updates apply, in the order given.
      fc.boolean(),
    ),
  )
  .map(([indexes, changes, repeatFirst]) => {
    const specs: UpdateSpec[] = indexes.map((index, position) => ({
      segments: PATHS[index] as readonly string[],
      key: 'fields',
      checkLeaf: () => {},
      update: changes[position] ? (leaf: unknown) => `${String(leaf)}#${index}` : (leaf: unknown) => leaf,
    }));
    if (repeatFirst) specs.push({ ...(specs[0] as UpdateSpec), update: (leaf) => `${String(leaf)}!` });
    return specs;
  });

describe('transform paths: several updates merged into one walk', () => {
  it('give the same value as the paths applied one by one, without touching the input', () => {
    fc.assert(
      fc.property(value, specsArbitrary, (input, specs) => {
        const before = JSON.stringify(input);
        const merged = compileUpdaters(SCHEMA, specs)(input);
        let oneByOne: unknown = input;
        for (const spec of specs) {
          oneByOne = compileUpdater(SCHEMA, spec.segments, spec.key, spec.checkLeaf, spec.update)(oneByOne);
        }
        assert.deepEqual(merged, oneByOne);
        assert.equal(JSON.stringify(input), before, 'copy on write: the input is never modified');
      }),
    );
  });

  it('hand back the very same objects where no path changed anything', () => {
    fc.assert(
      fc.property(value, (input) => {
        const unchanged = compileUpdaters(
          SCHEMA,
          PATHS.map((segments) => ({ segments, key: 'fields', checkLeaf: () => {}, update: (leaf) => leaf })),
        )(input);
        assert.equal(unchanged, input);
      }),
    );
  });

  it('name the config key of the path that does not exist', () => {
    assert.throws(
      () =>
        compileUpdaters(SCHEMA, [
          { segments: ['mail', 'source'], key: 'a.fields', checkLeaf: () => {}, update: (leaf) => leaf },
          { segments: ['mail', 'nope'], key: 'b.fields', checkLeaf: () => {}, update: (leaf) => leaf },
        ]),
      (error: Error) =>
        /b\.fields/.test(`${(error as { key?: string }).key ?? ''} ${error.message}`) &&
        /no field "nope" in record Mail/.test(error.message),
    );
  });
});
