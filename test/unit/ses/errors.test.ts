import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { PipelineError } from '../../../src/errors.ts';
import {
  type ParseOutcome,
  parseAnyInput,
  parseLambdaEvent,
  parseSqsRecord,
} from '../../../src/ses/index.ts';
import { FIXTURE_DIR, fixture, fixtureText, snsLambdaEvent, sqsLambdaEvent, sqsRecord } from './helpers.ts';

type Expected = Record<string, { code: string; message: string }>;

function onlyError(outcomes: ParseOutcome[]): PipelineError {
  assert.equal(outcomes.length, 1);
  const [outcome] = outcomes;
  if (!outcome || outcome.ok) assert.fail('expected a parse error');
  return outcome.error;
}

describe('ses parse: bad input yields typed errors naming the path', () => {
  const expected = JSON.parse(fixtureText('malformed-expected.json')) as Expected;

  it('has an expectation for every malformed fixture', () => {
    assert.deepEqual(readdirSync(`${FIXTURE_DIR}malformed`).sort(), Object.keys(expected).sort());
  });

  for (const [file, { code, message }] of Object.entries(expected)) {
    it(`malformed/${file} -> ${code}`, () => {
      const error = onlyError(parseAnyInput(fixtureText(`malformed/${file}`)));
      assert.ok(error instanceof PipelineError);
      assert.equal(error.stage, 'parse');
      assert.equal(error.retriable, false);
      assert.equal(error.code, code);
      assert.ok(error.message.includes(message), `"${error.message}" should contain "${message}"`);
    });
  }

  it('never echoes values (they may be addresses) in schema errors', () => {
    const error = onlyError(parseAnyInput(fixtureText('malformed/wrong-types.json')));
    assert.doesNotMatch(error.message, /@/);
    assert.doesNotMatch(error.message, /last tuesday/);
  });

  it('redacts addresses quoted by the JSON parser', () => {
    const error = onlyError(parseAnyInput('alice@example.net is not json'));
    assert.equal(error.code, 'SES_NOT_JSON');
    assert.doesNotMatch(error.message, /alice@example\.net/);
  });

  it('names a missing detail object and which type needs it', () => {
    const json = fixture('notification/delivery.json').json;
    delete json.delivery;
    const error = onlyError(parseAnyInput(JSON.stringify(json)));
    assert.equal(error.message, 'delivery: required object missing (notificationType is Delivery)');
  });

  it('reports a missing event type', () => {
    const json = fixture('event-publishing/send.json').json;
    delete json.eventType;
    const error = onlyError(parseAnyInput(JSON.stringify(json)));
    assert.match(error.message, /^eventType: required string missing/);
  });

  it('reports an SNS Message that is not JSON, or missing, with its envelope path', () => {
    const notJson = onlyError(parseLambdaEvent(snsLambdaEvent(['{oops'])));
    assert.equal(notJson.code, 'SES_NOT_JSON');
    assert.match(notJson.message, /^Sns\.Message: not JSON/);
    const event = snsLambdaEvent(['{}']);
    const sns = event.Records[0]?.Sns as unknown as Record<string, unknown>;
    delete sns.Message;
    assert.equal(onlyError(parseLambdaEvent(event)).message, 'Sns.Message: required string missing');
  });

  it('reports an SQS body that is not JSON or not a string', () => {
    assert.match(onlyError([parseSqsRecord(sqsRecord('not json'))]).message, /^body: not JSON/);
    const record = { ...sqsRecord('x'), body: 42 };
    assert.equal(onlyError([parseSqsRecord(record)]).message, 'body: expected string, got number');
  });

  it('reports a Lambda event without Records', () => {
    const error = onlyError(parseLambdaEvent({ detail: {} }));
    assert.equal(error.code, 'SES_UNRECOGNIZED_ENVELOPE');
    assert.match(error.message, /^Records: required array missing/);
  });

  it('keeps the good records of a batch when one is bad', () => {
    const good = fixture('event-publishing/delivery.json').text;
    const bad = fixtureText('malformed/missing-message-id.json');
    for (const event of [snsLambdaEvent([good, bad, good]), sqsLambdaEvent([good, bad, good], true)]) {
      const outcomes = parseLambdaEvent(event);
      assert.deepEqual(
        outcomes.map((o) => o.ok),
        [true, false, true],
      );
      const failed = outcomes[1];
      assert.ok(failed && !failed.ok);
      assert.equal(failed.location, 'Records[1]');
      assert.equal(failed.error.message, 'mail.messageId: required string missing');
      // The dead-letter copy is the record itself, with its SNS/SQS ids.
      assert.deepEqual(JSON.parse(failed.raw), event.Records[1]);
    }
  });

  it('keeps the good lines of NDJSON when one is bad', () => {
    const good = JSON.stringify(fixture('event-publishing/open.json').json);
    const outcomes = parseAnyInput([good, '{not json', good, '42'].join('\n'));
    assert.deepEqual(
      outcomes.map((o) => [o.location, o.ok ? 'ok' : o.error.code]),
      [
        ['line 1', 'ok'],
        ['line 2', 'SES_NOT_JSON'],
        ['line 3', 'ok'],
        ['line 4', 'SES_UNRECOGNIZED_ENVELOPE'],
      ],
    );
  });

  it('yields no outcome for blank input', () => {
    assert.deepEqual(parseAnyInput('  \n\n'), []);
  });
});
