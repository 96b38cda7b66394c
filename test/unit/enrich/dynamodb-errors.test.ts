import assert from 'node:assert/strict';
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { toEnrichError } from '../../../src/enrich/dynamodb-errors.ts';

const context = { table: 'ses_my_poc', operation: 'Query' };

function awsError(name: string, status: number | undefined, message = 'x'): Error {
  return Object.assign(new Error(message), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
  });
}

describe('toEnrichError', () => {
  for (const name of [
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
  ]) {
    it(`${name} is retriable throttling`, () => {
      const error = toEnrichError(awsError(name, 400), context);
      assert.equal(error.code, 'METADATA_THROTTLED');
      assert.equal(error.retriable, true);
      assert.equal(error.stage, 'enrich');
    });
  }

  it('a refused connection (nested in an AggregateError) is retriable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = toEnrichError(new AggregateError([refused], 'connect failed'), context);
    assert.equal(error.code, 'METADATA_STORE_UNAVAILABLE');
    assert.equal(error.retriable, true);
  });

  it('a 5xx answer is retriable', () => {
    assert.equal(toEnrichError(awsError('InternalServerError', 500), context).retriable, true);
    assert.equal(toEnrichError(awsError('Whatever', 503), context).retriable, true);
  });

  it('a missing table is not retriable and names the setting to check', () => {
    const error = toEnrichError(
      new ResourceNotFoundException({
        message: 'Requested resource not found',
        $metadata: { httpStatusCode: 400 },
      }),
      context,
    );
    assert.equal(error.code, 'METADATA_TABLE_NOT_FOUND');
    assert.equal(error.retriable, false);
    assert.match(error.message, /SES_KAFKA_METADATA_TABLE/);
    assert.match(error.message, /ses_my_poc/);
  });

  it('a key schema mismatch is not retriable and points at the key settings', () => {
    const error = toEnrichError(
      awsError('ValidationException', 400, 'The provided key element does not match'),
      context,
    );
    assert.equal(error.code, 'METADATA_KEY_MISMATCH');
    assert.equal(error.retriable, false);
    assert.match(error.message, /SES_KAFKA_METADATA_PARTITION_KEY/);
  });

  it('access denied is not retriable; a missing region is a misconfiguration', () => {
    assert.equal(toEnrichError(awsError('AccessDeniedException', 400), context).retriable, false);
    const region = toEnrichError(new Error('Region is missing'), context);
    assert.equal(region.code, 'METADATA_CLIENT_MISCONFIGURED');
    assert.equal(region.retriable, false);
  });

  it('never copies an email address from the SDK message into the error', () => {
    const error = toEnrichError(awsError('ValidationException', 400, 'bad key sender@example.com'), context);
    assert.doesNotMatch(error.message, /sender@example\.com/);
  });
});
