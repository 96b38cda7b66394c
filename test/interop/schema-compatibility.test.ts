import assert from 'node:assert/strict';
import avro from 'avsc';
import fc from 'fast-check';
import { readProblems } from '../../src/registration/compatibility.ts';
import { loadBaseSchema } from '../../src/ses/base-schema.ts';
import { type Json, schemaArbitrary } from '../support/avro-arbitraries.ts';
import { fuzzSeed } from '../support/fuzz-seed.ts';
import { javaHarnessClasspath, javaLines } from './prepare.ts';

/**
 * Differential test of our reader/writer compatibility check (what `register-schemas` refuses) against
 * Avro Java's own SchemaCompatibility.checkReaderWriterCompatibility, the rule Confluent's registry and
 * the Glue serde apply. Pairs are a generated schema and an evolution of it (fields added with and
 * without defaults, removed, retyped, promoted, made optional; enums, fixed sizes, record names,
 * namespaces and aliases changed), checked in both directions.
 */

const SEED = fuzzSeed();
const RUNS = Number(process.env.COMPATIBILITY_RUNS ?? 400);

type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every record (and error) definition in a schema, in document order. */
function records(schema: Json, found: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(schema)) for (const branch of schema) records(branch, found);
  else if (isObject(schema)) {
    if (schema.type === 'record' || schema.type === 'error') {
      found.push(schema);
      for (const field of (schema.fields as Json[]) ?? [])
        if (isObject(field)) records(field.type as Json, found);
    } else if (schema.type === 'array') records(schema.items as Json, found);
    else if (schema.type === 'map') records(schema.values as Json, found);
  }
  return found;
}

function named(schema: Json, kind: string, found: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(schema)) for (const branch of schema) named(branch, kind, found);
  else if (isObject(schema)) {
    if (schema.type === kind) found.push(schema);
    for (const value of Object.values(schema)) if (typeof value === 'object') named(value, kind, found);
  }
  return found;
}

const PRIMITIVE_SWAPS: Record<string, string[]> = {
  int: ['long', 'float', 'double', 'string'],
  long: ['int', 'float', 'double'],
  float: ['double', 'int'],
  double: ['float', 'long'],
  string: ['bytes', 'int'],
  bytes: ['string', 'boolean'],
  boolean: ['int', 'string'],
};

/** One evolution step, chosen by `pick`; returns a changed deep copy (or an equal copy when none applies). */
function evolve(original: Json, pick: (n: number) => number): Json {
  const schema = JSON.parse(JSON.stringify(original)) as Json;
  const recordList = records(schema);
  const record = recordList[pick(recordList.length)] as JsonObject;
  const fields = record.fields as JsonObject[];
  switch (pick(11)) {
    case 0:
      fields.push({ name: `added${pick(100)}`, type: 'string', default: 'x' });
      break;
    case 1:
      fields.push({ name: `added${pick(100)}`, type: 'long' });
      break;
    case 2:
      if (fields.length > 1) fields.splice(pick(fields.length), 1);
      break;
    case 3: {
      const field = fields[pick(fields.length)] as JsonObject;
      const swaps = typeof field.type === 'string' ? PRIMITIVE_SWAPS[field.type] : undefined;
      if (swaps) {
        field.type = swaps[pick(swaps.length)] as string;
        delete field.default;
      }
      break;
    }
    case 4: {
      const field = fields[pick(fields.length)] as JsonObject;
      if (typeof field.type === 'string' && field.type !== 'null') {
        field.type = ['null', field.type];
        field.default = null;
      }
      break;
    }
    case 5:
      // Rename the root record; sometimes keep the old full name as an alias, sometimes move namespace.
      if (isObject(schema)) {
        const kind = pick(3);
        if (kind === 0) schema.name = `Renamed${pick(10)}`;
        else if (kind === 1) schema.namespace = `moved.ns${pick(10)}`;
        else {
          const oldFullName =
            typeof schema.namespace === 'string' && schema.namespace !== ''
              ? `${schema.namespace}.${String(schema.name)}`
              : String(schema.name);
          schema.name = `Renamed${pick(10)}`;
          schema.aliases = [oldFullName];
        }
      }
      break;
    case 6: {
      const enums = named(schema, 'enum');
      const target = enums[pick(Math.max(enums.length, 1))];
      if (target) {
        const symbols = target.symbols as string[];
        const step = pick(3);
        if (step === 0) symbols.push(`S${pick(100)}`);
        else if (step === 1 && symbols.length > 1) symbols.splice(pick(symbols.length), 1);
        else target.default = symbols[0] as string;
      }
      break;
    }
    case 7: {
      const fixed = named(schema, 'fixed');
      const target = fixed[pick(Math.max(fixed.length, 1))];
      if (target) target.size = (target.size as number) + 1;
      break;
    }
    case 8: {
      const arrays = named(schema, 'array');
      const target = arrays[pick(Math.max(arrays.length, 1))];
      if (target && typeof target.items === 'string' && PRIMITIVE_SWAPS[target.items]) {
        const swaps = PRIMITIVE_SWAPS[target.items] as string[];
        target.items = swaps[pick(swaps.length)] as string;
      }
      break;
    }
    case 9: {
      const field = fields[pick(fields.length)] as JsonObject;
      if (Array.isArray(field.type) && field.type.length === 2 && field.type[0] === 'null') {
        field.type = field.type[1] as Json;
        delete field.default;
      }
      break;
    }
    default: {
      const field = fields[pick(fields.length)] as JsonObject;
      field.aliases = [`${String(field.name)}_old`];
      field.name = `${String(field.name)}_new`;
      break;
    }
  }
  return schema;
}

