/**
 * Java's number behaviour as Connect's transforms expose it: Integer/Long.parseInt (any Unicode decimal
 * digit), Double/Float.parseDouble (hex floats, f/d suffixes, correctly rounded straight to float for
 * Float), BigDecimal's grammar and conversions (Values.parseString and Values.convertToX use them),
 * primitive narrowing (wrapping longs, saturating doubles) and Double/Float.toString.
 * Longs are exact: `ExactLong` is a number while it is a safe integer and a BigInt beyond (see
 * src/serde/avro-types.ts, where Avro encodes them).
 * Written here rather than taken from a library: the rules to match are Java's own quirks (Unicode
 * digits, saturation, float rounding without passing through double), which no npm number library
 * reproduces.
 */
import { type ExactLong, normalizeLong } from '../../serde/avro-types.ts';

export type { ExactLong };
export { normalizeLong };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `String.trim()`: strips every char up to U+0020, and nothing else (not U+00A0, not U+2028). */
export function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * `Character.digit(ch, 10)` for one UTF-16 unit: the value of any Unicode decimal digit (Nd) in the BMP,
 * else -1. Nd digits come in runs of whole 0..9 groups, so the value is the position in the run modulo 10.
 */
export function javaDigit(char: number): number {
  if (char >= 0x30 && char <= 0x39) return char - 0x30;
  if (char < 0x660 || (char >= 0xd800 && char <= 0xdfff)) return -1;
  if (!DECIMAL_DIGIT.test(String.fromCharCode(char))) return -1;
  let below = 0;
  while (DECIMAL_DIGIT.test(String.fromCharCode(char - below - 1))) below++;
  return below % 10;
}

/**
 * Digits of a Java integer literal, or null. Java reads chars (UTF-16 units), so digits outside the BMP
 * (a surrogate pair) are not digits to it.
 */
function javaDigits(text: string): bigint | null {
  if (text === '') return null;
  let value = 0n;
  for (let i = 0; i < text.length; i++) {
    const digit = javaDigit(text.charCodeAt(i));
    if (digit < 0) return null;
    value = value * 10n + BigInt(digit);
  }
  return value;
}

/** `Byte/Short/Integer/Long.parseX(text)` (no trimming, an optional sign, any Unicode digits), else null. */
export function javaParseInteger(text: string, bits: 8 | 16 | 32 | 64): ExactLong | null {
  const sign = text[0] === '-' ? -1n : 1n;
  const digits = javaDigits(text[0] === '-' || text[0] === '+' ? text.slice(1) : text);
  if (digits === null) return null;
  const value = sign * digits;
  return BigInt.asIntN(bits, value) === value ? normalizeLong(value) : null;
}

// --- binary floating point from exact rationals ---------------------------------------------------

interface BinaryFormat {
  precision: number;
  /** Exponent of the smallest subnormal's unit. */
  minExponent: number;
  /** Largest finite value is below 2^maxPower. */
  maxPower: number;
}

const DOUBLE: BinaryFormat = { precision: 53, minExponent: -1074, maxPower: 1024 };
const FLOAT: BinaryFormat = { precision: 24, minExponent: -149, maxPower: 128 };

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** The nearest binary value (ties to even) to numerator / denominator, both positive. */
function roundRational(numerator: bigint, denominator: bigint, format: BinaryFormat): number {
  if (numerator === 0n) return 0;
  let exponent = bitLength(numerator) - bitLength(denominator) - format.precision;
  const scaled = (e: number) =>
    (e >= 0 ? [numerator, denominator << BigInt(e)] : [numerator << BigInt(-e), denominator]) as [
      bigint,
      bigint,
    ];
  let [n, d] = scaled(exponent);
  if (n / d >= 1n << BigInt(format.precision)) {
    exponent += 1;
    [n, d] = scaled(exponent);
  } else if (n / d < 1n << BigInt(format.precision - 1)) {
    exponent -= 1;
    [n, d] = scaled(exponent);
  }
  if (exponent < format.minExponent) {
    exponent = format.minExponent;
    [n, d] = scaled(exponent);
  }
  let mantissa = n / d;
  const remainder = n - mantissa * d;
  if (remainder * 2n > d || (remainder * 2n === d && (mantissa & 1n) === 1n)) mantissa += 1n;
  if (mantissa === 1n << BigInt(format.precision)) {
    mantissa >>= 1n;
    exponent += 1;
  }
  if (exponent + format.precision > format.maxPower) return Number.POSITIVE_INFINITY;
  return Number(mantissa) * 2 ** exponent;
}

