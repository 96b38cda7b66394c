import { SETTINGS } from '../config/settings.ts';
import { PipelineError } from '../errors.ts';
import { redactEmail } from '../observability/logger.ts';

/**
 * Turns an AWS SDK / network failure from DynamoDB into a PipelineError with stage `enrich`.
 * Throttling, network faults and 5xx can succeed later, so they are retriable. A missing table, wrong
 * key names or denied access will fail the same way on every retry: not retriable, and the message says
 * which setting to check.
 */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'ServiceUnavailable',
  'ExpiredTokenException',
  'TransactionInProgressException',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
  cause?: unknown;
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has((error as AwsLikeError | null)?.name ?? '');
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const { code, errors } = current as AwsLikeError & { errors?: unknown[] };
    if (code !== undefined && NETWORK_CODES.has(code)) return code;
    // Node's happy-eyeballs connect reports an AggregateError holding one error per address tried.
    const nested = errors?.map(networkCode).find((found) => found !== undefined);
    if (nested !== undefined) return nested;
    current = (current as AwsLikeError).cause;
  }
  return undefined;
}

export function toEnrichError(error: unknown, context: { table: string; operation: string }): PipelineError {
  if (error instanceof PipelineError) return error;
  const aws = (error ?? {}) as AwsLikeError;
  const name = aws.name ?? 'Error';
  const detail = redactEmail(aws.message ?? String(error));
  const where = `DynamoDB ${context.operation} on table "${context.table}"`;
  const status = aws.$metadata?.httpStatusCode;

  if (THROTTLING.has(name)) {
    return new PipelineError(
      'enrich',
      'METADATA_THROTTLED',
      `${where} was throttled (${name}) after retries`,
      {
        retriable: true,
        cause: error,
      },
    );
  }
  const network = networkCode(error);
  if (network !== undefined || TRANSIENT_NAMES.has(name) || (status !== undefined && status >= 500)) {
    return new PipelineError(
      'enrich',
      'METADATA_STORE_UNAVAILABLE',
      `${where} failed: ${network ?? name}: ${detail}`,
      { retriable: true, cause: error },
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new PipelineError(
      'enrich',
      'METADATA_TABLE_NOT_FOUND',
      `${where}: table or index not found (${detail}); check ${SETTINGS.metadataTable.env}, ${SETTINGS.metadataGsiName.env} and the region`,
      { retriable: false, cause: error },
    );
  }
  if (name === 'ValidationException') {
    return new PipelineError(
      'enrich',
      'METADATA_KEY_MISMATCH',
      `${where} was rejected: ${detail}; check ${SETTINGS.metadataKeyStrategy.env}, ${SETTINGS.metadataPartitionKey.env}, ${SETTINGS.metadataSortKey.env}, ${SETTINGS.metadataGsiName.env} and ${SETTINGS.metadataProjection.env} against the table`,
      { retriable: false, cause: error },
    );
  }
  if (status !== undefined && status >= 400) {
    return new PipelineError(
      'enrich',
      'METADATA_REQUEST_REJECTED',
      `${where} was rejected: ${name}: ${detail}`,
      {
        retriable: false,
        cause: error,
      },
    );
  }
  if (name === 'CredentialsProviderError' || /region is missing/i.test(detail)) {
    return new PipelineError(
      'enrich',
      'METADATA_CLIENT_MISCONFIGURED',
      `${where} could not be signed: ${detail}; set AWS credentials and AWS_REGION for the function`,
      { retriable: false, cause: error },
    );
  }
  // No HTTP response at all: the request never got an answer, which is a transport problem.
  if (status === undefined && aws.$fault === undefined) {
    return new PipelineError('enrich', 'METADATA_STORE_UNAVAILABLE', `${where} failed: ${name}: ${detail}`, {
      retriable: true,
      cause: error,
    });
  }
  return new PipelineError('enrich', 'METADATA_LOOKUP_FAILED', `${where} failed: ${name}: ${detail}`, {
    retriable: aws.$fault === 'server',
    cause: error,
  });
}