function ourVerdict(reader: Json, writer: Json): 'COMPATIBLE' | 'INCOMPATIBLE' | 'INVALID' {
  let readerType: avro.Type;
  let writerType: avro.Type;
  try {
    readerType = avro.Type.forSchema(reader as avro.Schema);
    writerType = avro.Type.forSchema(writer as avro.Schema);
  } catch {
    return 'INVALID';
  }
  return readProblems(readerType, writerType).length === 0 ? 'COMPATIBLE' : 'INCOMPATIBLE';
}

describe('schema compatibility: the same verdicts as Avro Java SchemaCompatibility', function () {
  this.timeout(180_000);
  let classpath: string;

  before(async () => {
    classpath = await javaHarnessClasspath();
  });

  it('agrees on generated schemas and their evolutions, both directions', async () => {
    const pairs = fc.sample(
      fc.tuple(
        schemaArbitrary(),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 8, maxLength: 8 }),
      ),
      { numRuns: RUNS, seed: SEED },
    );
    const cases: Array<{ reader: Json; writer: Json }> = [];
    const v1 = loadBaseSchema('v1') as unknown as Json;
    const v2 = loadBaseSchema('v2') as unknown as Json;
    cases.push({ reader: v2, writer: v1 }, { reader: v1, writer: v2 });
    for (const [schema, picks] of pairs) {
      let cursor = 0;
      const pick = (n: number) => (n <= 0 ? 0 : (picks[cursor++ % picks.length] as number) % n);
      const evolved = evolve(schema, pick);
      cases.push({ reader: evolved, writer: schema }, { reader: schema, writer: evolved });
    }
    const java = await javaLines(
      classpath,
      'dev.seskafka.interop.ReaderWriterCompatibility',
      cases.map(({ reader, writer }) => `${JSON.stringify(reader)}\t${JSON.stringify(writer)}`),
    );
    const disagreements: string[] = [];
    let compared = 0;
    let incompatible = 0;
    cases.forEach((pair, index) => {
      const theirs = java[index] as string;
      if (theirs.startsWith('ERR ')) return;
      const ours = ourVerdict(pair.reader, pair.writer);
      if (ours === 'INVALID') return;
      compared++;
      if (theirs === 'INCOMPATIBLE') incompatible++;
      if (ours !== theirs) {
        disagreements.push(
          `#${index}: java ${theirs}, ours ${ours}\n  reader ${JSON.stringify(pair.reader)}\n  writer ${JSON.stringify(pair.writer)}`,
        );
      }
    });
    console.log(
      `      compatibility: seed ${SEED}, ${compared} reader/writer pairs compared (${incompatible} incompatible per Java)`,
    );
    assert.ok(compared > cases.length / 2, `too few pairs compared (${compared} of ${cases.length})`);
    assert.ok(
      incompatible > compared / 10,
      'the evolutions should break compatibility often enough to test it',
    );
    assert.deepEqual(
      disagreements.slice(0, 3),
      [],
      `${disagreements.length} disagreements (FUZZ_SEED=${SEED} replays them)`,
    );
  });
});
