/**
 * java.text.SimpleDateFormat as Kafka Connect configures it (UTC, lenient, en-US names and week rules):
 * every pattern letter (G y Y M L w W D d F E u a H k K h m s S z Z X), quoting ('' and 'text'),
 * formatting of any 64-bit instant, and Java's lenient parsing: leading blanks skipped, abutting numeric
 * fields read by their width, case-insensitive names, out-of-range values rolling over, and the
 * two-digit-year pivot (yy reads into the 100 years starting 80 years before the format was built).
 * `parse` returns the instant for a text that STARTS with a match (as DateFormat.parse does; trailing
 * text is ignored), null where Java fails, and throws ZoneNameError for a zone name it cannot resolve
 * (see below).
 */
import { FIELD, FieldBuilder, fieldsOf } from './calendar.ts';
import { type ExactLong, javaDigit, normalizeLong } from './numbers.ts';

const LETTERS = 'GyMdkHmsSEDFwWahKzZYuXL';
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
const SHORT_MONTHS = MONTHS.map((month) => month.slice(0, 3));
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_WEEKDAYS = WEEKDAYS.map((day) => day.slice(0, 3));
const ERAS = ['BC', 'AD'];
const AM_PM = ['AM', 'PM'];
const UTC_NAMES = ['Coordinated Universal Time', 'UTC'];

/**
 * A zone name Java would look up in its time-zone database. Java then switches the format (and every
 * later record it formats or parses) to that zone; we support UTC and GMT only and fail the record.
 */
export class ZoneNameError extends Error {
  override readonly name = 'ZoneNameError';
}

type Token = { literal: string } | { letter: string; count: number };

function compile(pattern: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  let i = 0;
  const flush = () => {
    if (literal) tokens.push({ literal });
    literal = '';
  };
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        literal += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      let quoted = '';
      for (;;) {
        if (j >= pattern.length) throw new Error(`unterminated quote in date format "${pattern}"`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            quoted += "'";
            j += 2;
            continue;
          }
          break;
        }
        quoted += pattern[j];
        j++;
      }
      literal += quoted;
      i = j + 1;
      continue;
    }
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
      if (!LETTERS.includes(ch)) {
        throw new Error(
          `illegal pattern character '${ch}' in date format "${pattern}" (SimpleDateFormat letters are ${LETTERS})`,
        );
      }
      let count = 1;
      while (pattern[i + count] === ch) count++;
      if (ch === 'X' && count > 3)
        throw new Error(
          `invalid ISO 8601 format: length=${count} in date format "${pattern}" (use X, XX or XXX)`,
        );
      flush();
      tokens.push({ letter: ch, count });
      i += count;
      continue;
    }
    literal += ch;
    i++;
  }
  flush();
  return tokens;
}

/** SimpleDateFormat.zeroPaddingNumber: at least `min` digits; with max 2 only the last two. */
function pad(value: number, min: number, max = Number.POSITIVE_INFINITY): string {
  const negative = value < 0;
  let digits = String(Math.abs(value));
  if (digits.length > max) digits = digits.slice(digits.length - max);
  digits = digits.padStart(min, '0');
  return negative ? `-${digits}` : digits;
}

function formatToken(token: { letter: string; count: number }, fields: ReturnType<typeof fieldsOf>): string {
  const { letter, count } = token;
  switch (letter) {
    case 'G':
      return ERAS[fields.era] as string;
    case 'y':
      return count === 2 ? pad(fields.year, 2, 2) : pad(fields.year, count);
    case 'Y':
      return count === 2 ? pad(fields.weekYear, 2, 2) : pad(fields.weekYear, count);
    case 'M':
    case 'L':
      return count >= 4
        ? (MONTHS[fields.month] as string)
        : count === 3
          ? (SHORT_MONTHS[fields.month] as string)
          : pad(fields.month + 1, count);
    case 'w':
      return pad(fields.weekOfYear, count);
    case 'W':
      return pad(fields.weekOfMonth, count);
    case 'D':
      return pad(fields.dayOfYear, count);
    case 'd':
      return pad(fields.day, count);
    case 'F':
      return pad(fields.dayOfWeekInMonth, count);
    case 'E':
      return count >= 4
        ? (WEEKDAYS[fields.dayOfWeek - 1] as string)
        : (SHORT_WEEKDAYS[fields.dayOfWeek - 1] as string);
    case 'u':
      return pad(fields.dayOfWeek === 1 ? 7 : fields.dayOfWeek - 1, count);
    case 'a':
      return AM_PM[fields.hourOfDay >= 12 ? 1 : 0] as string;
    case 'H':
      return pad(fields.hourOfDay, count);
    case 'k':
      return pad(fields.hourOfDay === 0 ? 24 : fields.hourOfDay, count);
    case 'K':
      return pad(fields.hourOfDay % 12, count);
    case 'h':
      return pad(fields.hourOfDay % 12 === 0 ? 12 : fields.hourOfDay % 12, count);
    case 'm':
      return pad(fields.minute, count);
    case 's':
      return pad(fields.second, count);
    case 'S':
      return pad(fields.millisecond, count);
    case 'z':
      return count >= 4 ? (UTC_NAMES[0] as string) : (UTC_NAMES[1] as string);
    case 'Z':
      return '+0000';
    default:
      return 'Z';
  }
}

