/**
 * SHA-256 and HMAC-SHA256 for the per-event hot path (eventId, keyed eventId, HashField).
 *
 * Why not `createHash`/`createHmac` per call: each builds a native context and a stream-capable JS
 * wrapper, and a Hash or Hmac cannot be reused after `digest()`. For the short inputs hashed here
 * (an eventId recipe, an address) that set-up cost more than the hashing: the bench profile put
 * `createHmac` alone at about 6% of the pipeline. `crypto.hash` (Node 20.12+) is one native call with
 * no object. HMAC (RFC 2104) is H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); the two padded key blocks are
 * computed once per key and kept in reusable buffers, so each message costs two one-shot hashes.
 * The outputs are bit-identical to createHash/createHmac (unit and property tests compare them).
 */
import { createHash, hash as oneShotHash } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

/** `crypto.hash` arrived in Node 20.12; older 20.x lines get the same digest the slow way. */
const hashOnce: (data: string | Buffer, encoding: 'hex' | 'base64' | 'buffer') => string | Buffer =
  typeof oneShotHash === 'function'
    ? (data, encoding) => oneShotHash('sha256', data, encoding)
    : (data, encoding) => {
        const digest = createHash('sha256').update(data);
        return encoding === 'buffer' ? digest.digest() : digest.digest(encoding);
      };

/** SHA-256 of the UTF-8 bytes of `text`, as lowercase hex. */
export function sha256Hex(text: string): string {
  return hashOnce(text, 'hex') as string;
}

export type DigestEncoding = 'hex' | 'base64';

/**
 * HMAC-SHA256 under one key, reused for every message. Not safe to share between concurrent callers
 * that interleave inside `digest` (none do: it is synchronous).
 */
export class HmacSha256 {
  /** (K ⊕ ipad) followed by room for the message. */
  #inner: Buffer;
  /** (K ⊕ opad) followed by the inner digest. */
  readonly #outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
  readonly #innerPad: Buffer;

  constructor(key: Buffer | string) {
    let block = Buffer.from(key);
    // RFC 2104: a key longer than the block is hashed first.
    if (block.length > BLOCK_BYTES) block = createHash('sha256').update(block).digest();
    const padded = Buffer.alloc(BLOCK_BYTES);
    block.copy(padded);
    this.#innerPad = Buffer.alloc(BLOCK_BYTES);
    for (let index = 0; index < BLOCK_BYTES; index++) {
      this.#innerPad[index] = (padded[index] as number) ^ 0x36;
      this.#outer[index] = (padded[index] as number) ^ 0x5c;
    }
    this.#inner = Buffer.alloc(BLOCK_BYTES + 256);
    this.#innerPad.copy(this.#inner);
  }

  /** HMAC of the UTF-8 bytes of `message`. */
  digest(message: string, encoding: DigestEncoding): string {
    const length = Buffer.byteLength(message, 'utf8');
    if (BLOCK_BYTES + length > this.#inner.length) {
      this.#inner = Buffer.alloc(BLOCK_BYTES + Math.max(length, this.#inner.length * 2));
      this.#innerPad.copy(this.#inner);
    }
    this.#inner.write(message, BLOCK_BYTES, 'utf8');
    const innerDigest = hashOnce(this.#inner.subarray(0, BLOCK_BYTES + length), 'buffer') as Buffer;
    innerDigest.copy(this.#outer, BLOCK_BYTES);
    return hashOnce(this.#outer, encoding) as string;
  }
}
