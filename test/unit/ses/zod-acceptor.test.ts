// The compiled acceptor against zod itself: it may say yes only where zod accepts the value and hands
// back an equal one, and it must say yes for valid SES events (or the fast path would never run). Values
// are what JSON can express, plus the non-JSON objects the acceptor must refuse (null or another
// prototype, boxed values, dates); an array carrying named properties is outside its contract.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { z } from 'zod';
import { generateDemoStream } from '../../../src/demo/ses-event-stream.ts';
import { sesMessageSchema } from '../../../src/ses/model.ts';
import { compileZodAcceptor } from '../../../src/ses/zod-acceptor.ts';
import { fixturesIn, shapeFixtures } from './helpers.ts';

const acceptsSesMessage = compileZodAcceptor(sesMessageSchema);

/** What the acceptor promises: zod accepts and its output equals the input (with no own __proto__ dropped). */
function zodAcceptsUnchanged(schema: z.ZodType, value: unknown): boolean {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return false;
  try {
    assert.deepStrictEqual(parsed.data, value);
    return true;
  } catch {
    return false;
  }
}

/** Plain JSON with no own `__proto__` key anywhere: the values the acceptor is meant to decide alone. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'number' || Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (Object.getPrototypeOf(value) !== Object.prototype || Object.hasOwn(value, '__proto__')) return false;
  return Object.values(value).every(isPlainJson);
}

/** The property, both ways: never yes when zod would refuse or change it; always yes on plain JSON zod keeps. */
function assertAgrees(accepts: (value: unknown) => boolean, schema: z.ZodType, value: unknown): void {
  const verdict = accepts(value);
  const reference = zodAcceptsUnchanged(schema, value);
  if (verdict) assert.ok(reference, `acceptor said yes, zod refuses or changes: ${safeShow(value)}`);
  else if (isPlainJson(value)) assert.ok(!reference, `acceptor said no, zod keeps it: ${safeShow(value)}`);
}

function safeShow(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 400) ?? String(value);
  } catch {
    return String(value);
  }
}

const demoMessages = generateDemoStream({
  emails: 150,
  seed: 5,
  now: Date.parse('2026-11-20T12:00:00Z'),
})
  .messages.flatMap((text) => {
    try {
      return [JSON.parse(text) as Record<string, unknown>];
    } catch {
      return []; // the stream's deliberately malformed payloads
    }
  })
  .filter((message) => sesMessageSchema.safeParse(message).success);
const validEvents = [...shapeFixtures(), ...fixturesIn('edge')].map((f) => f.json);

