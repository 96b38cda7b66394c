import { PipelineError } from '../errors.ts';

/** Codes of produce failures; `shouldDeadLetter` keys off them. */
export const PRODUCE_ERROR_CODES = {
  /** Broker unreachable, leader moving, request timed out: another attempt will likely work. */
  unavailable: 'KAFKA_UNAVAILABLE',
  /** The caller's deadline ran out before the broker acknowledged. */
  deadlineExceeded: 'KAFKA_DEADLINE_EXCEEDED',
  /** Wrong credentials or mechanism: nothing succeeds until an operator fixes the configuration. */
  authenticationFailed: 'KAFKA_AUTHENTICATION_FAILED',
  /** Authenticated, but the ACLs / IAM policy do not allow writing the topic. */
  notAuthorized: 'KAFKA_NOT_AUTHORIZED',
  /** The broker refused this record itself (too large, invalid): it will never be accepted. */
  recordRejected: 'KAFKA_RECORD_REJECTED',
  /**
   * The topic does not exist. The producer never creates topics (MSK runs with auto-creation off, and a
   * typo must not create one); someone has to create it, so waiting does not help.
   */
  topicNotFound: 'KAFKA_TOPIC_NOT_FOUND',
  /** Idempotence bookkeeping went wrong; a new producer (new producer id) clears it. */
  producerFenced: 'KAFKA_PRODUCER_STATE',
  other: 'KAFKA_PRODUCE_FAILED',
} as const;

const RECORD_REJECTED_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'CORRUPT_MESSAGE',
]);
const NOT_AUTHORIZED_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
// kafkajs calls these fatal for the producer that hit them; we replace that producer, so a retry works.
const PRODUCER_STATE_TYPES = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
]);
const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
]);
// Generic wrappers kafkajs puts around the error that actually happened.
const WRAPPER_NAMES = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);

interface KafkajsLikeError {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
}

function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth++) {
    const candidate = current as KafkajsLikeError | null;
    if (candidate === null || typeof candidate !== 'object') return current;
    if (!WRAPPER_NAMES.has(candidate.name ?? '') || candidate.cause === undefined) return current;
    if (candidate.cause === current) return current;
    current = candidate.cause;
  }
  return current;
}

type Classification = { code: string; retriable: boolean };

/**
 * What a broker error code (its name in the Kafka protocol, e.g. `MESSAGE_TOO_LARGE`) means for the
 * pipeline; undefined for codes that say nothing beyond "retriable or not". Both client adapters
 * report broker errors by these names.
 */
export function classifyBrokerError(type: string): Classification | undefined {
  if (type === 'SASL_AUTHENTICATION_FAILED')
    return { code: PRODUCE_ERROR_CODES.authenticationFailed, retriable: false };
  if (NOT_AUTHORIZED_TYPES.has(type)) return { code: PRODUCE_ERROR_CODES.notAuthorized, retriable: false };
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION')
    return { code: PRODUCE_ERROR_CODES.topicNotFound, retriable: false };
  if (RECORD_REJECTED_TYPES.has(type)) return { code: PRODUCE_ERROR_CODES.recordRejected, retriable: false };
  if (PRODUCER_STATE_TYPES.has(type)) return { code: PRODUCE_ERROR_CODES.producerFenced, retriable: true };
  return undefined;
}

function classify(error: KafkajsLikeError): Classification {
  const type = error.type ?? '';
  if (error.name === 'KafkaJSSASLAuthenticationError') {
    return { code: PRODUCE_ERROR_CODES.authenticationFailed, retriable: false };
  }
  const broker = classifyBrokerError(type);
  if (broker !== undefined) return broker;
  if (UNAVAILABLE_NAMES.has(error.name ?? ''))
    return { code: PRODUCE_ERROR_CODES.unavailable, retriable: true };
  if (typeof error.retriable === 'boolean' && (error.name ?? '').startsWith('KafkaJS')) {
    return {
      code: error.retriable ? PRODUCE_ERROR_CODES.unavailable : PRODUCE_ERROR_CODES.other,
      retriable: error.retriable,
    };
  }
  return { code: PRODUCE_ERROR_CODES.other, retriable: false };
}

/**
 * The PipelineError for a classified produce failure, with the fix spelled out where there is one.
 * `label` names what the client reported (a broker error code or an error class).
 */
export function produceError(
  classification: Classification,
  failure: { label: string; detail: string; cause: unknown },
  context: { topic?: string } = {},
): PipelineError {
  const { code, retriable } = classification;
  if (code === PRODUCE_ERROR_CODES.topicNotFound && context.topic !== undefined) {
    return new PipelineError(
      'produce',
      code,
      `topic "${context.topic}" does not exist on the brokers, and the producer does not create topics; create it with \`ses-kafka topics create --topic <events topic>\` (it creates the events and DLQ topics), then send the inputs again`,
      { retriable, cause: failure.cause },
    );
  }
  return new PipelineError('produce', code, `Kafka produce failed (${failure.label}): ${failure.detail}`, {
    retriable,
    cause: failure.cause,
  });
}

/**
 * Turns whatever the Kafka client threw into a PipelineError of stage `produce`. The retriable flag is
 * about the whole pipeline, not one kafkajs producer: kafkajs gives up after its retry budget and calls
 * that non-retriable, but an unreachable broker is still worth another invocation.
 */
export function toProduceError(error: unknown, context: { topic?: string } = {}): PipelineError {
  if (error instanceof PipelineError) return error;
  const cause = innermost(error) as KafkajsLikeError;
  return produceError(
    classify(cause ?? {}),
    { label: cause?.type ?? cause?.name ?? 'Error', detail: cause?.message ?? String(error), cause: error },
    context,
  );
}

export function deadlineExceeded(timeoutMs: number): PipelineError {
  return new PipelineError(
    'produce',
    PRODUCE_ERROR_CODES.deadlineExceeded,
    `Kafka did not acknowledge within ${timeoutMs} ms; the record may or may not be written, send it again`,
    { retriable: true },
  );
}
