import { createHash } from 'node:crypto';
import avro from 'avsc';
import { PipelineError } from '../errors.ts';
import { schemaText } from './schema-text.ts';

/**
 * Avro `long` values, exactly. avsc's own long type holds JavaScript numbers and refuses (or rounds) any
 * long beyond ±(2^53 - 1), yet Kafka Connect's int64 (Cast to int64, unix micro- and nanoseconds,
 * Long.MAX_VALUE saturation) reaches far beyond that. Every long that fits a double exactly stays a
 * plain number, so timestamps, counters and existing JSON output are unchanged; only a long outside
 * the safe range is a BigInt. Writers may pass either form for any long; readers get a number whenever
 * the value is safe. A BigInt for every long would be simpler to state but would change every value
 * every consumer sees (and JSON.stringify throws on BigInt). This is the one place avsc types are built
 * with it, so the encoder, the decoder and the transform chain agree.
 */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export type ExactLong = number | bigint;

export function isExactLong(value: unknown): value is ExactLong {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX;
}

/** The canonical form: a number when it is exact as a double, else a BigInt. */
export function normalizeLong(value: bigint): ExactLong {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** Reads a zig-zag varint; the 7-bytes-or-fewer case (|value| < 2^48) never leaves double arithmetic. */
function decodeZigZag(bytes: Buffer): ExactLong {
  if (bytes.length <= 7) {
    let unsigned = 0;
    let scale = 1;
    for (const byte of bytes) {
      unsigned += (byte & 0x7f) * scale;
      scale *= 128;
    }
    return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2;
  }
  let unsigned = 0n;
  let shift = 0n;
  for (const byte of bytes) {
    unsigned |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  }
  return normalizeLong((unsigned >> 1n) ^ -(unsigned & 1n));
}

/**
 * Zig-zag varint bytes of a long, for avsc's `toBuffer` hook. avsc's only caller (AbstractLongType's
 * `_write`) copies the bytes into its output at once, so the common case (a timestamp) is written into
 * one reused buffer and handed back as a ready-made view of the right length: no allocation per long,
 * which the bench profile showed as about a fifth of Avro encoding.
 */
const LONG_BYTES = Buffer.alloc(10);
const LONG_VIEWS = Array.from({ length: 11 }, (_, length) => LONG_BYTES.subarray(0, length));

function encodeZigZag(value: ExactLong): Buffer {
  if (typeof value === 'number' && Math.abs(value) < 2 ** 52) {
    let unsigned = value >= 0 ? value * 2 : -value * 2 - 1;
    let length = 0;
    while (unsigned >= 128) {
      LONG_BYTES[length++] = (unsigned % 128) | 128;
      unsigned = Math.floor(unsigned / 128);
    }
    LONG_BYTES[length++] = unsigned;
    return LONG_VIEWS[length] as Buffer;
  }
  const out: number[] = [];
  const big = BigInt(value);
  let unsigned = big >= 0n ? big << 1n : (-big << 1n) - 1n;
  while (unsigned >= 128n) {
    out.push(Number(unsigned & 0x7fn) | 128);
    unsigned >>= 7n;
  }
  out.push(Number(unsigned));
  return Buffer.from(out);
}

function longFromJson(value: unknown): ExactLong {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return normalizeLong(BigInt(value));
  if (typeof value === 'bigint') return normalizeLong(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new Error(`not an Avro long: ${typeof value}`);
}

export const EXACT_LONG_TYPE = avro.types.LongType.__with(
  {
    fromBuffer: decodeZigZag,
    toBuffer: encodeZigZag,
    fromJSON: longFromJson,
    toJSON: (value: ExactLong) => (typeof value === 'bigint' ? value.toString() : value),
    isValid: isExactLong,
    compare: (a: ExactLong, b: ExactLong) => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
);

/**
 * avsc options that build every long (plain, or under a logical type such as timestamp-millis, whose
 * value is the long itself here) as an exact long. A fresh registry per schema keeps names apart.
 */
export function exactLongOptions(): Partial<avro.ForSchemaOptions> {
  return {
    registry: {},
    typeHook: (schema) =>
      schema === 'long' || (schema as { type?: unknown } | null)?.type === 'long'
        ? EXACT_LONG_TYPE
        : undefined,
  };
}

/** An Avro schema as parsed JSON (the usual case) or as its JSON text. */
export type AvroSchemaInput = object | string;

export interface CompiledSchema {
  readonly type: avro.Type;
  /**
   * The text sent to a registry: `schemaText` of the schema, the same for every spelling of it and the
   * same as a Java serializer sends (registries compare definitions as text).
   */
  readonly definition: string;
  /** SHA-256 of `definition`: a short cache key for registry ids. */
  readonly definitionHash: string;
  /** SHA-256 of the Parsing Canonical Form: equal for schemas that differ only in docs, order of keys etc. */
  readonly fingerprint: string;
  /** Full name of the top-level named type (record), used by record-name subject strategies. */
  readonly fullName: string | undefined;
}

/**
 * Compiles each schema once and hands back the same compiled type afterwards: parsing a schema is far
 * more expensive than encoding a record, so it must never happen per record.
 */
export class AvroTypeCache {
  private readonly byObject = new WeakMap<object, CompiledSchema>();
  /** By `schemaText`, so every spelling of one schema shares one compiled type. */
  private readonly byText = new Map<string, CompiledSchema>();
  /** By the text as given, so a string seen before is not parsed again. */
  private readonly bySpelling = new Map<string, CompiledSchema>();
  private readonly options: Partial<avro.ForSchemaOptions>;

  constructor(options: Partial<avro.ForSchemaOptions> = {}) {
    this.options = options;
  }

  compile(schema: AvroSchemaInput): CompiledSchema {
    if (typeof schema === 'object' && schema !== null) {
      const known = this.byObject.get(schema);
      if (known) return known;
      const compiled = this.compileText(schema);
      this.byObject.set(schema, compiled);
      return compiled;
    }
    if (typeof schema === 'string') {
      const known = this.bySpelling.get(schema);
      if (known) return known;
      const compiled = this.compileText(schema);
      this.bySpelling.set(schema, compiled);
      return compiled;
    }
    throw new PipelineError(
      'serialize',
      'SERDE_INVALID_SCHEMA',
      'schema: expected an Avro schema object or JSON text',
    );
  }

  private compileText(schema: object | string): CompiledSchema {
    let parsed: unknown;
    try {
      parsed = typeof schema === 'string' ? JSON.parse(schema) : schema;
    } catch (error) {
      throw new PipelineError(
        'serialize',
        'SERDE_INVALID_SCHEMA',
        `schema is not valid JSON: ${(error as Error).message}`,
      );
    }
    // avsc first: it names what is wrong with an invalid schema better than the text writer would.
    let type: avro.Type;
    try {
      // avsc records named types in `opts.registry`; a fresh one per schema keeps schemas independent.
      type = avro.Type.forSchema(parsed as avro.Schema, { ...this.options, ...exactLongOptions() });
    } catch (error) {
      throw new PipelineError(
        'serialize',
        'SERDE_INVALID_SCHEMA',
        `schema is not valid Avro: ${(error as Error).message}`,
      );
    }
    // The text as given when it was text: a primitive schema parses to a bare string, which schemaText
    // would read as JSON text again.
    const definition = schemaText(typeof schema === 'string' ? schema : (parsed as object));
    const known = this.byText.get(definition);
    if (known) return known;
    const compiled: CompiledSchema = {
      type,
      definition,
      definitionHash: createHash('sha256').update(definition).digest('hex'),
      fingerprint: type.fingerprint('sha256').toString('hex'),
      fullName: type.name,
    };
    this.byText.set(definition, compiled);
    return compiled;
  }
}

export const defaultTypeCache = new AvroTypeCache();

/**
 * avsc's toBuffer writes into a shared 1 KiB buffer and, when the record does not fit (an enriched SES
 * event is about 1 KiB of Avro), writes the whole record a second time. The bench profile showed that
 * second pass; writing into a larger scratch buffer that grows once and copying out avoids it. The
 * registry's frame header goes into the same buffer first, so each record is copied out once.
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

function encodeIntoScratch(type: avro.Type, value: unknown, header: Buffer | undefined): Buffer {
  const start = header === undefined ? 0 : header.length;
  let end = type.encode(value, scratch, start);
  if (end < 0) {
    // encode() returns minus the number of bytes missing; grow past the need so it happens rarely.
    scratch = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, scratch.length - end + 1024));
    end = type.encode(value, scratch, start);
  }
  header?.copy(scratch, 0);
  return Buffer.from(scratch.subarray(0, end));
}

/**
 * Encodes with a precise error: the message names the first path that does not match, never the value
 * itself (values may hold email addresses).
 */
export function encodeAvroBody(compiled: CompiledSchema, value: unknown): Buffer {
  return encodeChecked(compiled, value, undefined);
}

/** `header` (a registry frame) followed by the Avro body, in one buffer; errors as encodeAvroBody. */
export function encodeAvroFramed(compiled: CompiledSchema, header: Buffer, value: unknown): Buffer {
  return encodeChecked(compiled, value, header);
}

function encodeChecked(compiled: CompiledSchema, value: unknown, header: Buffer | undefined): Buffer {
  try {
    return encodeIntoScratch(compiled.type, value, header);
  } catch (error) {
    const paths: string[] = [];
    compiled.type.isValid(value, {
      errorHook: (path: string[], _value: unknown, type: avro.Type) => {
        paths.push(`${path.join('.') || '(root)'} (expected ${describeType(type)})`);
      },
    });
    const where = paths.length > 0 ? paths.slice(0, 5).join(', ') : (error as Error).message;
    throw new PipelineError(
      'serialize',
      'SERDE_INVALID_VALUE',
      `value does not match Avro schema ${compiled.fullName ?? '(unnamed)'}: ${where}`,
      { cause: error },
    );
  }
}

function describeType(type: avro.Type): string {
  if (type.name) return type.name;
  return type.typeName;
}