// --- parsing --------------------------------------------------------------------------------------

/** Fields that read a number first (SimpleDateFormat.shouldObeyCount's list, for the NEXT token). */
function isNumericField(token: Token | undefined): boolean {
  if (token === undefined || 'literal' in token) return false;
  if (token.letter === 'M' || token.letter === 'L') return token.count <= 2;
  return 'ydkHmsSDFwWhKYu'.includes(token.letter);
}

const javaIsDigit = (char: string | undefined) => char !== undefined && javaDigit(char.charCodeAt(0)) >= 0;

/**
 * DecimalFormat.parse with parseIntegerOnly, as SimpleDateFormat reads numbers: NaN, an optional '-',
 * the infinity sign or Unicode digits, an optional exponent ("E3"), stopping at anything else. The result is Number.intValue() of the
 * Long (wraps) or, beyond a long, of the Double (saturates).
 */
function parseNumber(text: string, start: number, end: number): { value: number; next: number } | null {
  let index = start;
  // DecimalFormat reads its NaN and infinity symbols too; Number.intValue() of those is 0 and the int range.
  if (text.startsWith('NaN', index) && index + 3 <= end) return { value: 0, next: index + 3 };
  const negative = text[index] === '-';
  if (negative) index++;
  if (text[index] === '∞' && index < end)
    return { value: negative ? -2147483648 : 2147483647, next: index + 1 };
  let digits = '';
  while (index < end) {
    const digit = javaDigit(text.charCodeAt(index));
    if (digit < 0) break;
    digits += String(digit);
    index++;
  }
  if (digits === '') return null;
  let exponent = 0;
  if (text[index] === 'E' && index + 1 < end) {
    let cursor = index + 1;
    const exponentNegative = text[cursor] === '-';
    if (exponentNegative) cursor++;
    let exponentDigits = '';
    while (cursor < end) {
      const digit = javaDigit(text.charCodeAt(cursor));
      if (digit < 0) break;
      exponentDigits += String(digit);
      cursor++;
    }
    if (exponentDigits !== '') {
      exponent = Number(exponentDigits.slice(-10)) * (exponentNegative ? -1 : 1);
      index = cursor;
    }
  }
  let magnitude = BigInt(digits);
  let fractional = false;
  if (exponent > 0) magnitude *= 10n ** BigInt(Math.min(exponent, 400));
  else if (exponent < 0) {
    const divisor = 10n ** BigInt(Math.min(-exponent, 400));
    fractional = magnitude % divisor !== 0n;
    magnitude /= divisor;
  }
  const signed = negative ? -magnitude : magnitude;
  let value: number;
  if (!fractional && signed >= -(2n ** 63n) && signed < 2n ** 63n) value = Number(BigInt.asIntN(32, signed));
  else value = Number(signed > 2147483647n ? 2147483647n : signed < -2147483648n ? -2147483648n : signed);
  return { value: value + 0, next: index };
}

function regionMatches(text: string, start: number, candidate: string): boolean {
  return (
    text.slice(start, start + candidate.length).toLowerCase() === candidate.toLowerCase() &&
    text.length - start >= candidate.length
  );
}

/** The longest case-insensitive match among names, as matchString does; returns [index, next]. */
function matchName(text: string, start: number, names: readonly string[]): [number, number] | null {
  let best = -1;
  let bestLength = 0;
  names.forEach((name, index) => {
    if (name.length > bestLength && regionMatches(text, start, name)) {
      best = index;
      bestLength = name.length;
    }
  });
  return best < 0 ? null : [best, start + bestLength];
}

