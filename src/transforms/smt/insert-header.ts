import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import { connectLiteralHeader } from '../java/connect-values.ts';
import type { RecordSchemas } from '../types.ts';

const definition = defineConfig({
  header: { type: 'string', doc: 'header name' },
  'value.literal': { type: 'string', doc: 'header value' },
});

/**
 * Appends a header (an existing one with the same name stays, as in Connect). Like Connect, the literal
 * is parsed with Values.parseString ("1.50" is the float 1.5, "[1, 2 ,3]" an array) and written as the
 * header converter prints that value ("1.5", "[1,2,3]"); "null" gives a null header.
 */
export class InsertHeader extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private headerValue: string | null = null;

  protected override validate(): void {
    this.headerValue = connectLiteralHeader(this.config['value.literal']);
  }

  outputSchema(input: RecordSchemas): RecordSchemas {
    return input;
  }

  apply(record: KafkaRecord): KafkaRecord {
    return {
      ...record,
      headers: [...record.headers, { key: this.config.header, value: this.headerValue }],
    };
  }
}
