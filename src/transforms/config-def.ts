/**
 * A small ConfigDef: each transform declares its keys (type, default, validator, doc) and gets back a
 * typed, validated config. Errors name the FULL key (`transforms.route.regex`) so a bad line in a
 * properties file can be found at once. Values are trimmed like Connect's ConfigDef does.
 */
import { ConfigError } from '../errors.ts';
import { javaParseInteger, javaTrim } from './java/numbers.ts';
import { compileJavaPattern, type JavaPattern, UnsupportedJavaRegexError } from './java/regex.ts';

export type ConfigType = 'string' | 'int' | 'boolean' | 'list' | 'password';

type ValueOf<T extends ConfigType> = T extends 'int'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'list'
      ? string[]
      : string;

/** Throws a plain message (without the key); `parseConfig` prefixes the key. */
export type Validator<V> = (value: V) => void;

/** One declared key; a discriminated union so each type's default and validator match it. */
export type ConfigKey = {
  [T in ConfigType]: {
    type: T;
    /** Omit for a required key; `null` means "optional, no value". */
    default?: ValueOf<T> | null;
    validator?: Validator<ValueOf<T>>;
    doc: string;
  };
}[ConfigType];

export type ConfigDef = Record<string, ConfigKey>;

export type ParsedConfig<D extends ConfigDef> = {
  [K in keyof D]: D[K] extends { type: infer T extends ConfigType }
    ? D[K] extends { default: null }
      ? ValueOf<T> | null
      : ValueOf<T>
    : never;
};

export function defineConfig<D extends ConfigDef>(def: D): D {
  return def;
}

/** Keys every transform accepts besides its own (they are read by the chain, not the transform). */
export const CHAIN_TRANSFORM_KEYS = ['type', 'predicate', 'negate'] as const;
export const CHAIN_PREDICATE_KEYS = ['type'] as const;

/**
 * Validates `raw` (already stripped of the `transforms.<alias>.` prefix) against `def`.
 * Unknown keys are rejected (Connect ignores them; a typo there silently disables a privacy step).
 */
export function parseConfig<D extends ConfigDef>(
  def: D,
  raw: Record<string, string>,
  prefix: string,
  reservedKeys: readonly string[],
): ParsedConfig<D> {
  for (const key of Object.keys(raw)) {
    if (!(key in def) && !reservedKeys.includes(key)) {
      const allowed = [...Object.keys(def), ...reservedKeys].join(', ');
      throw new ConfigError(`${prefix}${key}`, `unknown key; allowed keys are: ${allowed}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(def)) {
    const fullKey = `${prefix}${key}`;
    const rawValue = raw[key];
    let value: unknown;
    if (rawValue === undefined) {
      if (!('default' in spec) || spec.default === undefined) {
        throw new ConfigError(fullKey, `missing required key (${spec.doc})`);
      }
      value = spec.default;
    } else {
      value = parseValue(spec.type, rawValue, fullKey);
    }
    if (value !== null && spec.validator) {
      try {
        (spec.validator as Validator<unknown>)(value);
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw new ConfigError(fullKey, error instanceof Error ? error.message : String(error));
      }
    }
    out[key] = value;
  }
  return out as ParsedConfig<D>;
}

/** Java's whitespace for ConfigDef's list split (\s in java.util.regex: ASCII only). */
const LIST_SEPARATOR = /[ \t\n\v\f\r]*,[ \t\n\v\f\r]*/;

/** ConfigDef.parseType: Java's trim, Integer.parseInt, case-insensitive booleans, lists split on commas. */
function parseValue(type: ConfigType, raw: string, fullKey: string): unknown {
  const trimmed = javaTrim(raw);
  switch (type) {
    case 'string':
    case 'password':
      return trimmed;
    case 'int': {
      const parsed = javaParseInteger(trimmed, 32);
      if (parsed === null) throw new ConfigError(fullKey, `expected a 32-bit integer, got "${trimmed}"`);
      return Number(parsed);
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw new ConfigError(fullKey, `expected true or false, got "${trimmed}"`);
    }
    case 'list':
      // Empty items stay, as in Connect ("a,,b" is three items); each transform then checks them.
      return trimmed === '' ? [] : trimmed.split(LIST_SEPARATOR);
  }
}

/** Java's String.split(separator): trailing empty strings are dropped ("x:".split(":") is ["x"]). */
export function javaSplit(text: string, separator: string): string[] {
  if (text === '') return [''];
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

// Validators mirroring Connect's, with messages that say what is allowed.

export function oneOf(
  allowed: readonly string[],
  options: { caseInsensitive?: boolean } = {},
): Validator<string> {
  return (value) => {
    const ok = options.caseInsensitive
      ? allowed.some((candidate) => candidate.toLowerCase() === value.toLowerCase())
      : allowed.includes(value);
    if (!ok) throw new Error(`invalid value "${value}"; allowed values are: ${allowed.join(', ')}`);
  };
}

export const nonEmptyString: Validator<string> = (value) => {
  if (value === '') throw new Error('must not be empty');
};

export const nonEmptyList: Validator<string[]> = (value) => {
  if (value.length === 0) throw new Error('must be a non-empty, comma-separated list');
};

/** ReplaceField's renames: each entry splits on ":" into exactly two parts, as Java's split does. */
export const colonPairs: Validator<string[]> = (value) => {
  for (const item of value) {
    if (javaSplit(item, ':').length !== 2) {
      throw new Error(`invalid entry "${item}"; expected colon-delimited pairs, e.g. foo:bar,abc:xyz`);
    }
  }
};

/**
 * A Java regular expression (java.util.regex syntax), translated exactly or refused naming the construct
 * we cannot reproduce (see java/regex.ts). The message says which it is.
 */
export function compileJavaRegex(pattern: string): JavaPattern {
  try {
    return compileJavaPattern(pattern);
  } catch (error) {
    const reason = (error as Error).message;
    if (error instanceof UnsupportedJavaRegexError)
      throw new Error(`regular expression "${pattern}": ${reason}`);
    throw new Error(`invalid regular expression "${pattern}": ${reason}`);
  }
}
