/**
 * A zod schema compiled once into a plain predicate that copies nothing.
 *
 * zod's `safeParse` validates and rebuilds every object and array it walks; for a valid SES event
 * that rebuilt copy was most of the parse cost in the bench profile. The predicate built here is
 * derived from the zod schema itself (its `_zod.def` tree), so the two cannot drift apart by an edit to
 * the schema: a construct this compiler does not know is refused when the module loads, naming it.
 *
 * Contract, for values JSON can express (what every parser entry point hands it): `accepts(value)` is
 * true only when zod would accept `value` AND hand back a value deeply equal to it (so the caller may
 * use `value` itself). In every other case it is false and the caller
 * asks zod, whose answer (and error messages) stay authoritative. That is why the odd cases below say
 * no rather than decide: an own `__proto__` key (zod drops it from its output), objects that are not
 * plain JSON objects (another or a null prototype). Property tests compare the predicate with zod on generated and mutated events.
 */
import type { z } from 'zod';

export type Acceptor = (value: unknown) => boolean;

interface ZodDef {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  innerType?: ZodLike;
  shape?: Record<string, ZodLike>;
  catchall?: ZodLike;
  element?: ZodLike;
  keyType?: ZodLike;
  valueType?: ZodLike;
  coerce?: boolean;
  mode?: string;
}

interface CheckDef {
  check: string;
  minimum?: number;
  format?: string;
  fn?: (value: unknown) => unknown;
  when?: unknown;
}

interface ZodLike {
  _zod: { def: ZodDef; optin?: string; optout?: string };
}

/**
 * The definition keys each construct may carry. Anything else (a string format such as z.email(), a
 * default, a transform, a `when` on a refinement) changes what zod accepts or returns in a way this
 * compiler does not model, so it is refused rather than ignored.
 */
const ALLOWED_DEF_KEYS: Record<string, readonly string[]> = {
  object: ['type', 'shape', 'catchall'],
  unknown: ['type'],
  any: ['type'],
  optional: ['type', 'innerType'],
  nullable: ['type', 'innerType'],
  string: ['type', 'checks', 'coerce'],
  number: ['type', 'checks', 'coerce'],
  boolean: ['type', 'coerce'],
  array: ['type', 'element', 'checks'],
  record: ['type', 'keyType', 'valueType'],
};
const ALLOWED_CHECK_KEYS: Record<string, readonly string[]> = {
  // `when` here is zod's own "the value has a length", always true for the strings and arrays it follows.
  min_length: ['check', 'minimum', 'when'],
  number_format: ['type', 'check', 'abort', 'format'],
  custom: ['type', 'check', 'fn', 'error', 'abort'],
};

function refuseUnknownKeys(def: object, allowed: readonly string[] | undefined, what: string, path: string) {
  if (allowed === undefined) throw unsupported(what, path);
  const extra = Object.keys(def).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw unsupported(`${what} with ${extra.join(', ')}`, path);
}

/** JSON objects only: anything with another prototype could carry inherited keys zod would walk. */
function isPlainJsonObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Not a null prototype either: zod's output would be a plain object, which compares unequal.
  return Object.getPrototypeOf(value) === Object.prototype;
}

function unsupported(what: string, path: string): Error {
  return new Error(
    `zod-acceptor: ${what} at ${path || '(root)'} is not supported; extend src/ses/zod-acceptor.ts (and its property test) or validate that schema with zod`,
  );
}

function compileChecks(def: ZodDef, path: string): Acceptor[] {
  return (def.checks ?? []).map(({ _zod: { def: check } }) => {
    refuseUnknownKeys(check, ALLOWED_CHECK_KEYS[check.check], `check ${check.check}`, path);
    switch (check.check) {
      case 'min_length': {
        const minimum = check.minimum as number;
        return (value) => (value as { length: number }).length >= minimum;
      }
      case 'number_format':
        if (check.format !== 'safeint') throw unsupported(`number format ${check.format}`, path);
        return (value) => Number.isSafeInteger(value);
      case 'custom': {
        const fn = check.fn as (value: unknown) => unknown;
        return (value) => {
          const verdict = fn(value);
          // An async refinement cannot be answered here; zod will say what it makes of it.
          return verdict instanceof Promise ? false : Boolean(verdict);
        };
      }
      default:
        throw unsupported(`check ${check.check}`, path);
    }
  });
}

