import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { defineConfig, nonEmptyList } from '../config-def.ts';
import type { RecordSchemas } from '../types.ts';

const definition = defineConfig({
  headers: { type: 'list', validator: nonEmptyList, doc: 'header names to remove (every occurrence)' },
});

export class DropHeaders extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private names = new Set<string>();

  protected override validate(): void {
    this.names = new Set(this.config.headers);
  }

  outputSchema(input: RecordSchemas): RecordSchemas {
    return input;
  }

  apply(record: KafkaRecord): KafkaRecord {
    if (!record.headers.some((header) => this.names.has(header.key))) return record;
    return { ...record, headers: record.headers.filter((header) => !this.names.has(header.key)) };
  }
}
