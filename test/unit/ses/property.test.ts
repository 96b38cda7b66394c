import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { PipelineError } from '../../../src/errors.ts';
import { parseAnyInput, parseLambdaEvent, parseSqsRecord } from '../../../src/ses/index.ts';
import { fixture, shapeFixtures, snsLambdaEvent } from './helpers.ts';

/** Every outcome is well-formed: an event with an id, or a parse-stage error with a message. */
function assertWellFormed(outcomes: ReturnType<typeof parseAnyInput>): void {
  assert.ok(Array.isArray(outcomes));
  for (const outcome of outcomes) {
    assert.equal(typeof outcome.raw, 'string');
    if (outcome.ok) {
      assert.equal(typeof outcome.event.eventId, 'string');
    } else {
      assert.ok(outcome.error instanceof PipelineError);
      assert.equal(outcome.error.stage, 'parse');
      assert.ok(outcome.error.message.length > 0);
    }
  }
}

/** SES-looking JSON: a real fixture with random subtrees replaced, to reach the deep validation paths. */
const mutatedSes = fc
  .tuple(
    fc.constantFrom(...shapeFixtures().map((f) => f.json)),
    fc.array(
      fc.tuple(
        fc.array(
          fc.constantFrom(
            'mail',
            'bounce',
            'delivery',
            'destination',
            'messageId',
            'timestamp',
            'click',
            'complaint',
            'eventType',
            'bouncedRecipients',
            '0',
          ),
          { minLength: 1, maxLength: 3 },
        ),
        fc.jsonValue(),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([base, edits]) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    for (const [path, replacement] of edits) {
      let node: unknown = copy;
      for (const key of path.slice(0, -1)) {
        if (node === null || typeof node !== 'object') break;
        node = (node as Record<string, unknown>)[key];
      }
      if (node !== null && typeof node === 'object')
        (node as Record<string, unknown>)[path.at(-1) as string] = replacement;
    }
    return copy;
  });

describe('ses parse: properties', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => assertWellFormed(parseAnyInput(text))),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JSON, in any envelope', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value) ?? 'null';
        assertWellFormed(parseAnyInput(text));
        assertWellFormed(parseLambdaEvent(value));
        assertWellFormed(parseLambdaEvent(snsLambdaEvent([text])));
        assertWellFormed([parseSqsRecord(value)]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated SES events, and every failure names a path', () => {
    fc.assert(
      fc.property(mutatedSes, (json) => {
        const outcomes = parseAnyInput(JSON.stringify(json));
        assertWellFormed(outcomes);
        for (const outcome of outcomes) {
          if (!outcome.ok && outcome.error.code === 'SES_INVALID')
            assert.match(outcome.error.message, /^[\w.[\]()]+: /);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses every good line of an NDJSON mix with arbitrary lines, at its own line number', () => {
    const good = JSON.stringify(fixture('event-publishing/delivery.json').json);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant(good),
            fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
          ),
          { minLength: 2, maxLength: 8 },
        ),
        (lines) => {
          const outcomes = parseAnyInput(lines.join('\n'));
          assertWellFormed(outcomes);
          lines.forEach((line, index) => {
            if (line !== good) return;
            const atLine = outcomes.filter((o) => o.location === `line ${index + 1}`);
            assert.deepEqual(
              atLine.map((o) => o.ok),
              [true],
            );
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
