/**
 * Kafka Connect's org.apache.kafka.connect.data.Values, the parts transforms expose:
 * - parseString: InsertHeader turns value.literal into a typed value with it ("1.50" is a float32 1.5,
 *   "007" an int8 7, "[1, 2 ,3]" an array, "2024-02-29" a Date), including its tokenizer's quirks
 *   (delimiters : , { } [ ] ", backslash escapes, a non-embedded value that stops after its first token);
 * - convertToString: what the SimpleHeaderConverter writes for a header value (numbers as Java prints
 *   them, strings quoted only inside arrays and maps, dates by Values.dateFormatFor in UTC, bytes as
 *   base64, structs as {"field":value});
 * - convertToX(null, text): MaskField's numeric replacements ("9.5" is 9 for an int, "1e3" is 1000).
 * A ported algorithm rather than a library: these are Connect's own rules, bugs included, and nothing
 * on npm implements them.
 */
import { compileDateFormat, type JavaDateFormat } from './date-format.ts';
import {
  decimalToDouble,
  decimalToFloat,
  decimalToLong,
  decimalToString,
  type ExactLong,
  type JavaDecimal,
  javaDigit,
  javaDoubleToString,
  javaFloatToString,
  javaParseDecimal,
  javaTrim,
  normalizeLong,
} from './numbers.ts';

/** A value as Connect holds it, with its Java class (which decides how it converts and prints). */
export type JavaValue =
  | { kind: 'byte' | 'short' | 'int' | 'long'; value: bigint }
  | { kind: 'float' | 'double'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'bytes'; value: Buffer }
  | { kind: 'decimal'; value: JavaDecimal }
  | { kind: 'date'; millis: bigint }
  | { kind: 'list'; items: Array<JavaValue | null> }
  | { kind: 'map'; entries: Array<[JavaValue, JavaValue | null]> }
  | { kind: 'struct'; fields: Array<[string, JavaValue | null]> };

/** A Connect schema, reduced to what parsing and conversion look at. */
export interface ValueSchema {
  type:
    | 'int8'
    | 'int16'
    | 'int32'
    | 'int64'
    | 'float32'
    | 'float64'
    | 'boolean'
    | 'string'
    | 'bytes'
    | 'array'
    | 'map';
  name?: 'Date' | 'Time' | 'Timestamp' | 'Decimal';
  scale?: number;
  optional: boolean;
  keySchema?: ValueSchema | null;
  valueSchema?: ValueSchema | null;
}

export interface SchemaAndValue {
  schema: ValueSchema | null;
  value: JavaValue | null;
}

class DataException extends Error {}

const MILLIS_PER_DAY = 86_400_000n;
const SCHEMA = {
  int8: { type: 'int8', optional: false },
  int16: { type: 'int16', optional: false },
  int32: { type: 'int32', optional: false },
  int64: { type: 'int64', optional: false },
  float32: { type: 'float32', optional: false },
  float64: { type: 'float64', optional: false },
  boolean: { type: 'boolean', optional: false },
  string: { type: 'string', optional: false },
  date: { type: 'int32', name: 'Date', optional: false },
  time: { type: 'int32', name: 'Time', optional: false },
  timestamp: { type: 'int64', name: 'Timestamp', optional: false },
} as const satisfies Record<string, ValueSchema>;

const isBlank = (text: string) => javaTrim(text) === '';

// --- Values.Parser: the tokenizer -------------------------------------------------------------------

class Parser {
  private index = 0;
  private nextToken: string | null = null;
  private previousToken: string | null = null;

  constructor(readonly original: string) {}

  position(): number {
    return this.index;
  }

  mark(): number {
    return this.index - (this.nextToken === null ? 0 : this.nextToken.length);
  }

  rewindTo(position: number): void {
    this.index = position;
    this.nextToken = null;
    this.previousToken = null;
  }

  hasNext(): boolean {
    return this.nextToken !== null || this.canConsumeNextToken();
  }

