import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import type { RecordSchemas } from '../types.ts';

const definition = defineConfig({
  header: { type: 'string', doc: 'header name' },
  'value.literal': { type: 'string', doc: 'header value' },
});

/** Appends a header (an existing one with the same name stays, as in Connect). */
export class InsertHeader extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;

  outputSchema(input: RecordSchemas): RecordSchemas {
    return input;
  }

  apply(record: KafkaRecord): KafkaRecord {
    return {
      ...record,
      headers: [...record.headers, { key: this.config.header, value: this.config['value.literal'] }],
    };
  }
}
