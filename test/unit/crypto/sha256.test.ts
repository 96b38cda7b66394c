import { strict as assert } from 'node:assert';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { HmacSha256, sha256Hex } from '../../../src/crypto/sha256.ts';

// Strings as JSON and header values hold them: ASCII, any UTF-16 (lone surrogates included, which
// UTF-8 encoding replaces with U+FFFD on both sides) and long enough to outgrow the reusable buffer.
const message = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 200, maxLength: 2000 }),
);
// Shorter than, equal to and longer than SHA-256's 64-byte block (a longer key is hashed first).
const key = fc.uint8Array({ minLength: 0, maxLength: 150 }).map((bytes) => Buffer.from(bytes));

describe('sha256Hex and HmacSha256 (the hot path hashing)', () => {
  it('sha256Hex equals createHash for any string', () => {
    fc.assert(
      fc.property(message, (text) => {
        assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('HmacSha256 equals createHmac for any key, message and encoding, message after message', () => {
    fc.assert(
      fc.property(key, fc.array(message, { minLength: 1, maxLength: 8 }), (secret, texts) => {
        const hmac = new HmacSha256(secret);
        for (const text of texts) {
          for (const encoding of ['hex', 'base64'] as const) {
            assert.equal(
              hmac.digest(text, encoding),
              createHmac('sha256', secret).update(text).digest(encoding),
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes the key as text too, and gives the RFC 4231 test case 2 digest', () => {
    const hmac = new HmacSha256('Jefe');
    assert.equal(
      hmac.digest('what do ya want for nothing?', 'hex'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('a shorter message after a longer one is not mixed with the longer one’s leftover bytes', () => {
    const hmac = new HmacSha256(Buffer.alloc(32, 7));
    const long = 'x'.repeat(1000);
    hmac.digest(long, 'hex');
    assert.equal(
      hmac.digest('a', 'hex'),
      createHmac('sha256', Buffer.alloc(32, 7)).update('a').digest('hex'),
    );
  });
});
