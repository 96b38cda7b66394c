import { SideTransform } from '../base.ts';
import { defineConfig, oneOf } from '../config-def.ts';
import { compileDateFormat, type JavaDateFormat, ZoneNameError } from '../java/date-format.ts';
import { type ExactLong, javaTrim, normalizeLong } from '../java/numbers.ts';
import {
  type AvroSchema,
  avroSchemaFor,
  type ConnectType,
  connectTypeOf,
  copyRecordBasics,
  fieldDefault,
  isOptional,
  newField,
  withOptionality,
} from '../schema.ts';
import { TransformDataError } from '../types.ts';

const TARGET_TYPES = ['string', 'unix', 'Date', 'Time', 'Timestamp'] as const;
type TargetType = (typeof TARGET_TYPES)[number];
const PRECISIONS = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'] as const;

const definition = defineConfig({
  field: { type: 'string', default: '', doc: 'the field to convert; empty converts the whole value' },
  'target.type': {
    type: 'string',
    validator: oneOf(TARGET_TYPES),
    doc: 'string, unix, Date, Time or Timestamp',
  },
  format: { type: 'string', default: '', doc: 'SimpleDateFormat pattern for string input or output' },
  'unix.precision': {
    type: 'string',
    default: 'milliseconds',
    validator: oneOf(PRECISIONS),
    doc: 'unit of unix timestamps',
  },
  'replace.null.with.default': { type: 'boolean', default: true, doc: 'use the field default for a null' },
});

const MILLIS_PER_DAY = 86_400_000n;
const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/** TimeUnit's conversions: multiplication saturates at the long range, division truncates. */
function saturatingMultiply(value: bigint, factor: bigint): bigint {
  const product = value * factor;
  return product > LONG_MAX ? LONG_MAX : product < LONG_MIN ? LONG_MIN : product;
}

function floorDiv(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  return value % divisor !== 0n && value < 0n ? quotient - 1n : quotient;
}

type Converter = (value: unknown) => unknown;

/**
 * Connect's TimestampConverter: string (SimpleDateFormat, UTC), unix (seconds to nanoseconds, exact
 * 64-bit longs with TimeUnit's saturation), Date, Time and Timestamp, for a field or the whole value.
 */
