import { PipelineError } from '../errors.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const RETRIABLE_AWS_NAMES = new Set([
  'ThrottlingException',
  'TimeoutError',
  'RequestTimeout',
  'InternalServiceException',
  'ServiceUnavailableException',
  'OperationTimeoutException',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  status?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Walks the cause chain: SDKs wrap the socket error one or two levels down. */
function* causeChain(error: unknown): Generator<ErrorLike> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    yield current as ErrorLike;
    current = (current as ErrorLike).cause;
  }
}

/** True when the registry could not be reached at all (as opposed to answering with an error). */
export function isNetworkError(error: unknown): boolean {
  for (const link of causeChain(error)) {
    if (typeof link.code === 'string' && NETWORK_CODES.has(link.code)) return true;
    if (link.name === 'TimeoutError' || link.name === 'AbortError') return true;
    // fetch() rejects with this TypeError only when no HTTP response arrived.
    if (link.name === 'TypeError' && link.message === 'fetch failed') return true;
    // mappersmith (under @kafkajs/confluent-schema-registry) reports socket errors as a 400 whose text
    // carries the errno, so the message is the only reliable signal there.
    if (
      typeof link.message === 'string' &&
      /\b(ECONN\w+|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|socket hang up)\b/.test(link.message)
    ) {
      return true;
    }
  }
  return false;
}

export function httpStatusOf(error: unknown): number | undefined {
  const link = error as ErrorLike | null;
  if (!link || typeof link !== 'object') return undefined;
  if (typeof link.status === 'number') return link.status;
  const status = link.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function awsErrorName(error: unknown): string | undefined {
  const name = (error as ErrorLike | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

export interface RegistryErrorContext {
  /** Human name, e.g. "Confluent-compatible schema registry" or "AWS Glue Schema Registry". */
  registry: string;
  url: string;
  /** What we were doing, e.g. `looking up subject "orders-value"`. */
  action: string;
}

/**
 * Turns whatever a registry client threw into a PipelineError at stage `registry`. Unreachable,
 * throttled and 5xx are retriable; a 4xx is a real answer and retrying will not change it.
 */
export function toRegistryError(error: unknown, context: RegistryErrorContext): PipelineError {
  if (error instanceof PipelineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = [...causeChain(error)].map((link) => link.code).find((value) => typeof value === 'string');
  const detail = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  if (isNetworkError(error)) {
    return new PipelineError(
      'registry',
      'REGISTRY_UNREACHABLE',
      `${context.registry} at ${context.url} is unreachable while ${context.action}: ${detail}. Check that it is running and the URL/endpoint is right.`,
      { retriable: true, cause: error },
    );
  }
  const name = awsErrorName(error);
  if (name === 'CredentialsProviderError') {
    return new PipelineError(
      'registry',
      'REGISTRY_NO_CREDENTIALS',
      `no AWS credentials for ${context.registry} at ${context.url} while ${context.action}: ${detail}. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the local stack takes testing/testing).`,
      { cause: error },
    );
  }
  const status = httpStatusOf(error);
  const serverSide =
    (status !== undefined && status >= 500) ||
    (name !== undefined && RETRIABLE_AWS_NAMES.has(name)) ||
    (error as ErrorLike | null)?.$fault === 'server';
  return new PipelineError(
    'registry',
    serverSide ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_REJECTED',
    `${context.registry} at ${context.url} failed while ${context.action}: ${detail}`,
    { retriable: serverSide, cause: error },
  );
}