function withChecks(typeCheck: Acceptor, checks: Acceptor[]): Acceptor {
  if (checks.length === 0) return typeCheck;
  return (value) => {
    if (!typeCheck(value)) return false;
    for (const check of checks) if (!check(value)) return false;
    return true;
  };
}

function compileNode(schema: ZodLike, path: string): Acceptor {
  const def = schema._zod.def;
  refuseUnknownKeys(def, ALLOWED_DEF_KEYS[def.type], `zod type ${def.type}`, path);
  if (def.coerce) throw unsupported('coercion', path);
  const checks = compileChecks(def, path);
  switch (def.type) {
    case 'string':
      return withChecks((value) => typeof value === 'string', checks);
    case 'number':
      return withChecks((value) => typeof value === 'number' && Number.isFinite(value), checks);
    case 'boolean':
      return withChecks((value) => typeof value === 'boolean', checks);
    case 'unknown':
    case 'any':
      return withChecks(() => true, checks);
    case 'optional': {
      const inner = compileNode(def.innerType as ZodLike, path);
      return withChecks((value) => value === undefined || inner(value), checks);
    }
    case 'nullable': {
      const inner = compileNode(def.innerType as ZodLike, path);
      return withChecks((value) => value === null || inner(value), checks);
    }
    case 'array': {
      const element = compileNode(def.element as ZodLike, `${path}[]`);
      return withChecks((value) => {
        if (!Array.isArray(value)) return false;
        for (let index = 0; index < value.length; index++) if (!element(value[index])) return false;
        return true;
      }, checks);
    }
    case 'record': {
      const keyType = (def.keyType as ZodLike)._zod.def;
      if (keyType.type !== 'string' || (keyType.checks ?? []).length > 0 || def.mode === 'loose') {
        throw unsupported('a record whose keys are not plain strings', path);
      }
      const valueCheck = compileNode(def.valueType as ZodLike, `${path}{}`);
      return withChecks((value) => {
        if (!isPlainJsonObject(value) || Object.hasOwn(value, '__proto__')) return false;
        for (const key in value) if (!valueCheck(value[key])) return false;
        return true;
      }, checks);
    }
    case 'object':
      return withChecks(compileObject(def, path), checks);
    default:
      throw unsupported(`zod type ${def.type}`, path);
  }
}

function compileObject(def: ZodDef, path: string): Acceptor {
  const catchall = def.catchall?._zod.def.type;
  if (catchall !== undefined && catchall !== 'unknown' && catchall !== 'never') {
    throw unsupported(`an object catchall of type ${catchall}`, path);
  }
  const strict = catchall === 'never';
  // z.object() strips unknown keys: its output would then differ from the input, so such an input
  // would have to go to zod anyway. Only loose (catchall unknown) and strict objects are compiled.
  if (catchall === undefined)
    throw unsupported('a stripping z.object (use z.looseObject or z.strictObject)', path);
  const fields = Object.entries(def.shape ?? {}).map(([key, field]) => {
    const fieldPath = path ? `${path}.${key}` : key;
    const { optin, optout } = field._zod;
    // zod: an optional field may be absent; any other field must be present (`key in value`), even
    // z.unknown(). Defaults and other in-between kinds would put a value into the output.
    if (!(optin === undefined || (optin === 'optional' && optout === 'optional'))) {
      throw unsupported(`a field that is ${optin}-in, ${optout}-out`, fieldPath);
    }
    return { key, required: optin === undefined, check: compileNode(field, fieldPath) };
  });
  const known = new Set(fields.map(({ key }) => key));
  return (value) => {
    if (!isPlainJsonObject(value) || Object.hasOwn(value, '__proto__')) return false;
    for (const { key, required, check } of fields) {
      if (required && !(key in value)) return false;
      if (!check(value[key])) return false;
    }
    if (strict) for (const key in value) if (!known.has(key)) return false;
    return true;
  };
}

/** Compiles `schema` once; throws at once for a construct the predicate cannot decide exactly as zod. */
export function compileZodAcceptor(schema: z.ZodType): Acceptor {
  return compileNode(schema as unknown as ZodLike, '');
}