export class TimestampConverter extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private dateFormat: JavaDateFormat | null = null;
  private convertWhole: Converter | null = null;
  private fieldPlan: Array<{ name: string; convert: Converter | null; fallback: unknown }> = [];

  protected override validate(): void {
    const format = this.config.format;
    if (this.config['target.type'] === 'string' && javaTrim(format) === '') {
      throw this.configError(
        'format',
        'required when target.type=string (a SimpleDateFormat pattern, e.g. yyyy-MM-dd)',
      );
    }
    if (javaTrim(format) !== '') {
      try {
        this.dateFormat = compileDateFormat(format);
      } catch (error) {
        throw this.configError('format', (error as Error).message);
      }
    }
  }

  private get target(): TargetType {
    return this.config['target.type'] as TargetType;
  }

  private targetSchema(optional: boolean): AvroSchema {
    const byTarget: Record<TargetType, ConnectType> = {
      string: 'string',
      unix: 'int64',
      Date: 'date',
      Time: 'time',
      Timestamp: 'timestamp',
    };
    return withOptionality(avroSchemaFor(byTarget[this.target]), optional);
  }

  private compileConverter(sourceType: ConnectType, what: string): Converter {
    const toMillis = this.toMillis(sourceType, what);
    const fromMillis = this.fromMillis();
    return (value) => (value === null || value === undefined ? null : fromMillis(toMillis(value)));
  }

  /** The instant (exact epoch millis) a value of the source type stands for. */
  private toMillis(sourceType: ConnectType, what: string): (value: unknown) => bigint {
    switch (sourceType) {
      case 'timestamp':
      case 'time':
        return (value) => BigInt(value as ExactLong);
      case 'date':
        return (value) => BigInt(value as number) * MILLIS_PER_DAY;
      case 'int64': {
        const precision = this.config['unix.precision'];
        if (precision === 'seconds') return (value) => saturatingMultiply(BigInt(value as ExactLong), 1000n);
        if (precision === 'microseconds') return (value) => BigInt(value as ExactLong) / 1000n;
        if (precision === 'nanoseconds') return (value) => BigInt(value as ExactLong) / 1_000_000n;
        return (value) => BigInt(value as ExactLong);
      }
      case 'string': {
        const format = this.dateFormat;
        if (!format)
          throw this.failsEveryRecord(
            'format',
            `${what} is a string, so a SimpleDateFormat pattern is required`,
          );
        return (value) => {
          let parsed: ExactLong | null;
          try {
            parsed = format.parse(value as string);
          } catch (error) {
            if (error instanceof ZoneNameError)
              throw new TransformDataError(`TimestampConverter: ${what}: ${error.message}`);
            throw error;
          }
          if (parsed === null) {
            throw new TransformDataError(
              `TimestampConverter: ${what} does not match pattern (${this.config.format})`,
            );
          }
          return BigInt(parsed);
        };
      }
      default:
        throw this.failsEveryRecord(
          'field',
          `${what} is ${sourceType}; TimestampConverter reads string, int64 (unix), Date, Time or Timestamp`,
        );
    }
  }

  private fromMillis(): (millis: bigint) => unknown {
    switch (this.target) {
      case 'string': {
        const format = this.dateFormat as JavaDateFormat;
        return (millis) => format.format(normalizeLong(millis));
      }
      case 'unix': {
        const precision = this.config['unix.precision'];
        if (precision === 'seconds') return (millis) => normalizeLong(millis / 1000n);
        if (precision === 'microseconds') return (millis) => normalizeLong(saturatingMultiply(millis, 1000n));
        if (precision === 'nanoseconds')
          return (millis) => normalizeLong(saturatingMultiply(millis, 1_000_000n));
        return (millis) => normalizeLong(millis);
      }
      case 'Date':
        // Midnight UTC of that day, computed in a long as Calendar does (so it wraps below Long.MIN_VALUE,
        // and Date.fromLogical then refuses the result); Connect's Date holds the day number as an int.
        return (millis) => {
          const midnight = BigInt.asIntN(64, floorDiv(millis, MILLIS_PER_DAY) * MILLIS_PER_DAY);
          if (midnight % MILLIS_PER_DAY !== 0n) {
            throw new TransformDataError(
              'TimestampConverter: the date of this instant is outside the range of a Java long',
            );
          }
          return Number(BigInt.asIntN(32, midnight / MILLIS_PER_DAY));
        };
      case 'Time':
        return (millis) => Number(millis - floorDiv(millis, MILLIS_PER_DAY) * MILLIS_PER_DAY);
      case 'Timestamp':
        return (millis) => normalizeLong(millis);
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const field = this.config.field;
    if (field === '') {
      this.convertWhole = this.compileConverter(connectTypeOf(schema), 'the value');
      return this.targetSchema(isOptional(schema));
    }
    const record = this.requireRecord(schema, 'TimestampConverter with a field');
    const target = record.fields.find((candidate) => candidate.name === field);
    // Deliberately stricter than Connect, which silently leaves the record alone.
    if (!target) throw this.configError('field', `no field "${field}" in record ${record.name}`);
    const replaceNull = this.config['replace.null.with.default'];
    this.fieldPlan = record.fields.map((candidate) => ({
      name: candidate.name,
      convert:
        candidate === target
          ? this.compileConverter(connectTypeOf(candidate.type), `field "${field}"`)
          : null,
      fallback: replaceNull ? fieldDefault(candidate) : null,
    }));
    // The converted field gets the bare target schema: Connect's typeSchema carries no default.
    const fields = record.fields.map((candidate) => {
      if (candidate !== target) return candidate;
      const { default: _dropped, ...rest } = candidate;
      return newField(rest.name, this.targetSchema(isOptional(candidate.type)), rest);
    });
    return copyRecordBasics(record, fields);
  }

  protected mapValue(value: unknown): unknown {
    if (this.convertWhole) return this.convertWhole(value);
    if (value === null || value === undefined) return null;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { name, convert, fallback } of this.fieldPlan) {
      const current = source[name];
      const present = current === null || current === undefined ? fallback : current;
      out[name] = convert ? convert(present) : present;
    }
    return out;
  }
}