  private canConsumeNextToken(): boolean {
    return this.original.length > this.index;
  }

  next(): string {
    if (this.nextToken !== null) {
      this.previousToken = this.nextToken;
      this.nextToken = null;
    } else this.previousToken = this.consumeNextToken();
    return this.previousToken;
  }

  nextTokens(count: number): string | null {
    const current = this.mark();
    const start = this.mark();
    for (let i = 0; i !== count; i++) {
      if (!this.hasNext()) {
        this.rewindTo(start);
        return null;
      }
      this.next();
    }
    return this.original.substring(current, this.position());
  }

  private consumeNextToken(): string {
    let escaped = false;
    const start = this.index;
    while (this.canConsumeNextToken()) {
      const c = this.original[this.index] as string;
      switch (c) {
        case '\\':
          escaped = !escaped;
          break;
        case ':':
        case ',':
        case '{':
        case '}':
        case '[':
        case ']':
        case '"':
          if (!escaped) {
            if (start < this.index) return this.original.substring(start, this.index);
            this.index++;
            return this.original.substring(start, start + 1);
          }
          escaped = false;
          break;
        default:
          escaped = false;
      }
      this.index++;
    }
    return this.original.substring(start, this.index);
  }

  previous(): string | null {
    return this.previousToken;
  }

  canConsume(expected: string): boolean {
    if (this.isNext(expected)) {
      this.nextToken = null;
      return true;
    }
    return false;
  }

  private isNext(expected: string): boolean {
    if (this.nextToken === null) {
      if (!this.hasNext()) return false;
      this.nextToken = this.consumeNextToken();
    }
    while (isBlank(this.nextToken) && this.canConsumeNextToken()) this.nextToken = this.consumeNextToken();
    return javaTrim(this.nextToken) === expected;
  }
}

// --- Values.ValueParser --------------------------------------------------------------------------------

