import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bareAddress, parseMailboxList, parseWithGrammar } from '../../../src/ses/address.ts';

const ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-";
const atom = (chars: string, max = 8) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: 1, maxLength: max });
const dotted = (chars: string) =>
  fc.array(atom(chars), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const local = dotted(ATEXT);
const domain = dotted('abcdefghijklmnopqrstuvwxyz0123456789-');
const name = fc.string({ unit: fc.constantFrom(..."Ab c.x_O'-9".split('')), maxLength: 12 });

describe('ses/address: RFC 5322 mailboxes', () => {
  it('the fast path and the RFC 5322 grammar agree on the forms the fast path takes (differential)', () => {
    fc.assert(
      fc.property(local, domain, name, fc.boolean(), (l, d, n, named) => {
        const text = named ? `${n} <${l}@${d}>` : `${l}@${d}`;
        assert.deepEqual(parseMailboxList(text), parseWithGrammar(text), text);
      }),
      { seed: 20_261_130, numRuns: 2_000 },
    );
  });

  it('parses display names, quoted local parts, lists and groups, dropping names', () => {
    const cases: [string, string[] | undefined][] = [
      ['Jane Doe <jane@example.com>', ['jane@example.com']],
      ['"Doe, Jane" <jane@example.com>, bob@example.org', ['jane@example.com', 'bob@example.org']],
      ['"john smith"@example.org', ['"john smith"@example.org']],
      ['"a\\"b"@example.org', ['"a\\"b"@example.org']],
      ['Team: a@x.com, "B" <b@y.com>;, c@z.com', ['a@x.com', 'b@y.com', 'c@z.com']],
      ['undisclosed-recipients:;', []],
      ['=?UTF-8?B?SsO8cmdlbg==?= <j@example.de>', ['j@example.de']],
      ['not an address', undefined],
      ['', undefined],
    ];
    for (const [text, addresses] of cases) {
      assert.deepEqual(
        parseMailboxList(text)?.map((mailbox) => mailbox.address),
        addresses,
        text,
      );
    }
  });

  it('bareAddress takes the address of mail.source, and keeps text that is no mailbox', () => {
    assert.equal(bareAddress('Acme Orders <orders@example.com>'), 'orders@example.com');
    assert.equal(bareAddress('"Acme, Inc." <orders@example.com>'), 'orders@example.com');
    assert.equal(bareAddress(' orders@example.com '), 'orders@example.com');
    assert.equal(bareAddress('weird <<x>>'), 'weird <<x>>');
  });
});