/** subParseNumericZone: hh, hhmm or hh:mm after a sign; returns [offset millis, next] or null. */
function numericZone(
  text: string,
  start: number,
  sign: number,
  count: number,
  colon: boolean,
): [number, number] | null {
  let index = start;
  const digitAt = (i: number) => {
    const c = text[i];
    return c !== undefined && c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : -1;
  };
  if (digitAt(index) < 0) return null;
  let hours = digitAt(index++);
  if (index >= text.length) return null;
  if (digitAt(index) >= 0) hours = hours * 10 + digitAt(index++);
  else if (count > 0 || !colon) return null;
  if (hours > 23) return null;
  let minutes = 0;
  if (count !== 1) {
    if (index >= text.length) return null;
    if (colon) {
      if (text[index] !== ':') return null;
      index++;
    }
    if (digitAt(index) < 0 || digitAt(index + 1) < 0) return null;
    minutes = digitAt(index) * 10 + digitAt(index + 1);
    index += 2;
    if (minutes > 59) return null;
  }
  return [sign * (hours * 60 + minutes) * 60_000, index];
}

export interface JavaDateFormat {
  readonly pattern: string;
  format(epochMillis: ExactLong): string;
  /** The instant the text starts with, null when it does not match; throws ZoneNameError (see above). */
  parse(text: string): ExactLong | null;
}

