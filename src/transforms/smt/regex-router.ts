import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { compileJavaRegex, defineConfig } from '../config-def.ts';
import { compileJavaReplacement, regexGroups } from '../java.ts';
import type { RecordSchemas } from '../types.ts';

const definition = defineConfig({
  regex: { type: 'string', doc: 'Java regular expression that must match the whole topic' },
  replacement: { type: 'string', doc: 'replacement, with $1 or ${name} group references' },
});

export class RegexRouter extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private regex = /^$/;
  private replace: (match: RegExpExecArray) => string = () => '';

  protected override validate(): void {
    try {
      this.regex = compileJavaRegex(this.config.regex);
    } catch (error) {
      throw this.configError('regex', (error as Error).message);
    }
    const { count, names } = regexGroups(this.regex);
    try {
      this.replace = compileJavaReplacement(this.config.replacement, count, names);
    } catch (error) {
      throw this.configError('replacement', (error as Error).message);
    }
  }

  outputSchema(input: RecordSchemas): RecordSchemas {
    return input;
  }

  apply(record: KafkaRecord): KafkaRecord {
    const match = this.regex.exec(record.topic);
    if (!match) return record;
    return { ...record, topic: this.replace(match) };
  }
}