/** Every path to an object member or array element in `value`. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [];
  const keys: Array<string | number> = Array.isArray(value)
    ? value.map((_, index) => index)
    : Object.keys(value);
  return keys.flatMap((key) => [
    [...prefix, key],
    ...pathsOf((value as Record<string | number, unknown>)[key], [...prefix, key]),
  ]);
}

const replacement = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    '',
    'x',
    0,
    1.5,
    -1,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    [],
    {},
    ['a@example.com'],
    [1],
    '2026-11-20T12:00:00.000Z',
    '2026-02-30T12:00:00Z',
    '2026-11-20 12:00:00',
    { emailAddress: 'a@example.com' },
    JSON.parse('{"__proto__": {"x": 1}}'),
    Object.create(null),
    new Date(0),
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

const DELETE = Symbol('delete');
const mutatedEvent = fc
  .constantFrom(...validEvents, ...demoMessages.slice(0, 60))
  .chain((base) => {
    const paths = pathsOf(base);
    return fc.tuple(
      fc.constant(base),
      fc.array(fc.tuple(fc.constantFrom(...paths), fc.oneof(replacement, fc.constant<unknown>(DELETE))), {
        minLength: 1,
        maxLength: 3,
      }),
    );
  })
  .map(([base, edits]) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    for (const [path, value] of edits) {
      let node: unknown = copy;
      for (const key of path.slice(0, -1)) {
        if (node === null || typeof node !== 'object') break;
        node = (node as Record<string | number, unknown>)[key];
      }
      if (node === null || typeof node !== 'object') continue;
      const last = path.at(-1) as string | number;
      // A named property on an array is beyond JSON (and beyond the acceptor's contract): an earlier
      // edit may have put an array where this path expects an object.
      if (Array.isArray(node) && typeof last !== 'number') continue;
      if (value === DELETE) delete (node as Record<string | number, unknown>)[last];
      else (node as Record<string | number, unknown>)[last] = value;
    }
    return copy;
  });

describe('compileZodAcceptor (SES validation without copies, derived from the zod schema)', () => {
  it('accepts every valid fixture and every valid event of the demo stream (the fast path runs)', () => {
    for (const event of [...validEvents, ...demoMessages]) {
      assert.ok(acceptsSesMessage(event), safeShow(event));
      assert.ok(zodAcceptsUnchanged(sesMessageSchema, event));
    }
    assert.ok(demoMessages.length > 250);
  });

  it('agrees with zod on SES events with any member replaced or deleted', () => {
    fc.assert(
      fc.property(mutatedEvent, (event) => assertAgrees(acceptsSesMessage, sesMessageSchema, event)),
      { numRuns: 3000 },
    );
  });

  it('agrees with zod on arbitrary values', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withObjectString: true, withBoxedValues: true }),
        (value) => assertAgrees(acceptsSesMessage, sesMessageSchema, value),
      ),
      { numRuns: 1000 },
    );
  });

  it('agrees with zod on every construct it compiles, over arbitrary values', () => {
    const schema = z.strictObject({
      text: z.string().min(2),
      checked: z.string().refine((value) => value.startsWith('a')),
      count: z.number().int().nullish(),
      ratio: z.number().optional(),
      flag: z.boolean().nullable(),
      list: z.array(z.string()).min(1).optional(),
      map: z.record(z.string(), z.array(z.boolean())).optional(),
      open: z.looseObject({ inner: z.string().nullish() }).optional(),
      anything: z.unknown(),
    });
    const accepts = compileZodAcceptor(schema);
    const near = fc.record(
      {
        text: fc.oneof(fc.string({ maxLength: 4 }), fc.anything()),
        checked: fc.oneof(fc.constantFrom('a', 'ab', 'b', ''), fc.anything()),
        count: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(null, undefined, 2 ** 60)),
        ratio: fc.oneof(fc.double(), fc.constant(undefined)),
        flag: fc.oneof(fc.boolean(), fc.constant(null), fc.anything()),
        list: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.anything()),
        map: fc.oneof(fc.dictionary(fc.string(), fc.array(fc.boolean())), fc.anything()),
        open: fc.oneof(
          fc.record({ inner: fc.oneof(fc.string(), fc.constant(null)) }, { requiredKeys: [] }),
          fc.anything(),
        ),
        anything: fc.anything(),
        extra: fc.anything(),
      },
      { requiredKeys: ['text', 'checked'] },
    );
    fc.assert(
      fc.property(fc.oneof(near, fc.anything({ withNullPrototype: true })), (value) =>
        assertAgrees(accepts, schema, value),
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses, when the module loads, a construct it cannot decide exactly as zod', () => {
    for (const schema of [
      z.object({ a: z.string() }),
      z.looseObject({ a: z.email() }),
      z.looseObject({ a: z.enum(['x']) }),
      z.looseObject({ a: z.string().max(3) }),
      z.looseObject({ a: z.coerce.number() }),
      z.looseObject({ a: z.string().default('x') }),
      z.looseObject({ a: z.string().transform((text) => text.length) }),
      z.looseObject({ a: z.string().trim() }),
    ]) {
      assert.throws(() => compileZodAcceptor(schema), /zod-acceptor: .* is not supported/);
    }
  });
});
