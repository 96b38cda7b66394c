import { HmacSha256 } from '../../crypto/sha256.ts';
import { parseMailboxList } from '../../ses/address.ts';
import { deriveEventIdKey, keyedEventIds } from '../../ses/event-id.ts';
import { SideTransform } from '../base.ts';
import { defineConfig, nonEmptyList, oneOf } from '../config-def.ts';
import { compileUpdaters, splitDottedPath, type UpdateSpec } from '../paths.ts';
import { type AvroSchema, asRecord, connectTypeOf, unwrapOptional } from '../schema.ts';

/** Bounds the digest memo; 10,000 short strings and their digests are about 2 MB. */
const DIGEST_CACHE_ENTRIES = 10_000;
/** HMAC-SHA256 keys shorter than its output leave the pseudonyms weaker than the hash. */
export const MIN_HMAC_KEY_BYTES = 32;
const DEFAULT_EVENT_ID_FIELD = 'eventId';

const definition = defineConfig({
  fields: {
    type: 'list',
    validator: nonEmptyList,
    doc: 'dotted paths to string fields or arrays of strings, e.g. mail.destination,bounce.bouncedRecipients.emailAddress',
  },
  key: {
    type: 'password',
    default: null,
    doc: `HMAC key, at least ${MIN_HMAC_KEY_BYTES} bytes (prefer key.env so the key stays out of config files)`,
  },
  'key.env': {
    type: 'string',
    default: null,
    doc: 'name of the environment variable that holds the HMAC key (or a Secrets Manager / SSM ARN resolved at start-up)',
  },
  'value.format': {
    type: 'string',
    default: 'address',
    validator: oneOf(['address', 'text']),
    doc: 'address: parse RFC 5322 mailboxes and hash each address (display names are dropped); text: hash the whole string',
  },
  encoding: { type: 'string', default: 'hex', validator: oneOf(['hex', 'base64']), doc: 'digest encoding' },
  normalize: {
    type: 'string',
    default: 'none',
    validator: oneOf(['none', 'lowercase', 'trim-lowercase']),
    doc: 'normalization before hashing, so Foo@X.com and foo@x.com join',
  },
  'keep.domain': {
    type: 'boolean',
    default: false,
    doc: 'append the address domain to the digest (<digest>@example.com), so rates by recipient domain still work',
  },
  'event.id.field': {
    type: 'string',
    default: DEFAULT_EVENT_ID_FIELD,
    doc: 'top-level field holding the SES eventId, re-keyed so it cannot confirm a guessed recipient; "none" leaves it',
  },
});

/**
 * Pseudonymises string fields with a keyed HMAC-SHA256, so warehouse tables can join on recipients
 * without holding raw addresses. The key is never logged or put into an error message.
 *
 * Addresses, not header text: with `value.format=address` (the default) each value is parsed as an
 * RFC 5322 address list (`Jane Doe <jane@example.com>`, `"Doe, Jane" <jane@example.com>, bob@example.org`,
 * groups, quoted local parts) and each address is hashed on its own; display names and group names are
 * dropped, since a name is personal data with no join value. So `jane@example.com` gets the same digest
 * in mail.destination, in commonHeaders.to and in the bounce's recipients. A list stays a list
 * (`<d1>, <d2>`). A value that is not an address list is hashed whole.
 *
 * The SES eventId is an unkeyed hash of recipients and fields the record publishes, so it would let a
 * reader confirm a guessed address; HashField therefore replaces it with a keyed id (see
 * ses/event-id.ts), which stays deterministic for the same event and key.
 */
