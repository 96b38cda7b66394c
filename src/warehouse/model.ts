/**
 * The warehouse's logical model, shared by every sink: table and column names with a portable column
 * type. Each SQL dialect (duckdb-ddl.ts, postgres-ddl.ts) maps these types and owns its own DDL, so the
 * two databases cannot drift apart column by column.
 */

/**
 * Portable column types; each dialect maps them to its own SQL types. `json` is queried and indexed
 * (PostgreSQL jsonb); `document` is a whole JSON document kept as written (PostgreSQL json: validated and
 * stored as text, which loads about twice as fast as jsonb for the large raw_value).
 */
export type ColumnType =
  | 'text'
  | 'integer'
  | 'bigint'
  | 'double'
  | 'boolean'
  | 'timestamp'
  | 'date'
  | 'json'
  | 'document';

export const EVENTS_TABLE = 'ses_events';
export const RECIPIENTS_TABLE = 'ses_recipients';
/** Records that could not be decoded, kept with where they came from so they can be replayed or inspected. */
export const DECODE_ERRORS_TABLE = 'ses_decode_errors';

export const EVENT_COLUMNS = {
  event_id: 'text',
  event_type: 'text',
  event_time: 'timestamp',
  /** UTC calendar day of event_time, computed once so every dialect groups days the same way. */
  event_day: 'date',
  format: 'text',
  message_id: 'text',
  mail_timestamp: 'timestamp',
  /** UTC day the email was sent: the rate views count each outcome against its send day's volume. */
  mail_day: 'date',
  source_address: 'text',
  sending_account_id: 'text',
  subject: 'text',
  destination_count: 'integer',
  tags: 'json',
  metadata_status: 'text',
  metadata_source: 'text',
  metadata_reason: 'text',
  metadata_attributes: 'json',
  campaign: 'text',
  bounce_type: 'text',
  bounce_sub_type: 'text',
  complaint_feedback_type: 'text',
  complaint_sub_type: 'text',
  delay_type: 'text',
  reject_reason: 'text',
  click_link: 'text',
  user_agent: 'text',
  processing_time_millis: 'bigint',
  smtp_response: 'text',
  envelope: 'text',
  processed_at: 'timestamp',
  producer_version: 'text',
  kafka_topic: 'text',
  kafka_partition: 'integer',
  kafka_offset: 'bigint',
  wire_format: 'text',
  schema_id: 'text',
  ingested_at: 'timestamp',
  /** Top-level SES fields the schema does not name yet (the schema's unknownFieldsJson, parsed). */
  unknown_fields: 'json',
  raw_value: 'document',
} as const satisfies Record<string, ColumnType>;

export const RECIPIENT_COLUMNS = {
  event_id: 'text',
  recipient: 'text',
  recipient_domain: 'text',
  /** sent, delivered, bounced, complained or delayed: what happened to this recipient in this event. */
  role: 'text',
  /** `detail` when SES named the recipient in the event detail, `destination` when taken from mail.destination. */
  recipient_source: 'text',
  status: 'text',
  action: 'text',
  diagnostic_code: 'text',
} as const satisfies Record<string, ColumnType>;

export const DECODE_ERROR_COLUMNS = {
  kafka_topic: 'text',
  kafka_partition: 'integer',
  kafka_offset: 'bigint',
  message_key: 'text',
  error_code: 'text',
  error_message: 'text',
  value_size: 'integer',
  value_base64: 'text',
  recorded_at: 'timestamp',
} as const satisfies Record<string, ColumnType>;

export type EventColumn = keyof typeof EVENT_COLUMNS;
export type RecipientColumn = keyof typeof RECIPIENT_COLUMNS;
export type DecodeErrorColumn = keyof typeof DECODE_ERROR_COLUMNS;

/**
 * Cell values as sinks receive them: timestamps as ISO-8601 text, dates as YYYY-MM-DD, and a JSON
 * column's value as the JSON value itself (object, array, string...), not as text: each sink serialises
 * it once, in its own batch format, instead of every row carrying JSON text that is escaped again.
 */
export type Cell = string | number | boolean | null | object;

/** The fixed columns, plus any columns schema evolution added (see evolution.ts). */
export type EventRow = Record<EventColumn, Cell> & Record<string, Cell>;
export type RecipientRow = Record<RecipientColumn, Cell>;
export type DecodeErrorRow = Record<DecodeErrorColumn, Cell>;

export interface TableModel<C extends string> {
  name: string;
  columns: Readonly<Record<C, ColumnType>>;
  primaryKey: readonly C[];
}

export const EVENTS: TableModel<EventColumn> = {
  name: EVENTS_TABLE,
  columns: EVENT_COLUMNS,
  primaryKey: ['event_id'],
};
export const RECIPIENTS: TableModel<RecipientColumn> = {
  name: RECIPIENTS_TABLE,
  columns: RECIPIENT_COLUMNS,
  primaryKey: ['event_id', 'recipient'],
};
export const DECODE_ERRORS: TableModel<DecodeErrorColumn> = {
  name: DECODE_ERRORS_TABLE,
  columns: DECODE_ERROR_COLUMNS,
  primaryKey: ['kafka_topic', 'kafka_partition', 'kafka_offset'],
};

export const RATE_VIEWS = {
  byDay: 'ses_rates_by_day',
  bySender: 'ses_rates_by_sender',
  byCampaign: 'ses_rates_by_campaign',
} as const;
export const EVENT_MIX_VIEW = 'ses_event_mix_by_day';
export const RECIPIENT_OUTCOMES_VIEW = 'ses_recipient_outcomes';

/** One decoded event ready to load: its row and its recipients' rows. */
export interface WarehouseEvent {
  event: EventRow;
  recipients: RecipientRow[];
}

/**
 * A column for a top-level field that a newer writer schema added and the fixed model does not map
 * (see evolution.ts): sinks add it to their tables and files when it first appears.
 */
export interface ExtraColumn {
  /** The Avro field name. */
  field: string;
  /** The column name: the field name in snake_case. */
  name: string;
  type: ColumnType;
}

/** One Kafka record after decoding: it became an event, or a decode-error row. */
export type SliceRecord = { offset: string; valueBytes: number } & (
  | { event: WarehouseEvent; decodeError?: undefined }
  | { decodeError: DecodeErrorRow; event?: undefined }
);

/** Consecutive records of one partition, in offset order. */
export interface PartitionSlice {
  topic: string;
  partition: number;
  records: SliceRecord[];
}

/**
 * What one sink write carries. A sink makes it durable (or buffers it, for files that roll) before the
 * consumer commits the offsets the sink reports back.
 */
export interface SinkBatch {
  slices: PartitionSlice[];
  /** Every extra column a row of this batch fills. */
  extraColumns: readonly ExtraColumn[];
}

export function eventsOf(batch: SinkBatch): WarehouseEvent[] {
  const events: WarehouseEvent[] = [];
  for (const slice of batch.slices)
    for (const record of slice.records) if (record.event) events.push(record.event);
  return events;
}

export function decodeErrorsOf(batch: SinkBatch): DecodeErrorRow[] {
  const errors: DecodeErrorRow[] = [];
  for (const slice of batch.slices)
    for (const record of slice.records) if (record.decodeError) errors.push(record.decodeError);
  return errors;
}

export function columnNames<C extends string>(table: TableModel<C>): C[] {
  return Object.keys(table.columns) as C[];
}
