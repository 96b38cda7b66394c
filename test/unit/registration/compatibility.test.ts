import assert from 'node:assert/strict';
import avro from 'avsc';
import { checkCompatibility, readProblems } from '../../../src/registration/compatibility.ts';

type Field = { name: string; type: unknown; default?: unknown; aliases?: string[] };

function record(fields: Field[], extra: Record<string, unknown> = {}): avro.Type {
  return avro.Type.forSchema({
    type: 'record',
    name: 'Event',
    namespace: 'test',
    fields,
    ...extra,
  } as avro.Schema);
}

const base: Field[] = [
  { name: 'id', type: 'string' },
  { name: 'count', type: 'int' },
];

function problemsOf(reader: avro.Type, writer: avro.Type): string[] {
  return readProblems(reader, writer).map((problem) => `${problem.kind}@${problem.path}`);
}

describe('Avro schema-resolution check', () => {
  it('accepts identical schemas and new fields that have defaults', () => {
    assert.deepEqual(problemsOf(record(base), record(base)), []);
    const added = record([...base, { name: 'note', type: ['null', 'string'], default: null }]);
    assert.deepEqual(problemsOf(added, record(base)), []);
  });

  it('flags a new reader field without a default, naming it', () => {
    const added = record([...base, { name: 'tenant', type: 'string' }]);
    assert.deepEqual(problemsOf(added, record(base)), ['missing-default@tenant']);
  });

  it('ignores writer fields the reader dropped', () => {
    assert.deepEqual(problemsOf(record([{ name: 'id', type: 'string' }]), record(base)), []);
  });

  it('allows the spec promotions and nothing else', () => {
    const asLong = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'long' },
    ]);
    assert.deepEqual(problemsOf(asLong, record(base)), []);
    assert.deepEqual(problemsOf(record(base), asLong), ['type-changed@count']);
    const asBytes = record([
      { name: 'id', type: 'bytes' },
      { name: 'count', type: 'int' },
    ]);
    assert.deepEqual(problemsOf(asBytes, record(base)), []);
    const asBoolean = record([
      { name: 'id', type: 'boolean' },
      { name: 'count', type: 'int' },
    ]);
    assert.deepEqual(problemsOf(asBoolean, record(base)), ['type-changed@id']);
  });

  it('reports the full path of nested fields, through unions, arrays and maps', () => {
    const nested = (detailFields: Field[]) =>
      record([
        {
          name: 'bounce',
          type: [
            'null',
            {
              type: 'record',
              name: 'Bounce',
              fields: [
                {
                  name: 'recipients',
                  type: { type: 'array', items: { type: 'record', name: 'Recipient', fields: detailFields } },
                },
              ],
            },
          ],
          default: null,
        },
        { name: 'tags', type: { type: 'map', values: { type: 'array', items: 'string' } } },
      ]);
    const writer = nested([{ name: 'emailAddress', type: 'string' }]);
    const reader = nested([
      { name: 'emailAddress', type: 'string' },
      { name: 'status', type: 'string' },
    ]);
    assert.deepEqual(problemsOf(reader, writer), ['missing-default@bounce.recipients[].status']);
  });

  it('requires every writer union branch to be readable', () => {
    const writer = record([{ name: 'value', type: ['null', 'string', 'int'] }]);
    const reader = record([{ name: 'value', type: ['null', 'string'] }]);
    assert.deepEqual(problemsOf(reader, writer), ['union-branch-missing@value']);
    // A union reader can take a plain writer type, and int promotes into a long branch.
    assert.deepEqual(
      problemsOf(
        record([{ name: 'value', type: ['null', 'long'] }]),
        record([{ name: 'value', type: 'int' }]),
      ),
      [],
    );
  });

  it('flags removed enum symbols unless the reader enum has a default', () => {
    const enumOf = (symbols: string[], extra: Record<string, unknown> = {}) =>
      record([{ name: 'kind', type: { type: 'enum', name: 'Kind', symbols, ...extra } }]);
    assert.deepEqual(problemsOf(enumOf(['A']), enumOf(['A', 'B'])), ['enum-symbol-removed@kind']);
    assert.deepEqual(problemsOf(enumOf(['A', 'B']), enumOf(['A'])), []);
    assert.deepEqual(problemsOf(enumOf(['A', 'UNKNOWN'], { default: 'UNKNOWN' }), enumOf(['A', 'B'])), []);
  });

  it('flags renamed records unless the reader lists the old name as an alias', () => {
    const renamed = avro.Type.forSchema({
      type: 'record',
      name: 'Other',
      namespace: 'test',
      fields: base,
    } as avro.Schema);
    assert.deepEqual(problemsOf(renamed, record(base)), ['name-changed@']);
    const aliased = avro.Type.forSchema({
      type: 'record',
      name: 'Other',
      namespace: 'test',
      aliases: ['test.Event'],
      fields: base,
    } as avro.Schema);
    assert.deepEqual(problemsOf(aliased, record(base)), []);
  });

  it('matches renamed fields through reader field aliases', () => {
    const renamed = record([
      { name: 'identifier', type: 'string', aliases: ['id'] },
      { name: 'count', type: 'int' },
    ]);
    assert.deepEqual(problemsOf(renamed, record(base)), []);
  });

  it('flags fixed size changes', () => {
    const fixed = (size: number) => record([{ name: 'hash', type: { type: 'fixed', name: 'Hash', size } }]);
    assert.deepEqual(problemsOf(fixed(16), fixed(32)), ['fixed-size-changed@hash']);
  });

  it('terminates on recursive schemas', () => {
    const list = (extra: Field[]) =>
      avro.Type.forSchema({
        type: 'record',
        name: 'Node',
        fields: [{ name: 'next', type: ['null', 'Node'], default: null }, ...extra],
      } as avro.Schema);
    assert.deepEqual(problemsOf(list([]), list([])), []);
    assert.deepEqual(problemsOf(list([{ name: 'v', type: 'int' }]), list([])), ['missing-default@v']);
  });
});

