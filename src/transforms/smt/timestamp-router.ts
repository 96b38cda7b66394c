import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import { compileDateFormat, type JavaDateFormat } from '../java/date-format.ts';
import type { RecordSchemas } from '../types.ts';
import { TransformDataError } from '../types.ts';

const definition = defineConfig({
  'topic.format': {
    type: 'string',
    default: '${topic}-${timestamp}',
    doc: 'topic template with ${topic} and ${timestamp}',
  },
  'timestamp.format': {
    type: 'string',
    default: 'yyyyMMdd',
    doc: 'SimpleDateFormat pattern (UTC) for ${timestamp}',
  },
});

export class TimestampRouter extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private format: JavaDateFormat | null = null;

  protected override validate(): void {
    try {
      this.format = compileDateFormat(this.config['timestamp.format']);
    } catch (error) {
      // Connect builds its SimpleDateFormat at the first record, so a bad pattern fails every record.
      throw this.failsEveryRecord('timestamp.format', (error as Error).message);
    }
  }

  outputSchema(input: RecordSchemas): RecordSchemas {
    return input;
  }

  apply(record: KafkaRecord): KafkaRecord {
    if (record.timestamp === null || record.timestamp === undefined) {
      throw new TransformDataError('TimestampRouter: the record has no timestamp');
    }
    const stamp = (this.format as JavaDateFormat).format(record.timestamp);
    const topic = this.config['topic.format']
      .replaceAll('${topic}', record.topic)
      .replaceAll('${timestamp}', stamp);
    return { ...record, topic };
  }
}