function roundExact(value: bigint, exponent10: number, format: BinaryFormat): number {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  // Far outside the range, the answer is known without building a huge power of ten.
  const digits = magnitude.toString().length;
  let result: number;
  if (magnitude === 0n) result = 0;
  else if (digits + exponent10 > 330) result = Number.POSITIVE_INFINITY;
  else if (digits + exponent10 < -360) result = 0;
  else if (exponent10 >= 0) result = roundRational(magnitude * 10n ** BigInt(exponent10), 1n, format);
  else result = roundRational(magnitude, 10n ** BigInt(-exponent10), format);
  return negative ? -result : result;
}

/** `(double) longValue`, `(float) longValue`: correctly rounded from the exact integer. */
export function longToDouble(value: ExactLong): number {
  return typeof value === 'number' ? value : Number(value);
}

export function longToFloat(value: ExactLong): number {
  return typeof value === 'number' && Math.abs(value) < 2 ** 53
    ? Math.fround(value)
    : roundExact(BigInt(value), 0, FLOAT);
}

/** A double rounded to float32 (Java's `(float) d`: one rounding, from the double itself). */
export function doubleToFloat(value: number): number {
  return Math.fround(value);
}

// --- Double.parseDouble / Float.parseFloat --------------------------------------------------------

const DECIMAL_LITERAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?[fFdD]?$/;
const HEX_LITERAL = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))[pP]([+-]?\d+)[fFdD]?$/;