describe('checkCompatibility levels', () => {
  const v1 = { version: 1, type: record(base) };
  const v2 = {
    version: 2,
    type: record([...base, { name: 'note', type: ['null', 'string'], default: null }]),
  };
  const withRequired = record([
    ...base,
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'tenant', type: 'string' },
  ]);

  it('BACKWARD refuses a new required field and says which field, which version and the fix', () => {
    const violations = checkCompatibility(withRequired, [v1, v2], 'BACKWARD');
    assert.equal(violations.length, 1);
    const [violation] = violations;
    assert.equal(violation?.path, 'tenant');
    assert.equal(violation?.version, 2);
    assert.equal(violation?.direction, 'backward');
    assert.match(
      violation?.message ?? '',
      /field "tenant" is new and has no default.*version 2.*give it a default/,
    );
  });

  it('NONE accepts anything', () => {
    assert.deepEqual(checkCompatibility(withRequired, [v1, v2], 'NONE'), []);
  });

  it('BACKWARD checks only the latest version; BACKWARD_TRANSITIVE checks all', () => {
    // Version 1 had id as int, version 2 moved to string: the candidate only clashes with version 1.
    const v0 = { version: 1, type: record([{ name: 'id', type: 'int' }]) };
    const latest = { version: 2, type: record([{ name: 'id', type: 'string' }]) };
    const candidate = record([{ name: 'id', type: 'string' }]);
    assert.deepEqual(checkCompatibility(candidate, [v0, latest], 'BACKWARD'), []);
    const transitive = checkCompatibility(candidate, [v0, latest], 'BACKWARD_TRANSITIVE');
    assert.deepEqual(
      transitive.map((violation) => [violation.version, violation.path, violation.kind]),
      [[1, 'id', 'type-changed']],
    );
    assert.match(transitive[0]?.message ?? '', /field "id": changed from int to string/);
  });

  it('FORWARD refuses removing a field the old schema requires', () => {
    const dropped = record([{ name: 'id', type: 'string' }]);
    const violations = checkCompatibility(dropped, [v1], 'FORWARD');
    assert.deepEqual(
      violations.map((violation) => [violation.path, violation.direction]),
      [['count', 'forward']],
    );
    assert.match(violations[0]?.message ?? '', /field "count" was removed/);
    assert.deepEqual(checkCompatibility(dropped, [v1], 'BACKWARD'), []);
  });

  it('FULL checks both directions', () => {
    const dropped = record([{ name: 'id', type: 'string' }]);
    assert.equal(checkCompatibility(dropped, [v1], 'FULL').length, 1);
    assert.equal(checkCompatibility(withRequired, [v1], 'FULL').length, 1);
    assert.deepEqual(checkCompatibility(v2.type, [v1], 'FULL_TRANSITIVE'), []);
  });

  it('passes with no existing versions', () => {
    assert.deepEqual(checkCompatibility(withRequired, [], 'FULL_TRANSITIVE'), []);
  });
});
