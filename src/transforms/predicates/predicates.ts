/** The standard Connect predicates plus FieldValueMatches, one class each. */
import { ConfigError } from '../../errors.ts';
import type { KafkaRecord } from '../../record.ts';
import { lastHeader } from '../../record.ts';
import {
  CHAIN_PREDICATE_KEYS,
  type ConfigDef,
  compileJavaRegex,
  defineConfig,
  nonEmptyString,
  type ParsedConfig,
  parseConfig,
} from '../config-def.ts';
import type { JavaPattern } from '../java/regex.ts';
import { compileGetter, splitDottedPath } from '../paths.ts';
import { connectTypeOf } from '../schema.ts';
import type { Predicate, RecordSchemas, TransformSetup } from '../types.ts';

abstract class ConfiguredPredicate<D extends ConfigDef> implements Predicate {
  protected config!: ParsedConfig<D>;
  protected prefix = '';
  protected abstract readonly definition: D;

  configure(setup: TransformSetup): void {
    this.prefix = setup.prefix;
    this.config = parseConfig(this.definition, setup.config, setup.prefix, CHAIN_PREDICATE_KEYS);
    this.validate();
  }

  protected validate(): void {}
  abstract test(record: KafkaRecord): boolean;
}

const topicNameMatches = defineConfig({
  pattern: { type: 'string', validator: nonEmptyString, doc: 'Java regex the whole topic name must match' },
});

export class TopicNameMatches extends ConfiguredPredicate<typeof topicNameMatches> {
  static readonly definition = topicNameMatches;
  protected readonly definition = topicNameMatches;
  private regex: JavaPattern | null = null;

  protected override validate(): void {
    try {
      this.regex = compileJavaRegex(this.config.pattern);
    } catch (error) {
      throw new ConfigError(`${this.prefix}pattern`, (error as Error).message);
    }
  }

  test(record: KafkaRecord): boolean {
    return (this.regex as JavaPattern).matches(record.topic);
  }
}

const hasHeaderKey = defineConfig({
  name: { type: 'string', validator: nonEmptyString, doc: 'header name' },
});

export class HasHeaderKey extends ConfiguredPredicate<typeof hasHeaderKey> {
  static readonly definition = hasHeaderKey;
  protected readonly definition = hasHeaderKey;

  test(record: KafkaRecord): boolean {
    return lastHeader(record.headers, this.config.name) !== undefined;
  }
}

const recordIsTombstone = defineConfig({});

export class RecordIsTombstone extends ConfiguredPredicate<typeof recordIsTombstone> {
  static readonly definition = recordIsTombstone;
  protected readonly definition = recordIsTombstone;

  test(record: KafkaRecord): boolean {
    return record.value === null || record.value === undefined;
  }
}

const fieldValueMatches = defineConfig({
  field: { type: 'string', validator: nonEmptyString, doc: 'dotted path of a value field, e.g. eventType' },
  values: { type: 'list', default: [], doc: 'matches when the field equals one of these' },
  pattern: { type: 'string', default: null, doc: 'or: a Java regex the whole field value must match' },
});

/** True when a value field equals one of `values` or matches `pattern`; a null field never matches. */
export class FieldValueMatches extends ConfiguredPredicate<typeof fieldValueMatches> {
  static readonly definition = fieldValueMatches;
  protected readonly definition = fieldValueMatches;
  private getter: (value: unknown) => unknown = () => null;
  private matches: (text: string) => boolean = () => false;

  protected override validate(): void {
    const { values, pattern } = this.config;
    if (values.length > 0 === (pattern !== null && pattern !== '')) {
      throw new ConfigError(
        `${this.prefix}values`,
        'set exactly one of values (a comma-separated list) and pattern',
      );
    }
    if (values.length > 0) {
      const allowed = new Set(values);
      this.matches = (text) => allowed.has(text);
    } else {
      let regex: JavaPattern;
      try {
        regex = compileJavaRegex(pattern as string);
      } catch (error) {
        throw new ConfigError(`${this.prefix}pattern`, (error as Error).message);
      }
      this.matches = (text) => regex.matches(text);
    }
  }

  prepare(input: RecordSchemas): void {
    const compiled = compileGetter(input.value, splitDottedPath(this.config.field), `${this.prefix}field`);
    const type = connectTypeOf(compiled.schema);
    if (['struct', 'array', 'map', 'bytes', 'union'].includes(type)) {
      throw new ConfigError(
        `${this.prefix}field`,
        `"${this.config.field}" is ${type}; FieldValueMatches compares scalar fields`,
      );
    }
    this.getter = compiled.get;
  }

  test(record: KafkaRecord): boolean {
    const value = this.getter(record.value);
    return value !== null && value !== undefined && this.matches(String(value));
  }
}
