import assert from 'node:assert/strict';
import fc from 'fast-check';
import { schemaIdentity, schemaText } from '../../src/serde/schema-text.ts';
import { loadBaseSchema } from '../../src/ses/base-schema.ts';
import { type Json, respelled, schemaArbitrary } from '../support/avro-arbitraries.ts';
import { fuzzSeed } from '../support/fuzz-seed.ts';
import { javaHarnessClasspath, javaLines } from './prepare.ts';

/**
 * Differential test of the one schema text we send to registries against Avro Java's own
 * Schema.toString() (avro 1.11.4, the version the AWS Glue serde ships with): the reference the Glue
 * Java serde and Confluent's Java serializer use. Generated schemas cover nested and referenced named
 * types, every namespace form, docs, defaults, aliases, field order, logical types and attributes; each
 * is also respelled (key order, full vs short names, whitespace) and must come out the same.
 */

const SEED = fuzzSeed();
const RUNS = Number(process.env.SCHEMA_TEXT_RUNS ?? 400);

describe('schema text: the same as Avro Java Schema.toString()', function () {
  this.timeout(180_000);
  let classpath: string;

  before(async () => {
    classpath = await javaHarnessClasspath();
  });

  it('matches Java on our base schemas and on generated schemas, for every spelling', async () => {
    const schemas = fc.sample(schemaArbitrary(), { numRuns: RUNS, seed: SEED });
    const bases = [loadBaseSchema('v1'), loadBaseSchema('v2')] as unknown as Json[];
    const originals = [...bases, ...schemas];
    const spellings = originals.map((schema) => [
      JSON.stringify(schema),
      JSON.stringify(respelled(schema), null, 2),
    ]);
    // Java reads one line per schema, so the pretty-printed spelling goes over as one line too.
    const javaAnswers = await javaLines(
      classpath,
      'dev.seskafka.interop.SchemaText',
      spellings.flat().map((text) => JSON.stringify(JSON.parse(text))),
    );
    const mismatches: string[] = [];
    let compared = 0;
    spellings.forEach((pair, index) => {
      const answers = [javaAnswers[2 * index] as string, javaAnswers[2 * index + 1] as string];
      if (answers.some((answer) => answer.startsWith('ERR '))) return; // Java refuses it: nothing to match
      compared++;
      pair.forEach((spelling, which) => {
        const expected = (answers[which] as string).slice(3);
        let ours: string;
        try {
          ours = schemaText(spelling);
        } catch (error) {
          ours = `threw ${(error as Error).message}`;
        }
        if (ours !== expected) {
          mismatches.push(
            `#${index}\n  input ${spelling.replace(/\s+/g, ' ')}\n  java  ${expected}\n  ours  ${ours}`,
          );
        }
      });
      if (schemaIdentity(pair[0] as string) !== schemaIdentity(pair[1] as string)) {
        mismatches.push(`#${index}: two spellings of one schema have different identities`);
      }
      // Java's own text is a spelling too, and a fixed point.
      assert.equal(schemaText((answers[0] as string).slice(3)), (answers[0] as string).slice(3));
    });
    console.log(
      `      schema text: seed ${SEED}, ${compared} of ${originals.length} schemas (2 spellings each) accepted by Avro Java and compared`,
    );
    assert.ok(
      compared > originals.length / 2,
      `too few schemas accepted by Java (${compared} of ${originals.length})`,
    );
    assert.deepEqual(
      mismatches.slice(0, 5),
      [],
      `${mismatches.length} mismatches (FUZZ_SEED=${SEED} replays them)`,
    );
  });
});
