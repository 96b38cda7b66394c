import { SideTransform } from '../base.ts';
import { defineConfig, oneOf } from '../config-def.ts';
import { compileDateFormat, type JavaDateFormat } from '../java.ts';
import {
  type AvroSchema,
  asRecord,
  avroSchemaFor,
  type ConnectType,
  connectTypeOf,
  copyField,
  copyRecordBasics,
  fieldDefault,
  isOptional,
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

const MILLIS_PER_DAY = 86_400_000;
const floorMod = (value: number, divisor: number) => ((value % divisor) + divisor) % divisor;

type Converter = (value: unknown) => unknown;

export class TimestampConverter extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private dateFormat: JavaDateFormat | null = null;
  private convertWhole: Converter | null = null;
  private fieldPlan: Array<{ name: string; convert: Converter | null; fallback: unknown }> = [];

  protected override validate(): void {
    const format = this.config.format;
    if (this.config['target.type'] === 'string' && format.trim() === '') {
      throw this.configError(
        'format',
        'required when target.type=string (a SimpleDateFormat pattern, e.g. yyyy-MM-dd)',
      );
    }
    if (format.trim() !== '') {
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

  private toMillis(sourceType: ConnectType, what: string): (value: unknown) => number {
    switch (sourceType) {
      case 'timestamp':
      case 'time':
        return (value) => value as number;
      case 'date':
        return (value) => (value as number) * MILLIS_PER_DAY;
      case 'int64': {
        const precision = this.config['unix.precision'];
        // TimeUnit conversions truncate toward zero.
        const divisor =
          { seconds: 1 / 1000, milliseconds: 1, microseconds: 1000, nanoseconds: 1_000_000 }[precision] ?? 1;
        return divisor < 1
          ? (value) => (value as number) * 1000
          : (value) => Math.trunc((value as number) / divisor) + 0;
      }
      case 'string': {
        const format = this.dateFormat;
        if (!format)
          throw this.configError('format', `${what} is a string, so a SimpleDateFormat pattern is required`);
        return (value) => {
          const parsed = format.parse(value as string);
          if (parsed === null) {
            throw new TransformDataError(
              `TimestampConverter: ${what} does not match pattern (${this.config.format})`,
            );
          }
          return parsed;
        };
      }
      default:
        throw this.configError(
          'field',
          `${what} is ${sourceType}; TimestampConverter reads string, int64 (unix), Date, Time or Timestamp`,
        );
    }
  }

  private fromMillis(): (millis: number) => unknown {
    switch (this.target) {
      case 'string': {
        const format = this.dateFormat as JavaDateFormat;
        return (millis) => format.format(millis);
      }
      case 'unix': {
        const precision = this.config['unix.precision'];
        // `+ 0` turns JavaScript's -0 into Java's 0.
        if (precision === 'seconds') return (millis) => Math.trunc(millis / 1000) + 0;
        if (precision === 'microseconds') return (millis) => millis * 1000;
        if (precision === 'nanoseconds') return (millis) => millis * 1_000_000;
        return (millis) => millis;
      }
      case 'Date':
        return (millis) => Math.floor(millis / MILLIS_PER_DAY);
      case 'Time':
        return (millis) => floorMod(millis, MILLIS_PER_DAY);
      case 'Timestamp':
        return (millis) => millis;
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    const field = this.config.field;
    if (field === '') {
      this.convertWhole = this.compileConverter(connectTypeOf(schema), 'the value');
      return this.targetSchema(isOptional(schema));
    }
    const record = asRecord(schema);
    if (!record)
      throw this.configError(
        'field',
        `field "${field}" needs a record schema, got ${JSON.stringify(schema)}`,
      );
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
    const fields = record.fields.map((candidate) =>
      candidate === target
        ? copyField(candidate, candidate.name, this.targetSchema(isOptional(candidate.type)))
        : candidate,
    );
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
