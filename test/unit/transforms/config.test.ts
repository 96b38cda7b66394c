import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors.ts';
import { TransformChain } from '../../../src/transforms/chain.ts';
import { parseJsonConfig, parsePropertiesConfig } from '../../../src/transforms/config-source.ts';
import type { AvroSchema } from '../../../src/transforms/schema.ts';

const schema: AvroSchema = {
  type: 'record',
  name: 'Event',
  fields: [
    { name: 'eventType', type: 'string' },
    { name: 'count', type: 'int' },
  ],
};

function configError(config: Record<string, string>): ConfigError {
  try {
    TransformChain.build(config, { valueSchema: schema, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

describe('transform config sources', () => {
  it('parses .properties with escapes, continuations, comments and $ in class names', () => {
    const parsed = parsePropertiesConfig(
      [
        '# comment',
        '! also a comment',
        'transforms=a,\\',
        '    b',
        'transforms.a.type=org.apache.kafka.connect.transforms.Cast$Value',
        'transforms.a.spec = count\\:string',
        'transforms.b.replacement: \\u0041$1',
      ].join('\n'),
    );
    assert.equal(parsed.transforms, 'a,b');
    assert.equal(parsed['transforms.a.type'], 'org.apache.kafka.connect.transforms.Cast$Value');
    assert.equal(parsed['transforms.a.spec'], 'count:string');
    assert.equal(parsed['transforms.b.replacement'], 'A$1');
  });

  it('parses flat JSON, nested JSON, Connect REST wrappers and arrays as lists', () => {
    assert.deepEqual(parseJsonConfig('{"transforms":"a","transforms.a.type":"Filter"}'), {
      transforms: 'a',
      'transforms.a.type': 'Filter',
    });
    assert.deepEqual(
      parseJsonConfig('{"name":"x","config":{"transforms":["a","b"],"errors":{"tolerance":"all"}}}'),
      {
        transforms: 'a,b',
        'errors.tolerance': 'all',
      },
    );
    assert.throws(() => parseJsonConfig('[1]', 'f.json'), /f\.json: expected a JSON object/);
  });

  it('accepts full class names, short aliases and bare names for $Value', () => {
    for (const type of ['org.apache.kafka.connect.transforms.Cast$Value', 'Cast$Value', 'Cast']) {
      const chain = TransformChain.build(
        { transforms: 'c', 'transforms.c.type': type, 'transforms.c.spec': 'count:string' },
        { valueSchema: schema, env: {} },
      );
      const outcome = chain.apply({
        topic: 't',
        key: 'k',
        value: { eventType: 'Bounce', count: 3 },
        headers: [],
        timestamp: 0,
      });
      assert.deepEqual(outcome, {
        kind: 'ok',
        record: {
          topic: 't',
          key: 'k',
          value: { eventType: 'Bounce', count: '3' },
          headers: [],
          timestamp: 0,
        },
      });
    }
  });
});

describe('transform config errors name the full key and the fix', () => {
  it('unknown key', () => {
    const error = configError({
      transforms: 'm',
      'transforms.m.type': 'MaskField$Value',
      'transforms.m.fieldz': 'x',
    });
    assert.equal(error.key, 'transforms.m.fieldz');
    assert.match(error.message, /^transforms\.m\.fieldz: unknown key; allowed keys are: fields, replacement/);
  });

  it('missing required key', () => {
    const error = configError({ transforms: 'm', 'transforms.m.type': 'MaskField$Value' });
    assert.match(error.message, /^transforms\.m\.fields: missing required key/);
  });

  it('bad regex', () => {
    const error = configError({
      transforms: 'route',
      'transforms.route.type': 'RegexRouter',
      'transforms.route.regex': '(',
      'transforms.route.replacement': 'x',
    });
    assert.match(error.message, /^transforms\.route\.regex: invalid regular expression "\(": /);
  });

  it('a Java regex construct JavaScript cannot reproduce is refused by name, not silently changed', () => {
    const error = configError({
      transforms: 'r',
      'transforms.r.type': 'RegexRouter',
      'transforms.r.regex': '\\p{InGreek}+',
      'transforms.r.replacement': 'x',
    });
    assert.match(error.message, /^transforms\.r\.regex: .*\\p\{InGreek\} \(Unicode block\) is not supported/);
  });

  it('bad cast spec lists the supported types', () => {
    const error = configError({
      transforms: 'c',
      'transforms.c.type': 'Cast$Value',
      'transforms.c.spec': 'count:decimal',
    });
    assert.match(
      error.message,
      /^transforms\.c\.spec: invalid type "decimal" .*supported types are int8, int16/,
    );
  });

  it('unknown transform type lists the known ones', () => {
    const error = configError({ transforms: 'x', 'transforms.x.type': 'org.example.Nope' });
    assert.match(
      error.message,
      /^transforms\.x\.type: unknown transform type "org\.example\.Nope"; known types .*Cast\$Key/,
    );
  });

  it('a $ variant that does not exist', () => {
    assert.match(
      configError({ transforms: 'x', 'transforms.x.type': 'RegexRouter$Value' }).message,
      /unknown transform type/,
    );
  });

  it('bad enum value lists the allowed values', () => {
    const error = configError({ 'errors.tolerance': 'some' });
    assert.equal(error.message, 'errors.tolerance: invalid value "some"; allowed values are: none, all');
  });

  it('keys for an alias that is not listed', () => {
    const error = configError({
      transforms: 'a',
      'transforms.a.type': 'Filter',
      'transforms.b.type': 'Filter',
    });
    assert.match(error.message, /^transforms\.b\.type: alias "b" is not listed in transforms=a/);
  });

  it('a predicate that is not defined', () => {
    const error = configError({
      transforms: 'a',
      'transforms.a.type': 'Filter',
      'transforms.a.predicate': 'p',
    });
    assert.match(
      error.message,
      /^transforms\.a\.predicate: predicate "p" is not defined; list it in predicates=/,
    );
  });

  it('negate without predicate, and a non-boolean negate', () => {
    assert.match(
      configError({ transforms: 'a', 'transforms.a.type': 'Filter', 'transforms.a.negate': 'true' }).message,
      /^transforms\.a\.negate: only meaningful/,
    );
    assert.match(
      configError({
        transforms: 'a',
        'transforms.a.type': 'Filter',
        'transforms.a.predicate': 'p',
        'transforms.a.negate': 'yes',
        predicates: 'p',
        'predicates.p.type': 'RecordIsTombstone',
      }).message,
      /^transforms\.a\.negate: expected true or false, got "yes"/,
    );
  });

  it('a dead-letter topic without errors.tolerance=all', () => {
    assert.match(
      configError({ 'errors.deadletterqueue.topic.name': 'dlq' }).message,
      /needs errors\.tolerance=all/,
    );
  });

  it('a field that is not in the schema', () => {
    const error = configError({
      transforms: 'm',
      'transforms.m.type': 'MaskField$Value',
      'transforms.m.fields': 'evenType',
    });
    assert.equal(error.message, 'transforms.m.fields: no field "evenType" in record Event');
  });

  it('duplicate aliases', () => {
    assert.match(
      configError({ transforms: 'a,a', 'transforms.a.type': 'Filter' }).message,
      /^transforms: alias "a" is listed twice/,
    );
  });

  it('other connector keys are left to the caller', () => {
    const chain = TransformChain.build(
      { name: 'c', topic: 'x', transforms: '' },
      { valueSchema: schema, env: {} },
    );
    assert.deepEqual(chain.ignoredKeys, ['name', 'topic']);
  });
});
