import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors.ts';
import { parseSubjectNameStrategy, subjectName } from '../../../src/serde/subject-name.ts';

describe('subject name strategies', () => {
  const record = 'com.example.ses.SesEmailEvent';

  it('TopicNameStrategy is <topic>-value (and -key for keys)', () => {
    assert.equal(
      subjectName({ strategy: 'TopicNameStrategy', topic: 'ses-events', recordFullName: record }),
      'ses-events-value',
    );
    assert.equal(
      subjectName({
        strategy: 'TopicNameStrategy',
        topic: 'ses-events',
        recordFullName: record,
        isKey: true,
      }),
      'ses-events-key',
    );
  });

  it('RecordNameStrategy is the record full name; TopicRecordNameStrategy is <topic>-<full name>', () => {
    assert.equal(
      subjectName({ strategy: 'RecordNameStrategy', topic: 'ignored', recordFullName: record }),
      record,
    );
    assert.equal(
      subjectName({ strategy: 'TopicRecordNameStrategy', topic: 'ses-events', recordFullName: record }),
      `ses-events-${record}`,
    );
  });

  it('says what is missing instead of inventing a subject', () => {
    assert.throws(
      () => subjectName({ strategy: 'TopicNameStrategy', topic: undefined, recordFullName: record }),
      (error: unknown) => error instanceof ConfigError && error.key === 'topic',
    );
    assert.throws(
      () => subjectName({ strategy: 'RecordNameStrategy', topic: 't', recordFullName: undefined }),
      /named record schema/,
    );
  });

  it('parses short names and full Confluent class names, rejects others naming the key', () => {
    assert.equal(
      parseSubjectNameStrategy('io.confluent.kafka.serializers.subject.TopicRecordNameStrategy'),
      'TopicRecordNameStrategy',
    );
    assert.equal(parseSubjectNameStrategy('RecordNameStrategy'), 'RecordNameStrategy');
    assert.throws(
      () => parseSubjectNameStrategy('SubjectStrategy', '--subject-strategy'),
      /--subject-strategy: unknown/,
    );
  });
});