const TEMPORAL = {
  time: { length: 13, format: lazyFormat("HH:mm:ss.SSS'Z'"), schema: SCHEMA.time },
  timestamp: { length: 24, format: lazyFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"), schema: SCHEMA.timestamp },
  date: { length: 10, format: lazyFormat('yyyy-MM-dd'), schema: SCHEMA.date },
};

function lazyFormat(pattern: string): () => JavaDateFormat {
  let format: JavaDateFormat | null = null;
  return () => {
    format ??= compileDateFormat(pattern);
    return format;
  };
}

function parseAsTemporal(token: string | null): SchemaAndValue | null {
  if (token === null) return null;
  const text = token.replaceAll('\\:', ':');
  const kind = [TEMPORAL.time, TEMPORAL.timestamp, TEMPORAL.date].find(
    (candidate) => candidate.length === text.length,
  );
  if (!kind) return null;
  // SimpleDateFormat.parse with a ParsePosition: any prefix that parses counts.
  const parsed = kind.format().parse(text);
  return parsed === null ? null : { schema: kind.schema, value: { kind: 'date', millis: BigInt(parsed) } };
}

/** The power of ten of the leading digit (BigDecimal's "adjusted exponent"). */
function adjustedExponent(decimal: JavaDecimal): number {
  const magnitude = decimal.unscaled < 0n ? -decimal.unscaled : decimal.unscaled;
  return magnitude.toString().length - 1 - decimal.scale;
}

/** The exact integer value, or null when it has a fraction or more than 20 digits. */
function smallInteger(decimal: JavaDecimal): bigint | null {
  if (decimal.unscaled === 0n) return 0n;
  if (adjustedExponent(decimal) > 20) return null;
  if (decimal.scale <= 0) return decimal.unscaled * 10n ** BigInt(-decimal.scale);
  const divisor = 10n ** BigInt(decimal.scale);
  return decimal.unscaled % divisor === 0n ? decimal.unscaled / divisor : null;
}

/** ValueParser.parseAsNumber: the narrowest integer type, else float32, float64 or a Decimal. */
function parseAsNumber(token: string): SchemaAndValue {
  const decimal = javaParseDecimal(token);
  if (decimal === null) throw new RangeError('NumberFormatException');
  const whole = smallInteger(decimal);
  const belowOne = decimal.unscaled !== 0n && adjustedExponent(decimal) < 0;
  if (whole !== null && !belowOne) {
    const magnitude = whole < 0n ? -whole : whole;
    if (magnitude <= 10n ** 19n && whole >= -(2n ** 63n) && whole < 2n ** 63n) {
      if (BigInt.asIntN(8, whole) === whole)
        return { schema: SCHEMA.int8, value: { kind: 'byte', value: whole } };
      if (BigInt.asIntN(16, whole) === whole)
        return { schema: SCHEMA.int16, value: { kind: 'short', value: whole } };
      if (BigInt.asIntN(32, whole) === whole)
        return { schema: SCHEMA.int32, value: { kind: 'int', value: whole } };
      return { schema: SCHEMA.int64, value: { kind: 'long', value: whole } };
    }
  }
  const asFloat = decimalToFloat(decimal);
  if (Number.isFinite(asFloat) && decimal.scale !== 0)
    return { schema: SCHEMA.float32, value: { kind: 'float', value: asFloat } };
  const asDouble = decimalToDouble(decimal);
  if (Number.isFinite(asDouble) && decimal.scale !== 0)
    return { schema: SCHEMA.float64, value: { kind: 'double', value: asDouble } };
  return {
    schema: { type: 'bytes', name: 'Decimal', scale: decimal.scale, optional: false },
    value: { kind: 'decimal', value: decimal },
  };
}

class ValueParser {
  constructor(private readonly parser: Parser) {}

  private canParseSingleTokenLiteral(embedded: boolean, literal: string): boolean {
    const start = this.parser.mark();
    if (this.parser.canConsume(literal) && (embedded || !this.parser.hasNext())) return true;
    this.parser.rewindTo(start);
    return false;
  }

  parse(embedded: boolean): SchemaAndValue | null {
    if (!this.parser.hasNext()) return null;
    if (embedded && this.parser.canConsume('"')) return this.parseQuotedString();
    if (this.canParseSingleTokenLiteral(embedded, 'null')) return null;
    if (this.canParseSingleTokenLiteral(embedded, 'true'))
      return { schema: SCHEMA.boolean, value: { kind: 'boolean', value: true } };
    if (this.canParseSingleTokenLiteral(embedded, 'false'))
      return { schema: SCHEMA.boolean, value: { kind: 'boolean', value: false } };
    const start = this.parser.mark();
    try {
      if (this.parser.canConsume('[')) return this.parseArray();
      if (this.parser.canConsume('{')) return this.parseMap();
    } catch (error) {
      if (!(error instanceof DataException)) throw error;
      this.parser.rewindTo(start);
    }
    const token = this.parser.next();
    if (isBlank(token)) return { schema: SCHEMA.string, value: { kind: 'string', value: token } };
    return this.parseNextToken(embedded, javaTrim(token));
  }

  private parseNextToken(embedded: boolean, token: string): SchemaAndValue {
    const first = token.charCodeAt(0);
    const firstIsDigit = javaDigit(first) >= 0;
    if (firstIsDigit) {
      const temporal = this.parseMultipleTokensAsTemporal(token);
      if (temporal) return temporal;
    }
    if (firstIsDigit || token[0] === '+' || token[0] === '-') {
      try {
        return parseAsNumber(token);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
    }
    if (embedded) throw new DataException('Failed to parse embedded value');
    return { schema: SCHEMA.string, value: { kind: 'string', value: this.parser.original } };
  }

  private parseQuotedString(): SchemaAndValue {
    let content = '';
    while (this.parser.hasNext()) {
      if (this.parser.canConsume('"')) break;
      content += this.parser.next();
    }
    return parseAsTemporal(content) ?? { schema: SCHEMA.string, value: { kind: 'string', value: content } };
  }

  private parseArray(): SchemaAndValue {
    let items: Array<JavaValue | null> = [];
    const merger = new SchemaMerger();
    while (this.parser.hasNext()) {
      if (this.parser.canConsume(']')) {
        const common = merger.schema();
        if (common) {
          const listSchema: ValueSchema = { type: 'array', valueSchema: common, optional: false };
          items = items.map((item) => convertTo(common, item));
          return { schema: listSchema, value: { kind: 'list', items } };
        }
        return {
          schema: { type: 'array', valueSchema: null, optional: false },
          value: { kind: 'list', items },
        };
      }
      if (this.parser.canConsume(',')) throw new DataException('Unable to parse an empty array element');
      const element = this.parse(true);
      merger.merge(element);
      items.push(element ? element.value : null);
      const position = this.parser.mark();
      if (this.parser.canConsume(']')) this.parser.rewindTo(position);
      else if (!this.parser.canConsume(',')) throw new DataException("Array elements missing ',' delimiter");
    }
    if (this.parser.previous() === ',') throw new DataException("Array is missing element after ','");
    throw new DataException("Array is missing terminating ']'");
  }

  private parseMap(): SchemaAndValue {
    let entries: Array<[JavaValue, JavaValue | null]> = [];
    const keys = new SchemaMerger();
    const values = new SchemaMerger();
    while (this.parser.hasNext()) {
      if (this.parser.canConsume('}')) {
        const keySchema = keys.schema();
        const valueSchema = values.schema();
        if (keySchema && valueSchema) {
          entries = mapEntries(
            entries.map(([key, value]) => [
              convertTo(keySchema, key) as JavaValue,
              convertTo(valueSchema, value),
            ]),
          );
          return {
            schema: { type: 'map', keySchema, valueSchema, optional: false },
            value: { kind: 'map', entries },
          };
        }
        if (keySchema) {
          entries = mapEntries(
            entries.map(([key, value]) => [convertTo(keySchema, key) as JavaValue, value]),
          );
          return {
            schema: { type: 'map', keySchema, valueSchema: null, optional: false },
            value: { kind: 'map', entries },
          };
        }
        return {
          schema: { type: 'map', keySchema: null, valueSchema: null, optional: false },
          value: { kind: 'map', entries },
        };
      }
      if (this.parser.canConsume(','))
        throw new DataException('Unable to parse a map entry with no key or value');
      const key = this.parse(true);
      if (key === null || key.value === null) throw new DataException('Map entry may not have a null key');
      if (!this.parser.canConsume(':')) throw new DataException("Map entry is missing ':'");
      const value = this.parse(true);
      entries = mapEntries([...entries, [key.value, value ? value.value : null]]);
      this.parser.canConsume(',');
      keys.merge(key);
      values.merge(value);
    }
    if (this.parser.previous() === ',') throw new DataException("Map is missing element after ','");
    throw new DataException("Map is missing terminating '}'");
  }

  private parseMultipleTokensAsTemporal(token: string): SchemaAndValue | null {
    const position = this.parser.mark();
    const remainder = this.parser.nextTokens(4);
    if (remainder !== null) {
      const temporal = parseAsTemporal(token + remainder);
      if (temporal) return temporal;
    }
    this.parser.rewindTo(position);
    return parseAsTemporal(token);
  }
}

/** A LinkedHashMap: a repeated key keeps its first position and takes the last value (Java equals). */
function mapEntries(entries: Array<[JavaValue, JavaValue | null]>): Array<[JavaValue, JavaValue | null]> {
  const byKey = new Map<string, [JavaValue, JavaValue | null]>();
  for (const [key, value] of entries) {
    const identity = valueIdentity(key);
    const existing = byKey.get(identity);
    if (existing) existing[1] = value;
    else byKey.set(identity, [key, value]);
  }
  return [...byKey.values()];
}

function valueIdentity(value: JavaValue | null): string {
  if (value === null) return 'null';
  switch (value.kind) {
    case 'list':
      return `list[${value.items.map(valueIdentity).join(',')}]`;
    case 'map':
      return `map{${value.entries.map(([k, v]) => `${valueIdentity(k)}=${valueIdentity(v)}`).join(',')}}`;
    case 'struct':
      return `struct{${value.fields.map(([k, v]) => `${k}=${valueIdentity(v)}`).join(',')}}`;
    case 'decimal':
      return `decimal:${value.value.unscaled}e${-value.value.scale}`;
    case 'date':
      return `date:${value.millis}`;
    case 'bytes':
      return `bytes:${value.value.toString('hex')}`;
    default:
      return `${value.kind}:${Object.is(value.value, -0) ? '-0' : String(value.value)}`;
  }
}

// --- Values.SchemaMerger -----------------------------------------------------------------------------------

const NUMERIC_ORDER = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'] as const;

function schemasEqual(a: ValueSchema | null | undefined, b: ValueSchema | null | undefined): boolean {
  if (!a || !b) return a === b || (a == null && b == null);
  return (
    a.type === b.type &&
    a.optional === b.optional &&
    a.name === b.name &&
    a.scale === b.scale &&
    schemasEqual(a.keySchema, b.keySchema) &&
    schemasEqual(a.valueSchema, b.valueSchema)
  );
}

function mergeSchemas(previous: ValueSchema, next: ValueSchema): ValueSchema | null {
  if (previous.type !== next.type) {
    const from = NUMERIC_ORDER.indexOf(previous.type as (typeof NUMERIC_ORDER)[number]);
    const to = NUMERIC_ORDER.indexOf(next.type as (typeof NUMERIC_ORDER)[number]);
    if (from < 0 || to < 0) return null;
    // Integers widen to the wider type; a float absorbs integers; float64 absorbs float32.
    return to > from ? next : previous;
  }
  if (previous.optional === next.optional) return previous.optional ? previous : next;
  return schemasEqual(previous, next) ? previous : null;
}

class SchemaMerger {
  private common: ValueSchema | null = null;
  private compatible = true;

  merge(latest: SchemaAndValue | null): void {
    if (latest === null || latest.schema === null || !this.compatible) return;
    if (this.common === null) this.common = latest.schema;
    else {
      this.common = mergeSchemas(this.common, latest.schema);
      this.compatible = this.common !== null;
    }
  }

  schema(): ValueSchema | null {
    return this.common;
  }
}

// --- conversions ---------------------------------------------------------------------------------------------

function asLong(value: JavaValue): bigint {
  switch (value.kind) {
    case 'byte':
    case 'short':
    case 'int':
    case 'long':
      return value.value;
    case 'float':
    case 'double':
      return doubleToLongBits(value.value);
    case 'decimal':
      return BigInt(decimalToLong(value.value));
    case 'string': {
      const decimal = javaParseDecimal(value.value);
      if (decimal === null) throw new DataException('Unable to convert to a number');
      return BigInt(decimalToLong(decimal));
    }
    default:
      throw new DataException(`Unable to convert a ${value.kind} to a number`);
  }
}

function doubleToLongBits(value: number): bigint {
  if (Number.isNaN(value)) return 0n;
  if (value >= 9.223372036854776e18) return 2n ** 63n - 1n;
  if (value <= -9.223372036854776e18) return -(2n ** 63n);
  return BigInt(Math.trunc(value));
}

function asDouble(value: JavaValue): number {
  switch (value.kind) {
    case 'byte':
    case 'short':
    case 'int':
    case 'long':
      return Number(value.value);
    case 'float':
    case 'double':
      return value.value;
    case 'decimal':
      return decimalToDouble(value.value);
    case 'string': {
      const decimal = javaParseDecimal(value.value);
      if (decimal === null) throw new DataException('Unable to convert to a number');
      return decimalToDouble(decimal);
    }
    default:
      return Number(asLong(value));
  }
}

const integer = (kind: 'byte' | 'short' | 'int' | 'long', bits: number, value: bigint): JavaValue => ({
  kind,
  value: BigInt.asIntN(bits, value),
});

/** Values.convertTo(toSchema, null, value), as parseString aligns array and map entries (no source schema). */
function convertTo(schema: ValueSchema, value: JavaValue | null): JavaValue | null {
  if (value === null) {
    if (schema.optional) return null;
    throw new DataException('Unable to convert a null value to a schema that requires a value');
  }
  switch (schema.type) {
    case 'string':
      return value.kind === 'string' ? value : { kind: 'string', value: javaValueToString(value) };
    case 'boolean':
      if (value.kind === 'boolean') return value;
      if (value.kind === 'string') {
        const parsed = parseConnectString(value.value);
        if (parsed.value?.kind === 'boolean') return parsed.value;
      }
      return { kind: 'boolean', value: asLong(value) !== 0n };
    case 'int8':
      return value.kind === 'byte' ? value : integer('byte', 8, asLong(value));
    case 'int16':
      return value.kind === 'short' ? value : integer('short', 16, asLong(value));
    case 'int32':
      if (schema.name === 'Date' || schema.name === 'Time') return toDateLike(schema.name, value);
      return value.kind === 'int' ? value : integer('int', 32, asLong(value));
    case 'int64':
      if (schema.name === 'Timestamp') return toDateLike('Timestamp', value);
      return value.kind === 'long' ? value : integer('long', 64, asLong(value));
    case 'float32':
      return value.kind === 'float' ? value : { kind: 'float', value: Math.fround(asDouble(value)) };
    case 'float64':
      return value.kind === 'double' ? value : { kind: 'double', value: asDouble(value) };
    case 'bytes':
      if (schema.name === 'Decimal') {
        if (value.kind === 'decimal') return value;
        if (value.kind === 'string') {
          const decimal = javaParseDecimal(value.value);
          if (decimal === null) throw new DataException('Unable to convert to a decimal');
          return { kind: 'decimal', value: decimal };
        }
        if (
          value.kind === 'byte' ||
          value.kind === 'short' ||
          value.kind === 'int' ||
          value.kind === 'long' ||
          value.kind === 'float' ||
          value.kind === 'double'
        ) {
          // BigDecimal.valueOf(double): the decimal Double.toString prints.
          const text = javaDoubleToString(asDouble(value));
          const decimal = javaParseDecimal(text);
          if (decimal === null) throw new DataException('Unable to convert to a decimal');
          return { kind: 'decimal', value: decimal };
        }
      }
      if (value.kind === 'bytes') return value;
      throw new DataException(`Unable to convert a ${value.kind} to bytes`);
    case 'array':
      if (value.kind === 'list') return value;
      if (value.kind === 'string') {
        const parsed = parseConnectString(value.value).value;
        if (parsed?.kind === 'list') return parsed;
      }
      throw new DataException(`Unable to convert a ${value.kind} to an array`);
    case 'map':
      if (value.kind === 'map') return value;
      if (value.kind === 'string') {
        const parsed = parseConnectString(value.value).value;
        if (parsed?.kind === 'map') return parsed;
      }
      throw new DataException(`Unable to convert a ${value.kind} to a map`);
  }
}

function toDateLike(name: 'Date' | 'Time' | 'Timestamp', input: JavaValue): JavaValue {
  let value = input;
  if (value.kind === 'string') {
    const parsed = parseConnectString(value.value).value;
    if (parsed === null) throw new DataException('Unable to convert a null value');
    value = parsed;
  }
  // With no source schema a java.util.Date passes as it is.
  if (value.kind === 'date') return value;
  const numeric = asLong(value);
  if (name === 'Date') return { kind: 'date', millis: BigInt.asIntN(32, numeric) * MILLIS_PER_DAY };
  if (name === 'Time') {
    const millis = BigInt.asIntN(32, numeric);
    if (millis < 0n || millis > MILLIS_PER_DAY)
      throw new DataException(
        'Time values must use number of milliseconds greater than 0 and less than 86400000',
      );
    return { kind: 'date', millis };
  }
  return { kind: 'date', millis: numeric };
}

/** Values.parseString. Returns {schema: null, value: null} for null (the text "null"). */
export function parseConnectString(text: string): SchemaAndValue {
  if (text === '') return { schema: SCHEMA.string, value: { kind: 'string', value: text } };
  const parsed = new ValueParser(new Parser(text)).parse(false);
  return parsed ?? { schema: null, value: null };
}

// --- Values.convertToString ------------------------------------------------------------------------------------

const TIME_FORMAT = lazyFormat("HH:mm:ss.SSS'Z'");
const DATE_FORMAT = lazyFormat('yyyy-MM-dd');
const TIMESTAMP_FORMAT = lazyFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

/** Values.dateFormatFor(date).format(date): the format depends on the instant, not on its schema. */
export function connectDateToString(millis: ExactLong): string {
  const big = BigInt(millis);
  if (big < MILLIS_PER_DAY) return TIME_FORMAT().format(millis);
  if (big % MILLIS_PER_DAY === 0n) return DATE_FORMAT().format(millis);
  return TIMESTAMP_FORMAT().format(millis);
}

function escapeQuoted(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

function append(value: JavaValue | null, embedded: boolean): string {
  if (value === null) return 'null';
  switch (value.kind) {
    case 'byte':
    case 'short':
    case 'int':
    case 'long':
      return value.value.toString();
    case 'float':
      return javaFloatToString(value.value);
    case 'double':
      return javaDoubleToString(value.value);
    case 'decimal':
      return decimalToString(value.value);
    case 'boolean':
      return String(value.value);
    case 'string':
      return embedded ? `"${escapeQuoted(value.value)}"` : value.value;
    case 'bytes': {
      const encoded = value.value.toString('base64');
      return embedded ? `"${encoded}"` : encoded;
    }
    case 'list':
      return `[${value.items.map((item) => append(item, true)).join(',')}]`;
    case 'map':
      return `{${value.entries.map(([k, v]) => `${append(k, true)}:${append(v, true)}`).join(',')}}`;
    case 'struct':
      return `{${value.fields.map(([name, v]) => `${append({ kind: 'string', value: name }, true)}:${append(v, true)}`).join(',')}}`;
    case 'date':
      return connectDateToString(normalizeLong(value.millis));
  }
}

/** Values.convertToString(schema, value): what SimpleHeaderConverter writes. */
export function javaValueToString(value: JavaValue | null): string {
  return append(value, false);
}

/** InsertHeader's header text for a value.literal (ConfigDef already trimmed it); null for "null". */
export function connectLiteralHeader(literal: string): string | null {
  const parsed = parseConnectString(literal);
  return parsed.value === null ? null : javaValueToString(parsed.value);
}

/**
 * Values.convertToByte/Short/Integer/Long/Float/Double(null, text), as MaskField applies a replacement
 * to a field of that type; null where Connect throws (a text that is not a decimal number).
 */
export function convertTextToNumber(
  text: string,
  kind: 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64',
): number | bigint | null {
  const decimal = javaParseDecimal(text);
  if (decimal === null) return null;
  switch (kind) {
    case 'int8':
      return Number(BigInt.asIntN(8, BigInt(decimalToLong(decimal))));
    case 'int16':
      return Number(BigInt.asIntN(16, BigInt(decimalToLong(decimal))));
    case 'int32':
      return Number(BigInt.asIntN(32, BigInt(decimalToLong(decimal))));
    case 'int64':
      return decimalToLong(decimal);
    case 'float32':
      return Math.fround(decimalToDouble(decimal));
    case 'float64':
      return decimalToDouble(decimal);
  }
}
