import assert from 'node:assert/strict';
import { loadBaseSchema } from '../../../src/ses/base-schema.ts';
import {
  coerceCell,
  columnNameFor,
  jsonSafe,
  mergeExtraColumns,
  schemaExtras,
} from '../../../src/warehouse/evolution.ts';
import { toWarehouseEvent } from '../../../src/warehouse/rows.ts';
import { fixtureValues } from './ses-values.ts';

function withFields(fields: object[]): object {
  const schema = loadBaseSchema('v2');
  return { ...schema, fields: [...schema.fields, ...fields] };
}

describe('schema evolution: extra columns from a writer schema', () => {
  it('names columns in snake_case, as SQL identifiers', () => {
    assert.equal(columnNameFor('unknownFieldsJson'), 'unknown_fields_json');
    assert.equal(columnNameFor('tenantTier'), 'tenant_tier');
    assert.equal(columnNameFor('HTTPCode'), 'http_code');
    assert.equal(columnNameFor('x-ray id'), 'x_ray_id');
    assert.equal(columnNameFor('2fa'), 'f_2fa');
    assert.equal(columnNameFor('a'.repeat(80)).length, 63);
  });

  it('the base schemas bring no extra column: the fixed columns map all their fields', () => {
    assert.deepEqual(schemaExtras(loadBaseSchema('v1')).fields, []);
    assert.deepEqual(schemaExtras(loadBaseSchema('v2')).fields, []);
    assert.equal(schemaExtras(loadBaseSchema('v2')).hasBinary, false);
  });

  it('types each new top-level field from its Avro type', () => {
    const extras = schemaExtras(
      withFields([
        { name: 'tier', type: ['null', 'string'], default: null },
        { name: 'level', type: { type: 'enum', name: 'Level', symbols: ['LOW', 'HIGH'] } },
        { name: 'small', type: 'int' },
        { name: 'big', type: ['null', 'long'], default: null },
        { name: 'score', type: 'float' },
        { name: 'flag', type: 'boolean' },
        { name: 'seenAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'seenAtMicros', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
        { name: 'blob', type: 'bytes' },
        { name: 'nested', type: { type: 'record', name: 'Nested', fields: [{ name: 'a', type: 'string' }] } },
        { name: 'nestedAgain', type: 'Nested' },
        { name: 'list', type: { type: 'array', items: 'string' } },
        { name: 'either', type: ['null', 'string', 'long'] },
        { name: 'nothing', type: 'null' },
      ]),
    );
    assert.deepEqual(Object.fromEntries(extras.fields.map(({ column }) => [column.name, column.type])), {
      tier: 'text',
      level: 'text',
      small: 'bigint',
      big: 'bigint',
      score: 'double',
      flag: 'boolean',
      seen_at: 'timestamp',
      seen_at_micros: 'timestamp',
      day: 'date',
      blob: 'text',
      nested: 'json',
      nested_again: 'json',
      list: 'json',
      either: 'json',
    });
    assert.equal(extras.hasBinary, true);
  });

  it('leaves flattened names of mapped records to the fixed columns, and skips names a fixed column has', () => {
    const extras = schemaExtras(
      withFields([
        { name: 'mail_messageId', type: 'string' },
        { name: 'mail.source', type: 'string' },
        { name: 'campaign', type: ['null', 'string'], default: null },
        { name: 'tenant', type: 'string' },
      ]),
    );
    assert.deepEqual(
      extras.fields.map(({ column }) => column.name),
      ['tenant'],
    );
    assert.deepEqual(extras.skipped, ['campaign']);
  });

  it('reads the values into cells of the column type; what does not fit is NULL', () => {
    const extras = schemaExtras(
      withFields([
        { name: 'seenAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'seenAtMicros', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
        { name: 'blob', type: 'bytes' },
        { name: 'small', type: 'int' },
        { name: 'nested', type: { type: 'record', name: 'N', fields: [{ name: 'b', type: 'bytes' }] } },
      ]),
    );
    const read = (value: object) =>
      Object.fromEntries(extras.fields.map((field) => [field.column.name, field.read(value)]));
    const millis = Date.parse('2024-05-01T10:00:00.000Z');
    assert.deepEqual(
      read({
        seenAt: millis,
        seenAtMicros: millis * 1000,
        day: 19_844,
        blob: Buffer.from('hi'),
        small: 7,
        nested: { b: Buffer.from([1, 2]) },
      }),
      {
        seen_at: '2024-05-01T10:00:00.000Z',
        seen_at_micros: '2024-05-01T10:00:00.000Z',
        day: '2024-05-01',
        blob: 'aGk=',
        small: 7,
        nested: { b: 'AQI=' },
      },
    );
    assert.deepEqual(read({ seenAt: 'soon', day: 1.5, small: 'seven' }), {
      seen_at: null,
      seen_at_micros: null,
      day: null,
      blob: null,
      small: null,
      nested: null,
    });
  });

  it('fills the extra columns of an event row from the value', () => {
    const schema = withFields([{ name: 'tenantTier', type: ['null', 'string'], default: null }]);
    const [first] = fixtureValues();
    assert.ok(first);
    const result = toWarehouseEvent(
      { ...first.value, tenantTier: 'gold' },
      { topic: 't', partition: 0, offset: '1' },
      {
        schema: schemaExtras(schema),
      },
    );
    assert.ok(result.ok);
    assert.equal(result.row.event.tenant_tier, 'gold');
    assert.equal(result.row.event.unknown_fields, null);
  });

  it('coerces a cell into a column created with another type', () => {
    assert.equal(coerceCell(3, 'bigint', 'text'), '3');
    assert.equal(coerceCell(2.5, 'double', 'bigint'), null);
    assert.equal(coerceCell(2, 'double', 'bigint'), 2);
    assert.equal(coerceCell('12', 'text', 'bigint'), 12);
    assert.equal(coerceCell({ a: 1 }, 'json', 'text'), '{"a":1}');
    assert.deepEqual(coerceCell('x', 'text', 'json'), 'x');
    assert.equal(coerceCell('2024-05-01T10:00:00.000Z', 'timestamp', 'date'), '2024-05-01');
    assert.equal(coerceCell('yes', 'text', 'boolean'), null);
    assert.equal(coerceCell(null, 'text', 'bigint'), null);
  });

  it('merges column lists keeping the first type of each name', () => {
    assert.deepEqual(
      mergeExtraColumns(
        [{ field: 'a', name: 'a', type: 'bigint' }],
        [
          { field: 'a', name: 'a', type: 'double' },
          { field: 'b', name: 'b', type: 'text' },
        ],
      ),
      [
        { field: 'a', name: 'a', type: 'bigint' },
        { field: 'b', name: 'b', type: 'text' },
      ],
    );
  });

  it('jsonSafe renders Buffers as base64 and bigints as digits, leaving the rest as it is', () => {
    assert.deepEqual(jsonSafe({ a: [Buffer.from('hi'), 2n], b: 'x', c: null }), {
      a: ['aGk=', '2'],
      b: 'x',
      c: null,
    });
  });
});
