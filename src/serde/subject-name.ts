import { ConfigError } from '../errors.ts';

/** The three Confluent subject name strategies, under their Confluent class names' short forms. */
export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';

export const SUBJECT_NAME_STRATEGIES: readonly SubjectNameStrategy[] = [
  'TopicNameStrategy',
  'RecordNameStrategy',
  'TopicRecordNameStrategy',
];

/** Accepts the short name or the full Confluent class name, as Connect configs use either. */
export function parseSubjectNameStrategy(
  raw: string,
  key = 'value.subject.name.strategy',
): SubjectNameStrategy {
  const short = raw.slice(raw.lastIndexOf('.') + 1);
  const found = SUBJECT_NAME_STRATEGIES.find((name) => name === short);
  if (!found) {
    throw new ConfigError(
      key,
      `unknown subject name strategy "${raw}"; use one of ${SUBJECT_NAME_STRATEGIES.join(', ')}`,
    );
  }
  return found;
}

export interface SubjectNameInput {
  strategy: SubjectNameStrategy;
  topic: string | undefined;
  recordFullName: string | undefined;
  /** Value subjects end in `-value`; key subjects in `-key`. Only TopicNameStrategy uses it. */
  isKey?: boolean;
}

export function subjectName({ strategy, topic, recordFullName, isKey = false }: SubjectNameInput): string {
  const needTopic = (): string => {
    if (!topic) {
      throw new ConfigError('topic', `${strategy} needs the Kafka topic to name the subject; pass the topic`);
    }
    return topic;
  };
  const needRecord = (): string => {
    if (!recordFullName) {
      throw new ConfigError('schema', `${strategy} needs a named record schema (a "name" at the top level)`);
    }
    return recordFullName;
  };
  switch (strategy) {
    case 'TopicNameStrategy':
      return `${needTopic()}-${isKey ? 'key' : 'value'}`;
    case 'RecordNameStrategy':
      return needRecord();
    case 'TopicRecordNameStrategy':
      return `${needTopic()}-${needRecord()}`;
  }
}
