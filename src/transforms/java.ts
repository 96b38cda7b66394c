/**
 * The few bits of Java behaviour that Connect's transforms expose in their output: number-to-string
 * formatting, numeric narrowing, string parsing, SimpleDateFormat patterns (always UTC, as Connect's
 * TimestampConverter and TimestampRouter use) and Matcher replacement strings (`$1`, `${name}`).
 */

/** `Double.toString`: "1.0", "0.001", "1.0E7", "1.5E-4". */
export function javaDoubleToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const plain = decimalWithoutExponent(value);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

function decimalWithoutExponent(value: number): string {
  const text = String(value);
  if (!text.includes('e')) return text;
  // Small magnitudes (>= 1e-3) never reach here in practice; keep a correct fallback anyway.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const shifted =
    exponent < 0
      ? `0.${'0'.repeat(-exponent - 1)}${digits}`
      : digits.padEnd(exponent + 1, '0').slice(0, exponent + 1) +
        (digits.length > exponent + 1 ? `.${digits.slice(exponent + 1)}` : '');
  return negative ? `-${shifted}` : shifted;
}

/** `Float.toString` for a value already rounded to float32: the shortest digits that round-trip. */
export function javaFloatToString(value: number): string {
  if (!Number.isFinite(value) || value === 0) return javaDoubleToString(value);
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return javaDoubleToString(candidate);
  }
  return javaDoubleToString(value);
}

/** Java's (int)/(long) conversion of a double: truncate toward zero, saturate, NaN -> 0. */
function doubleToIntegerBits(value: number, bits: 32 | 64): bigint {
  if (Number.isNaN(value)) return 0n;
  const max = 2n ** BigInt(bits - 1) - 1n;
  const min = -(2n ** BigInt(bits - 1));
  if (value === Number.POSITIVE_INFINITY) return max;
  if (value === Number.NEGATIVE_INFINITY) return min;
  const truncated = BigInt(Math.trunc(value));
  return truncated > max ? max : truncated < min ? min : truncated;
}

/**
 * `Number.byteValue()/shortValue()/intValue()/longValue()` for a value whose Connect type is `from`:
 * integers wrap, floating point values truncate and saturate to int (or long) first.
 */
export function javaNarrow(value: number, from: 'integer' | 'floating', bits: 8 | 16 | 32 | 64): number {
  const asInteger =
    from === 'integer' ? BigInt(Math.trunc(value)) : doubleToIntegerBits(value, bits === 64 ? 64 : 32);
  return Number(BigInt.asIntN(bits, asInteger));
}

/** `Byte/Short/Integer/Long.parseX`: optional sign and digits only, in range, else null. */
export function javaParseInteger(text: string, bits: 8 | 16 | 32 | 64): number | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const parsed = BigInt(text);
  if (BigInt.asIntN(bits, parsed) !== parsed) return null;
  return Number(parsed);
}

/** `Double.parseDouble` / `Float.parseFloat`: trims, accepts an f/d suffix, NaN and Infinity. */
export function javaParseFloating(text: string): number | null {
  const trimmed = text.trim();
  if (/^[+-]?(NaN|Infinity)$/.test(trimmed)) return Number(trimmed.replace('+', ''));
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(trimmed)) return null;
  return Number(trimmed.replace(/[fFdD]$/, ''));
}

// --- SimpleDateFormat (UTC) ---------------------------------------------------------------------

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Token = { literal: string } | { letter: string; count: number };

