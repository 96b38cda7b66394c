// The Kafka side of the pipeline: settings, the producer port and its kafkajs adapter, auth, dead letters.

export { type ClientAuth, type ClientSettings, kafkaClientConfig, type TokenSource } from './client.ts';
export {
  KAFKA_AUTH_MODES,
  type KafkaAuth,
  type KafkaAuthMode,
  type KafkaSettings,
  loadKafkaSettings,
} from './config.ts';
export {
  buildDeadLetter,
  type DeadLetterAction,
  type DeadLetterInput,
  DLQ_HEADERS,
  deadLetterAction,
  shouldDeadLetter,
} from './dlq.ts';
export { PRODUCE_ERROR_CODES, toProduceError } from './errors.ts';
export { EVENT_HEADERS, eventHeaders } from './headers.ts';
export { installShutdownHook } from './lifecycle.ts';
export { mskIamTokenCache, signMskIamToken } from './msk-iam.ts';
export {
  ACKS_ALL,
  closeAllProducers,
  KafkajsProducer,
  type OutgoingRecord,
  PRODUCER_CONFIG,
  type ProducerPort,
  type SendResult,
} from './producer.ts';
export { Secret } from './secret.ts';
export { type BearerToken, RefreshingTokenCache } from './token-cache.ts';
