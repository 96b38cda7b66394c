import { createHmac } from 'node:crypto';
import { SideTransform } from '../base.ts';
import { defineConfig, nonEmptyList, oneOf } from '../config-def.ts';
import { compileUpdater, splitDottedPath } from '../paths.ts';
import { type AvroSchema, connectTypeOf, unwrapOptional } from '../schema.ts';

/** Bounds the digest memo; 10,000 short strings and their digests are about 2 MB. */
const DIGEST_CACHE_ENTRIES = 10_000;

const definition = defineConfig({
  fields: {
    type: 'list',
    validator: nonEmptyList,
    doc: 'dotted paths to string fields or arrays of strings, e.g. mail.destination,bounce.bouncedRecipients.emailAddress',
  },
  key: {
    type: 'password',
    default: null,
    doc: 'HMAC key (prefer key.env so the key stays out of config files)',
  },
  'key.env': {
    type: 'string',
    default: null,
    doc: 'name of the environment variable that holds the HMAC key',
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
});

/**
 * Replaces string fields with a keyed HMAC-SHA256, so warehouse tables can join on recipients without
 * holding raw addresses. The key is never logged or put into an error message.
 */
export class HashField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  #key: Buffer = Buffer.alloc(0);
  private updaters: Array<(value: unknown) => unknown> = [];

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
    this.#key = Buffer.from(secret, 'utf8');
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const hash = this.hasher();
    this.updaters = this.config.fields.map((path) =>
      compileUpdater(
        schema,
        splitDottedPath(path),
        `${this.prefix}fields`,
        (leaf) => {
          const type = connectTypeOf(unwrapOptional(leaf).base);
          if (type !== 'string') {
            throw this.configError(
              'fields',
              `"${path}" is ${type}; HashField hashes strings and arrays of strings`,
            );
          }
        },
        hash,
      ),
    );
    return schema;
  }

  private hasher(): (value: unknown) => string {
    const key = this.#key;
    const encoding = this.config.encoding as 'hex' | 'base64';
    const normalize = this.config.normalize;
    const keepDomain = this.config['keep.domain'];
    // The same address appears in mail.destination, commonHeaders.to and the detail's recipients, and
    // again in every later event of the email; the bench profile showed one HMAC per occurrence as the
    // transform chain's main cost. Digests are remembered, in a map emptied whenever it fills up.
    const digests = new Map<string, string>();
    return (value) => {
      let text = value as string;
      if (normalize === 'lowercase') text = text.toLowerCase();
      else if (normalize === 'trim-lowercase') text = text.trim().toLowerCase();
      let digest = digests.get(text);
      if (digest === undefined) {
        digest = createHmac('sha256', key).update(text, 'utf8').digest(encoding);
        // The whole address is hashed either way, so joins are the same; the domain is only appended.
        const at = keepDomain ? text.lastIndexOf('@') : -1;
        if (at >= 0) digest = `${digest}${text.slice(at).toLowerCase()}`;
        if (digests.size >= DIGEST_CACHE_ENTRIES) digests.clear();
        digests.set(text, digest);
      }
      return digest;
    };
  }

  protected mapValue(value: unknown): unknown {
    let out = value;
    for (const update of this.updaters) out = update(out);
    return out;
  }
}
