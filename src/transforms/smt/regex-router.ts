import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { compileJavaRegex, defineConfig } from '../config-def.ts';
import {
  compileJavaReplacement,
  type JavaMatch,
  type JavaPattern,
  javaReplaceFirst,
  UnsupportedJavaRegexError,
} from '../java/regex.ts';
import type { RecordSchemas } from '../types.ts';

const definition = defineConfig({
  regex: { type: 'string', doc: 'Java regular expression that must match the whole topic' },
  replacement: { type: 'string', doc: 'replacement, with $1 or ${name} group references' },
});

/** Connect's RegexRouter: a topic the regex matches entirely becomes Matcher.replaceFirst(replacement). */
export class RegexRouter extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private regex: JavaPattern | null = null;
  private replace: (match: JavaMatch) => string = () => '';

  protected override validate(): void {
    let regex: JavaPattern;
    try {
      regex = compileJavaRegex(this.config.regex);
    } catch (error) {
      throw this.configError('regex', (error as Error).message);
    }
    try {
      this.replace = compileJavaReplacement(this.config.replacement, regex);
    } catch (error) {
      if (error instanceof UnsupportedJavaRegexError) throw this.configError('replacement', error.message);
      // Java reports a bad replacement only when a topic matches; every such record would fail.
      throw this.failsEveryRecord(
        'replacement',
        `invalid replacement "${this.config.replacement}": ${(error as Error).message}`,
      );
    }
    this.regex = regex;
  }

  outputSchema(input: RecordSchemas): RecordSchemas {
    return input;
  }

  apply(record: KafkaRecord): KafkaRecord {
    const regex = this.regex as JavaPattern;
    if (!regex.matches(record.topic)) return record;
    return { ...record, topic: javaReplaceFirst(regex, this.replace, record.topic) };
  }
}