const SUPPORTED_LETTERS = 'yMdHhkKmsSEaDZXz';

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ literal: "'" });
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in date format "${pattern}"`);
      tokens.push({ literal: pattern.slice(i + 1, end).replace(/''/g, "'") });
      i = end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      if (!SUPPORTED_LETTERS.includes(ch)) {
        throw new Error(
          `unsupported pattern letter '${ch}' in date format "${pattern}"; supported: ${SUPPORTED_LETTERS}`,
        );
      }
      let count = 1;
      while (pattern[i + count] === ch) count++;
      tokens.push({ letter: ch, count });
      i += count;
    } else {
      tokens.push({ literal: ch });
      i++;
    }
  }
  return tokens;
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

export interface JavaDateFormat {
  format(epochMillis: number): string;
  /** Returns epoch millis, or null when the text does not match the pattern. */
  parse(text: string): number | null;
}

/** A SimpleDateFormat pattern, compiled once, in UTC. */
export function compileDateFormat(pattern: string): JavaDateFormat {
  const tokens = tokenize(pattern);
  const format = (epochMillis: number): string => {
    const date = new Date(epochMillis);
    let out = '';
    for (const token of tokens) {
      if ('literal' in token) {
        out += token.literal;
        continue;
      }
      const { letter, count } = token;
      const hours = date.getUTCHours();
      switch (letter) {
        case 'y': {
          const year = date.getUTCFullYear();
          out += count === 2 ? pad(year % 100, 2) : pad(year, count);
          break;
        }
        case 'M': {
          const month = date.getUTCMonth();
          const name = MONTHS[month] as string;
          out += count >= 4 ? name : count === 3 ? name.slice(0, 3) : pad(month + 1, count);
          break;
        }
        case 'd':
          out += pad(date.getUTCDate(), count);
          break;
        case 'D': {
          const dayOfYear =
            Math.floor((epochMillis - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
          out += pad(dayOfYear, count);
          break;
        }
        case 'H':
          out += pad(hours, count);
          break;
        case 'k':
          out += pad(hours === 0 ? 24 : hours, count);
          break;
        case 'K':
          out += pad(hours % 12, count);
          break;
        case 'h':
          out += pad(hours % 12 === 0 ? 12 : hours % 12, count);
          break;
        case 'm':
          out += pad(date.getUTCMinutes(), count);
          break;
        case 's':
          out += pad(date.getUTCSeconds(), count);
          break;
        case 'S':
          out += pad(date.getUTCMilliseconds(), count);
          break;
        case 'E': {
          const name = DAYS[date.getUTCDay()] as string;
          out += count >= 4 ? name : name.slice(0, 3);
          break;
        }
        case 'a':
          out += hours < 12 ? 'AM' : 'PM';
          break;
        case 'Z':
          out += '+0000';
          break;
        case 'X':
          out += 'Z';
          break;
        case 'z':
          out += count >= 4 ? 'Coordinated Universal Time' : 'UTC';
          break;
      }
    }
    return out;
  };

  const groups: Array<{ letter: string; count: number }> = [];
  let source = '';
  tokens.forEach((token, index) => {
    if ('literal' in token) {
      source += token.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return;
    }
    const next = tokens[index + 1];
    const nextIsNumeric = next !== undefined && 'letter' in next && 'yMdDHkKhmsS'.includes(next.letter);
    const numeric = 'yDdHkKhmsS'.includes(token.letter) || (token.letter === 'M' && token.count <= 2);
    groups.push(token);
    if (numeric) source += nextIsNumeric ? `(\\d{${token.count}})` : '([+-]?\\d+)';
    else if (token.letter === 'M') source += '([A-Za-z]+)';
    else if (token.letter === 'E') source += '[A-Za-z]+';
    else if (token.letter === 'a') source += '(AM|PM|am|pm)';
    else source += '(Z|[+-]\\d{2}(?::?\\d{2})?|UTC|GMT|Coordinated Universal Time)';
    if (token.letter === 'E') groups.pop();
  });
  const matcher = new RegExp(`^${source}`);

  const parse = (text: string): number | null => {
    const match = matcher.exec(text);
    if (!match) return null;
    let year = 1970;
    let month = 0;
    let day = 1;
    let dayOfYear: number | null = null;
    let hour = 0;
    let pm: boolean | null = null;
    let minute = 0;
    let second = 0;
    let millis = 0;
    let offsetMinutes = 0;
    for (let i = 0; i < groups.length; i++) {
      const { letter, count } = groups[i] as { letter: string; count: number };
      const raw = match[i + 1] ?? '';
      const number = Number(raw);
      switch (letter) {
        case 'y':
          year = count === 2 && raw.length === 2 ? 2000 + number : number;
          break;
        case 'M':
          if (count >= 3) {
            const index = MONTHS.findIndex((name) =>
              name.toLowerCase().startsWith(raw.toLowerCase().slice(0, 3)),
            );
            if (index < 0) return null;
            month = index;
          } else month = number - 1;
          break;
        case 'd':
          day = number;
          break;
        case 'D':
          dayOfYear = number;
          break;
        case 'H':
        case 'k':
          hour = letter === 'k' && number === 24 ? 0 : number;
          break;
        case 'h':
        case 'K':
          hour = number % 12;
          break;
        case 'a':
          pm = raw.toUpperCase() === 'PM';
          break;
        case 'm':
          minute = number;
          break;
        case 's':
          second = number;
          break;
        case 'S':
          millis = number;
          break;
        default: {
          const offset = /^([+-])(\d{2}):?(\d{2})?$/.exec(raw);
          if (offset) {
            offsetMinutes = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3] ?? 0));
          }
        }
      }
    }
    if (pm === true) hour += 12;
    // SimpleDateFormat is lenient by default: out-of-range fields roll over, as Date.UTC does.
    const base =
      dayOfYear === null
        ? Date.UTC(year, month, day, hour, minute, second, millis)
        : Date.UTC(year, 0, dayOfYear, hour, minute, second, millis);
    return base - offsetMinutes * 60_000;
  };
  return { format, parse };
}

// --- Matcher replacement strings ----------------------------------------------------------------

/** A Java `Matcher.replaceFirst` replacement, compiled against a regex with `groupCount` groups. */
export function compileJavaReplacement(
  replacement: string,
  groupCount: number,
  groupNames: readonly string[],
): (match: RegExpExecArray) => string {
  const parts: Array<string | number | { name: string }> = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i] as string;
    if (ch === '\\') {
      i++;
      if (i >= replacement.length)
        throw new Error('character to be escaped is missing at the end of the replacement');
      literal += replacement[i];
    } else if (ch === '$') {
      if (literal) parts.push(literal);
      literal = '';
      i++;
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        const name = end < 0 ? '' : replacement.slice(i + 1, end);
        if (end < 0 || !groupNames.includes(name)) throw new Error(`no group named "${name}" in the regex`);
        parts.push({ name });
        i = end;
      } else {
        const first = replacement[i];
        if (first === undefined || !/\d/.test(first))
          throw new Error('"$" must be followed by a group number or ${name}');
        let group = Number(first);
        while (i + 1 < replacement.length && /\d/.test(replacement[i + 1] as string)) {
          const extended = group * 10 + Number(replacement[i + 1]);
          if (extended > groupCount) break;
          group = extended;
          i++;
        }
        if (group > groupCount) throw new Error(`no group ${group} in the regex (it has ${groupCount})`);
        parts.push(group);
      }
    } else literal += ch;
  }
  if (literal) parts.push(literal);
  return (match) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') out += part;
      else if (typeof part === 'number') out += match[part] ?? '';
      else out += match.groups?.[part.name] ?? '';
    }
    return out;
  };
}

/** Number of capturing groups and their names, as Java's `Matcher.groupCount` reports. */
export function regexGroups(regex: RegExp): { count: number; names: string[] } {
  const probe = new RegExp(`${regex.source}|`);
  const match = probe.exec('') as RegExpExecArray;
  return { count: match.length - 1, names: Object.keys(match.groups ?? {}) };
}