export class HashField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  #key: Buffer = Buffer.alloc(0);
  private update: (value: unknown) => unknown = (value) => value;

  protected override validate(): void {
    const inline = this.config.key;
    const envName = this.config['key.env'];
    if ((inline ? 1 : 0) + (envName ? 1 : 0) !== 1) {
      throw this.configError(
        'key',
        'set exactly one of key and key.env (the name of an environment variable)',
      );
    }
    // Registration computes only the output schema, which does not depend on the key: a CI job that
    // registers schemas must not need the production HMAC key.
    if (this.schemaOnly) return;
    const secret = inline ?? this.env[envName as string];
    if (!secret) {
      throw this.configError(
        'key.env',
        `environment variable ${envName} is not set or empty; it must hold the HMAC key`,
      );
    }
    const key = Buffer.from(secret, 'utf8');
    if (key.length < MIN_HMAC_KEY_BYTES) {
      // The length only: the key itself, or any part of it, never goes into a message.
      throw this.configError(
        inline ? 'key' : 'key.env',
        `the HMAC key is ${key.length} bytes; use at least ${MIN_HMAC_KEY_BYTES} random bytes (e.g. openssl rand -base64 48)`,
      );
    }
    if (this.config['keep.domain'] && this.config['value.format'] === 'text') {
      throw this.configError('keep.domain', 'only applies to value.format=address');
    }
    this.#key = key;
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const hash = this.config['value.format'] === 'address' ? this.addressHasher() : this.textHasher();
    const specs: UpdateSpec[] = this.config.fields.map((path) => ({
      segments: splitDottedPath(path),
      key: `${this.prefix}fields`,
      checkLeaf: (leaf) => {
        const type = connectTypeOf(unwrapOptional(leaf).base);
        if (type !== 'string') {
          throw this.configError(
            'fields',
            `"${path}" is ${type}; HashField hashes strings and arrays of strings`,
          );
        }
      },
      update: hash,
    }));
    const rekey = this.eventIdRekeyer(schema);
    if (rekey !== undefined) specs.push(rekey);
    // One walk for every path: each record on the way is copied once per value, not once per path.
    this.update = compileUpdaters(schema, specs);
    return schema;
  }

  /** Re-keys the top-level event id field, when the record has one (see the class comment). */
  private eventIdRekeyer(schema: AvroSchema): UpdateSpec | undefined {
    const field = this.config['event.id.field'].trim();
    if (field === 'none') return undefined;
    const record = asRecord(unwrapOptional(schema).base);
    const declared = record?.fields.find((candidate) => candidate.name === field);
    if (declared === undefined) {
      if (field === DEFAULT_EVENT_ID_FIELD) return undefined;
      throw this.configError('event.id.field', `no top-level field "${field}" in the record`);
    }
    if (connectTypeOf(unwrapOptional(declared.type as AvroSchema).base) !== 'string') {
      throw this.configError('event.id.field', `"${field}" is not a string field`);
    }
    const keyedEventId = keyedEventIds(deriveEventIdKey(this.#key));
    return {
      segments: [field],
      key: `${this.prefix}event.id.field`,
      checkLeaf: () => {},
      update: (current) => (typeof current === 'string' ? keyedEventId(current) : current),
    };
  }

  /** HMAC of one normalised string, remembered: the same address recurs in many fields and events. */
  private digester(): (text: string) => string {
    const hmac = new HmacSha256(this.#key);
    const encoding = this.config.encoding as 'hex' | 'base64';
    const normalize = this.config.normalize;
    const digests = new Map<string, string>();
    return (raw) => {
      let text = raw;
      if (normalize === 'lowercase') text = text.toLowerCase();
      else if (normalize === 'trim-lowercase') text = text.trim().toLowerCase();
      let digest = digests.get(text);
      if (digest === undefined) {
        digest = hmac.digest(text, encoding);
        if (digests.size >= DIGEST_CACHE_ENTRIES) digests.clear();
        digests.set(text, digest);
      }
      return digest;
    };
  }

  private textHasher(): (value: unknown) => string {
    const digest = this.digester();
    return (value) => digest(value as string);
  }

  private addressHasher(): (value: unknown) => string {
    const digest = this.digester();
    const keepDomain = this.config['keep.domain'];
    // The bench profile showed one parse per occurrence as a real cost: header values repeat too.
    const hashed = new Map<string, string>();
    const hashAddress = (address: string, domain: string | undefined) => {
      const pseudonym = digest(address);
      return keepDomain && domain !== undefined ? `${pseudonym}@${domain.toLowerCase()}` : pseudonym;
    };
    return (value) => {
      const text = value as string;
      const known = hashed.get(text);
      if (known !== undefined) return known;
      const mailboxes = parseMailboxList(text);
      // Not an address list: hash it whole, and keep no domain (it may not be one).
      const result =
        mailboxes === undefined
          ? hashAddress(text, undefined)
          : mailboxes.map((mailbox) => hashAddress(mailbox.address, mailbox.domain)).join(', ');
      if (hashed.size >= DIGEST_CACHE_ENTRIES) hashed.clear();
      hashed.set(text, result);
      return result;
    };
  }

  protected mapValue(value: unknown): unknown {
    return this.update(value);
  }
}