function parseFloating(text: string, format: BinaryFormat): number | null {
  const trimmed = javaTrim(text);
  const special = /^([+-]?)(NaN|Infinity)$/.exec(trimmed);
  if (special) {
    if (special[2] === 'NaN') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const decimal = DECIMAL_LITERAL.exec(trimmed);
  if (decimal) {
    const [, sign, whole = '', fraction = '', onlyFraction, exponent = '0'] = decimal;
    const fractionDigits = onlyFraction ?? fraction;
    const digits = BigInt((onlyFraction === undefined ? whole : '') + fractionDigits || '0');
    const exponent10 = clampExponent(exponent) - fractionDigits.length;
    const value = roundExact(digits, exponent10, format);
    return sign === '-' ? -value : value;
  }
  const hex = HEX_LITERAL.exec(trimmed);
  if (hex) {
    const [, sign, whole = '', fraction = '', onlyFraction, exponent = '0'] = hex;
    const fractionDigits = onlyFraction ?? fraction;
    const mantissa = BigInt(`0x${(onlyFraction === undefined ? whole : '') + fractionDigits || '0'}`);
    const exponent2 = clampExponent(exponent) - 4 * fractionDigits.length;
    let value: number;
    if (mantissa === 0n) value = 0;
    else if (bitLength(mantissa) + exponent2 > format.maxPower + 2) value = Number.POSITIVE_INFINITY;
    else if (bitLength(mantissa) + exponent2 < format.minExponent - 2) value = 0;
    else if (exponent2 >= 0) value = roundRational(mantissa << BigInt(exponent2), 1n, format);
    else value = roundRational(mantissa, 1n << BigInt(-exponent2), format);
    return sign === '-' ? -value : value;
  }
  return null;
}

/** Exponents far beyond any double's range behave the same; this keeps BigInt powers small. */
function clampExponent(text: string): number {
  const value = Number(text);
  return Math.max(-100_000, Math.min(100_000, value));
}

/** `Double.parseDouble(text)`, or null where Java throws NumberFormatException. */
export function javaParseDouble(text: string): number | null {
  return parseFloating(text, DOUBLE);
}

/** `Float.parseFloat(text)` (rounded once, straight to float), or null. */
export function javaParseFloat(text: string): number | null {
  return parseFloating(text, FLOAT);
}

// --- BigDecimal -----------------------------------------------------------------------------------

/** A java.math.BigDecimal: unscaled * 10^-scale. */
export interface JavaDecimal {
  unscaled: bigint;
  scale: number;
}

/** `new BigDecimal(text)` (sign, Unicode digits, optional point, optional exponent; no spaces), or null. */
export function javaParseDecimal(text: string): JavaDecimal | null {
  const match = /^([+-]?)([^.eE+-]*)(?:\.([^eE+-]*))?(?:[eE]([+-]?[^eE+-.]+))?$/u.exec(text);
  if (!match) return null;
  const [, sign, whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return null;
  const digits = javaDigits(whole + fraction);
  if (digits === null) return null;
  let exponent = 0n;
  if (exponentText !== undefined) {
    const exponentSign = exponentText[0] === '-' ? -1n : 1n;
    const exponentDigits = javaDigits(/^[+-]/.test(exponentText) ? exponentText.slice(1) : exponentText);
    if (exponentDigits === null) return null;
    exponent = exponentSign * exponentDigits;
  }
  const scale = BigInt([...fraction].length) - exponent;
  // BigDecimal's scale is an int.
  if (scale > 2_147_483_647n || scale < -2_147_483_648n) return null;
  return { unscaled: sign === '-' ? -digits : digits, scale: Number(scale) };
}

export function decimalToDouble(decimal: JavaDecimal): number {
  if (decimal.unscaled === 0n) return 0;
  return roundExact(decimal.unscaled, -decimal.scale, DOUBLE);
}

export function decimalToFloat(decimal: JavaDecimal): number {
  if (decimal.unscaled === 0n) return 0;
  return roundExact(decimal.unscaled, -decimal.scale, FLOAT);
}

/** `BigDecimal.toBigInteger()` (truncates toward zero), or null when it would be astronomically big. */
export function decimalToBigInt(decimal: JavaDecimal): bigint | null {
  if (decimal.scale >= 0) {
    const digits = decimal.unscaled < 0n ? -decimal.unscaled : decimal.unscaled;
    return decimal.scale > digits.toString().length ? 0n : decimal.unscaled / 10n ** BigInt(decimal.scale);
  }
  if (-decimal.scale > 100_000) return null;
  return decimal.unscaled * 10n ** BigInt(-decimal.scale);
}

/** `BigDecimal.longValue()`: the integer part's low 64 bits. */
export function decimalToLong(decimal: JavaDecimal): ExactLong {
  const integer = decimalToBigInt(decimal);
  // Beyond 10^100000 the low 64 bits of the integer part are zero (it is a multiple of 2^64).
  return normalizeLong(integer === null ? 0n : BigInt.asIntN(64, integer));
}

/** `BigDecimal.toString()`: plain digits, or scientific notation when the exponent is small or positive. */
export function decimalToString(decimal: JavaDecimal): string {
  const negative = decimal.unscaled < 0n;
  const digits = (negative ? -decimal.unscaled : decimal.unscaled).toString();
  const adjusted = -decimal.scale + (digits.length - 1);
  let body: string;
  if (decimal.scale >= 0 && adjusted >= -6) {
    if (decimal.scale === 0) body = digits;
    else if (digits.length > decimal.scale)
      body = `${digits.slice(0, digits.length - decimal.scale)}.${digits.slice(digits.length - decimal.scale)}`;
    else body = `0.${'0'.repeat(decimal.scale - digits.length)}${digits}`;
  } else {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }
  return negative ? `-${body}` : body;
}

// --- narrowing ------------------------------------------------------------------------------------

/** Java's (long) of a double: truncate toward zero, saturate, NaN -> 0. */
export function doubleToLong(value: number): bigint {
  if (Number.isNaN(value)) return 0n;
  if (value >= 9.223372036854776e18) return INT64_MAX;
  if (value <= -9.223372036854776e18) return INT64_MIN;
  return BigInt(Math.trunc(value));
}

/** Java's (int) of a double: truncate toward zero, saturate at the int range, NaN -> 0. */
export function doubleToInt(value: number): number {
  if (Number.isNaN(value)) return 0;
  if (value >= 2_147_483_647) return 2_147_483_647;
  if (value <= -2_147_483_648) return -2_147_483_648;
  return Math.trunc(value) + 0;
}

/**
 * `Number.byteValue()/shortValue()/intValue()/longValue()` of an integer (wraps) or of a float or double
 * (truncates and saturates to int, or to long for longValue, then wraps).
 */
export function javaNarrow(
  value: ExactLong | number,
  from: 'integer' | 'floating',
  bits: 8 | 16 | 32 | 64,
): ExactLong {
  if (from === 'integer') return normalizeLong(BigInt.asIntN(bits, BigInt(value)));
  const floating = value as number;
  if (bits === 64) return normalizeLong(doubleToLong(floating));
  return normalizeLong(BigInt.asIntN(bits, BigInt(doubleToInt(floating))));
}

// --- toString -------------------------------------------------------------------------------------

interface Decimal {
  /** Significant digits, no leading or trailing zeros. */
  digits: string;
  /** The power of ten of the first digit. */
  exponent: number;
}

/** The exact decimal value of a finite positive double (every double is a finite decimal). */
function exactDecimal(value: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let power = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    power = biased - 1075;
  }
  // mantissa × 2^power = mantissa × 5^-power × 10^power when power < 0.
  const [whole, scale] =
    power >= 0 ? [mantissa << BigInt(power), 0] : [mantissa * 5n ** BigInt(-power), power];
  const text = whole.toString();
  const digits = text.replace(/0+$/, '');
  return { digits, exponent: scale + text.length - 1 };
}

/**
 * Among the decimals of `length` significant digits that read back as the value (`roundTrips`), the
 * one closest to its exact value, the one with an even last digit on a tie; null if none does.
 * Only the two neighbours of the exact value can be closest; both are tried because the rounding
 * interval of a power of two is narrower below than above.
 */
function closestOfLength(
  exact: Decimal,
  length: number,
  roundTrips: (digits: bigint, exponent: number) => boolean,
): Decimal | null {
  if (exact.digits.length <= length) return exact;
  const down = BigInt(exact.digits.slice(0, length));
  const up = down + 1n;
  const unit = exact.exponent - length + 1;
  const rest = exact.digits.slice(length);
  const half = rest === '5' ? 0 : rest[0] !== undefined && rest[0] >= '5' ? 1 : -1;
  const downOk = roundTrips(down, unit);
  const upOk = roundTrips(up, unit);
  let chosen: bigint;
  if (downOk && upOk) chosen = half < 0 ? down : half > 0 ? up : down % 2n === 0n ? down : up;
  else if (downOk) chosen = down;
  else if (upOk) chosen = up;
  else return null;
  const text = chosen.toString();
  return { digits: text.replace(/0+$/, ''), exponent: unit + text.length - 1 };
}

/**
 * The decimal digits Java 19+ prints for a double or float (JDK-4511638's fix, the javadoc's rule): of
 * the decimals that read back as the value, those of the fewest digits, and the closest of them (an
 * even last digit on a tie); when one digit would do, the closest of one OR two digits (so
 * Double.MIN_VALUE is 4.9E-324, not 5.0E-324). For doubles, JavaScript's shortest round-trip digits
 * follow the same rule, so only the one-digit case is worked out here; floats are worked out whole.
 */
function printedDigits(
  magnitude: number,
  roundTrips: (digits: bigint, exponent: number) => boolean,
  shortest: Decimal | null,
): Decimal {
  const exact = exactDecimal(magnitude);
  let found = shortest;
  for (let length = 1; found === null; length++) found = closestOfLength(exact, length, roundTrips);
  if (found.digits.length === 1) return closestOfLength(exact, 2, roundTrips) ?? found;
  return found;
}

/** Java's layout: plain between 10^-3 and 10^7, else d.dddE±n; always a digit after the point. */
function javaLayout(negative: boolean, digits: string, exponent: number): string {
  let body: string;
  if (exponent >= -3 && exponent < 7) {
    if (exponent < 0) body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
    else {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const fraction = digits.slice(exponent + 1);
      body = `${whole}.${fraction === '' ? '0' : fraction}`;
    }
  } else body = `${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}E${exponent}`;
  return negative ? `-${body}` : body;
}

/** `Double.toString` as Java 19 and later print it: "1.0", "0.001", "1.0E7", "1.5E-4", "4.9E-324". */
export function javaDoubleToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  const [mantissa = '', exponentText = '0'] = magnitude.toExponential().split('e');
  const { digits, exponent } = printedDigits(
    magnitude,
    (digits, exponent) => Number(`${digits}e${exponent}`) === magnitude,
    { digits: mantissa.replace('.', ''), exponent: Number(exponentText) },
  );
  return javaLayout(value < 0, digits, exponent);
}

/** `Float.toString` of a float32 value, by the same rule over floats. */
export function javaFloatToString(value: number): string {
  if (!Number.isFinite(value) || value === 0) return javaDoubleToString(value);
  const magnitude = Math.abs(value);
  const { digits, exponent } = printedDigits(
    magnitude,
    (digits, exponent) => javaParseFloat(`${digits}e${exponent}`) === magnitude,
    null,
  );
  return javaLayout(value < 0, digits, exponent);
}

/** `Long.toString` / `Integer.toString`. */
export function javaLongToString(value: ExactLong): string {
  return typeof value === 'bigint' ? value.toString() : String(value + 0);
}
