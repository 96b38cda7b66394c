import type { KafkaRecord } from '../../record.ts';
import { ConfiguredTransform } from '../base.ts';
import { defineConfig, oneOf } from '../config-def.ts';
import { compileGetter, splitDottedPath } from '../paths.ts';
import { connectTypeOf } from '../schema.ts';
import type { RecordSchemas } from '../types.ts';
import { TransformDataError } from '../types.ts';

const definition = defineConfig({
  field: { type: 'string', doc: 'dotted path of the value field that names the topic, e.g. eventType' },
  'topic.format': {
    type: 'string',
    default: '${value}',
    doc: 'topic template; ${topic} is the current topic, ${value} the field value',
  },
  'value.case': {
    type: 'string',
    default: 'unchanged',
    validator: oneOf(['unchanged', 'lower', 'upper']),
    doc: 'case of ${value} in the topic',
  },
  'on.missing': {
    type: 'string',
    default: 'fail',
    validator: oneOf(['fail', 'keep']),
    doc: 'a null or missing field: fail the record, or keep the current topic',
  },
});

const TOPIC_CHARS = /^[A-Za-z0-9._-]+$/;

/** Routes each record by the value of one of its fields, e.g. one topic per SES event type. */
export class ExtractTopic extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;
  private getter: (value: unknown) => unknown = () => null;

  outputSchema(input: RecordSchemas): RecordSchemas {
    const compiled = compileGetter(input.value, splitDottedPath(this.config.field), `${this.prefix}field`);
    const type = connectTypeOf(compiled.schema);
    if (!['string', 'int32', 'int64', 'boolean'].includes(type)) {
      throw this.configError(
        'field',
        `"${this.config.field}" is ${type}; a topic needs a string, integer or boolean`,
      );
    }
    this.getter = compiled.get;
    return input;
  }

  apply(record: KafkaRecord): KafkaRecord {
    const raw = this.getter(record.value);
    if (raw === null || raw === undefined) {
      if (this.config['on.missing'] === 'keep') return record;
      throw new TransformDataError(`ExtractTopic: field "${this.config.field}" is null or missing`);
    }
    let value = String(raw);
    if (this.config['value.case'] === 'lower') value = value.toLowerCase();
    else if (this.config['value.case'] === 'upper') value = value.toUpperCase();
    const topic = this.config['topic.format']
      .replaceAll('${topic}', record.topic)
      .replaceAll('${value}', value);
    if (!TOPIC_CHARS.test(topic) || topic.length > 249) {
      throw new TransformDataError(`ExtractTopic: "${this.config.field}" yields an invalid topic name`);
    }
    return { ...record, topic };
  }
}
