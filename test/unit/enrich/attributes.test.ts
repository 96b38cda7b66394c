import assert from 'node:assert/strict';
import { stringifyItem } from '../../../src/enrich/attributes.ts';

describe('stringifyItem', () => {
  it('renders every DynamoDB type as a string', () => {
    const attributes = stringifyItem({
      campaign: { S: 'spring-sale' },
      count: { N: '42' },
      ratio: { N: '0.125' },
      active: { BOOL: false },
      nothing: { NULL: true },
      blob: { B: new Uint8Array([1, 2, 3]) },
      tags: { SS: ['b', 'a'] },
      scores: { NS: ['10', '2'] },
      list: { L: [{ S: 'x' }, { N: '1' }, { BOOL: true }] },
      map: { M: { z: { N: '1' }, a: { SS: ['y', 'x'] } } },
    });
    assert.deepEqual(attributes, {
      active: 'false',
      blob: 'AQID',
      campaign: 'spring-sale',
      count: '42',
      list: '["x",1,true]',
      map: '{"a":["x","y"],"z":1}',
      nothing: 'null',
      ratio: '0.125',
      scores: '[2,10]',
      tags: '["a","b"]',
    });
  });

  it('keeps numbers beyond double precision digit for digit', () => {
    const attributes = stringifyItem({
      big: { N: '12345678901234567890123' },
      nested: { L: [{ N: '0.1000000000000000000001' }] },
    });
    assert.equal(attributes.big, '12345678901234567890123');
    assert.equal(attributes.nested, '["0.1000000000000000000001"]');
  });
});