/** A SimpleDateFormat pattern, compiled once. Throws (with a message naming the problem) where Java does. */
export function compileDateFormat(pattern: string): JavaDateFormat {
  const tokens = compile(pattern);
  // The two-digit-year window starts 80 years before the format was built (SimpleDateFormat's rule).
  const now = new Date();
  const centuryStartYear = now.getUTCFullYear() - 80;
  // Calendar.add(YEAR, -80) keeps the day, pinned to the month's length (29 February -> 28 February).
  const lastDay = new Date(Date.UTC(centuryStartYear, now.getUTCMonth() + 1, 0)).getUTCDate();
  const centuryStart = BigInt(
    Date.UTC(
      centuryStartYear,
      now.getUTCMonth(),
      Math.min(now.getUTCDate(), lastDay),
      now.getUTCHours(),
      now.getUTCMinutes(),
      now.getUTCSeconds(),
      now.getUTCMilliseconds(),
    ),
  );

  const format = (epochMillis: ExactLong): string => {
    const fields = fieldsOf(epochMillis);
    return tokens.map((token) => ('literal' in token ? token.literal : formatToken(token, fields))).join('');
  };

  const parse = (text: string): ExactLong | null => {
    const builder = new FieldBuilder();
    let ambiguousYear = false;
    let start = 0;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t] as Token;
      if ('literal' in token) {
        if (!text.startsWith(token.literal, start)) return null;
        start += token.literal.length;
        continue;
      }
      const obeyCount = isNumericField(tokens[t + 1]);
      const { letter, count } = token;
      let position = start;
      while (text[position] === ' ' || text[position] === '\t') position++;
      if (position >= text.length) return null;
      const actualStart = position;
      const readNumber = () => {
        if (obeyCount && start + count > text.length) return null;
        return parseNumber(text, position, obeyCount ? start + count : text.length);
      };
      let next: number;
      switch (letter) {
        case 'G': {
          const match = matchName(text, start, ERAS);
          if (!match) return null;
          builder.set(FIELD.ERA, match[0]);
          next = match[1];
          break;
        }
        case 'y':
        case 'Y': {
          const number = readNumber();
          if (!number) return null;
          let value = number.value;
          if (
            count <= 2 &&
            number.next - actualStart === 2 &&
            javaIsDigit(text[actualStart]) &&
            javaIsDigit(text[actualStart + 1])
          ) {
            const ambiguousTwoDigitYear = centuryStartYear % 100;
            ambiguousYear = value === ambiguousTwoDigitYear;
            value += Math.trunc(centuryStartYear / 100) * 100 + (value < ambiguousTwoDigitYear ? 100 : 0);
          }
          builder.set(letter === 'y' ? FIELD.YEAR : FIELD.WEEK_YEAR, value);
          next = number.next;
          break;
        }
        case 'M':
        case 'L': {
          if (count <= 2) {
            const number = readNumber();
            if (!number) return null;
            builder.set(FIELD.MONTH, number.value - 1);
            next = number.next;
            break;
          }
          const match = matchName(text, start, MONTHS) ?? matchName(text, start, SHORT_MONTHS);
          if (!match) return null;
          builder.set(FIELD.MONTH, match[0]);
          next = match[1];
          break;
        }
        case 'E': {
          const match = matchName(text, start, WEEKDAYS) ?? matchName(text, start, SHORT_WEEKDAYS);
          if (!match) return null;
          builder.set(FIELD.DAY_OF_WEEK, match[0] + 1);
          next = match[1];
          break;
        }
        case 'a': {
          const match = matchName(text, start, AM_PM);
          if (!match) return null;
          builder.set(FIELD.AM_PM, match[0]);
          next = match[1];
          break;
        }
        case 'z':
        case 'Z': {
          const zone = parseZoneNameOrOffset(text, start, position);
          if (!zone) return null;
          // The UTC zone's own name sets nothing: the format's zone (UTC) applies unless an offset was read.
          if (zone[0] !== null) builder.set(FIELD.ZONE_OFFSET, zone[0]).set(FIELD.DST_OFFSET, 0);
          next = zone[1];
          break;
        }
        case 'X': {
          const c = text[position];
          if (c === 'Z') {
            builder.set(FIELD.ZONE_OFFSET, 0).set(FIELD.DST_OFFSET, 0);
            next = position + 1;
            break;
          }
          if (c !== '+' && c !== '-') return null;
          const zone = numericZone(text, position + 1, c === '+' ? 1 : -1, count, count === 3);
          if (!zone) return null;
          builder.set(FIELD.ZONE_OFFSET, zone[0]).set(FIELD.DST_OFFSET, 0);
          next = zone[1];
          break;
        }
        default: {
          const number = readNumber();
          if (!number) return null;
          let value = number.value;
          if (letter === 'k' && value === 24) value = 0;
          if (letter === 'h' && value === 12) value = 0;
          const field = {
            d: FIELD.DAY_OF_MONTH,
            k: FIELD.HOUR_OF_DAY,
            H: FIELD.HOUR_OF_DAY,
            m: FIELD.MINUTE,
            s: FIELD.SECOND,
            S: FIELD.MILLISECOND,
            D: FIELD.DAY_OF_YEAR,
            F: FIELD.DAY_OF_WEEK_IN_MONTH,
            w: FIELD.WEEK_OF_YEAR,
            W: FIELD.WEEK_OF_MONTH,
            h: FIELD.HOUR,
            K: FIELD.HOUR,
            u: FIELD.DAY_OF_WEEK,
          }[letter] as number;
          // 'u' is the ISO day number (Monday 1 .. Sunday 7); out-of-range values are kept for the week-date roll.
          if (letter === 'u' && value > 0 && value <= 7) value = value === 7 ? 1 : value + 1;
          builder.set(field, value);
          next = number.next;
        }
      }
      start = next;
    }
    let instant = builder.establish();
    if (instant === null) return null;
    if (ambiguousYear && instant < centuryStart) {
      builder.addYear(100);
      instant = builder.establish();
      if (instant === null) return null;
    }
    return normalizeLong(instant);
  };

  return { pattern, format, parse };
}

/** The 'z' and 'Z' parse: "+hhmm", "GMT", "GMT+h:mm", or the UTC zone's own names. */
function parseZoneNameOrOffset(
  text: string,
  start: number,
  position: number,
): [number | null, number] | null {
  const c = text[position];
  if (c === '+' || c === '-') return numericZone(text, position + 1, c === '+' ? 1 : -1, 0, false);
  if ((c === 'G' || c === 'g') && regionMatches(text, start, 'GMT')) {
    const after = start + 3;
    const sign = text[after];
    if (sign !== '+' && sign !== '-') return [0, after];
    return numericZone(text, after + 1, sign === '+' ? 1 : -1, 0, true);
  }
  for (const name of UTC_NAMES)
    if (regionMatches(text, position, name)) return [null, position + name.length];
  if (c !== undefined && /\p{L}/u.test(c)) {
    throw new ZoneNameError(
      'time zone names other than UTC and GMT are not supported in parsed dates; use an offset such as +0100',
    );
  }
  return null;
}
