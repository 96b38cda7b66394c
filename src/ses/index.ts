/** SES payload parsing and the base record value: the public surface of src/ses/. */
export { bareAddress } from './address.ts';
export {
  type AvroRecordSchema,
  BASE_SCHEMA_DIR,
  BASE_SCHEMA_VERSIONS,
  type BaseSchemaVersion,
  baseSchemaPath,
  baseSchemaType,
  LATEST_BASE_SCHEMA_VERSION,
  loadBaseSchema,
} from './base-schema.ts';
export { type RecordSource, recordSource, toEnrichedValue } from './enriched-value.ts';
export { eventIdFor, recipientsOf } from './event-id.ts';
export {
  EMAIL_DETAIL_TYPES,
  EVENT_TYPE_BY_DETAIL_TYPE,
  type EventBridgeInfo,
  SERVICE_DETAIL_TYPES,
  SES_EVENTBRIDGE_SOURCE,
  type ServiceEvent,
} from './eventbridge.ts';
export type {
  SesBounce,
  SesClick,
  SesComplaint,
  SesDelivery,
  SesDeliveryDelay,
  SesEvent,
  SesEventFormat,
  SesMail,
  SesOpen,
  SesReject,
  SesRenderingFailure,
  SesSend,
  SesSubscription,
} from './model.ts';
export {
  type EnvelopeInfo,
  type EnvelopeKind,
  type ParseOutcome,
  parseAnyInput,
  parseEventBridgeEvent,
  parseJsonValue,
  parseLambdaEvent,
  parseSnsNotification,
  parseSnsRecord,
  parseSqsRecord,
  SERVICE_EVENT_CODE,
} from './parse.ts';
export { parseSesMessage } from './ses-message.ts';
