/**
 * Decoded record value -> warehouse rows. The value may have passed through a transform chain that
 * renamed, flattened, hashed, cast or dropped fields, so every field is looked up by name, tolerantly:
 * a missing or mistyped field becomes NULL instead of failing the record. Only `eventId` is required,
 * because rows are upserted on it.
 */
import { jsonSafe, type SchemaExtras } from './evolution.ts';
import type { Cell, DecodeErrorRow, EventRow, RecipientRow, WarehouseEvent } from './model.ts';

/** Where a record came from on Kafka and how it was framed. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: string;
  wireFormat?: string;
  schemaId?: string;
}

export interface RowMappingOptions {
  /**
   * Metadata attribute names that hold the campaign, tried in order (case-insensitive), then the SES
   * message tag of the same name. Attribute names differ between teams, hence configurable.
   */
  campaignKeys?: readonly string[];
  /** Clock for ingested_at; injectable for tests. */
  now?: () => Date;
  /** ingested_at for every row of a batch, so the clock is read once per batch rather than per row. */
  ingestedAt?: string;
  /**
   * What the schema of the value brings (evolution.ts): extra columns to fill, and whether it holds
   * bytes that need converting before JSON. Without it, values are converted defensively.
   */
  schema?: SchemaExtras;
}

export const DEFAULT_CAMPAIGN_KEYS = ['campaign', 'campaignId', 'campaign_id', 'campaignName'] as const;

export type MappingResult = { ok: true; row: WarehouseEvent } | { ok: false; code: string; message: string };

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * The value at `path`, nested (`mail.messageId`) or flattened by a Flatten transform (`mail_messageId`,
 * `mail.messageId` as one name). The flattened names are tried only when the top-level field is absent:
 * Flatten replaces the record, so a present (even null) `bounce` means nothing under it was flattened.
 */
export function lookup(value: unknown, ...path: string[]): unknown {
  if (!isObject(value)) return undefined;
  const head = path[0] as string;
  if (head in value || path.length < 2) {
    let current: unknown = value[head];
    for (let index = 1; index < path.length; index += 1) {
      if (!isObject(current)) return undefined;
      current = current[path[index] as string];
    }
    return current;
  }
  for (const delimiter of ['_', '.']) {
    const flat = path.join(delimiter);
    if (flat in value) return value[flat];
  }
  return undefined;
}

/**
 * `lookup` for the one- and two-level paths the mapping reads per record, without the rest-parameter
 * array: the mapping reads about forty fields per event, so this is on the consumer's hot path.
 */
function at(value: Obj, key: string, inner?: string): unknown {
  // A plain property read (avsc's records have fixed shapes): `in` walks the prototype chain and showed
  // in the profile. Decoded Avro never holds undefined, so undefined means the field is absent.
  const found = value[key];
  if (found !== undefined) {
    if (inner === undefined) return found;
    return isObject(found) ? found[inner] : undefined;
  }
  if (inner === undefined) return undefined;
  const underscored = `${key}_${inner}`;
  if (underscored in value) return value[underscored];
  const dotted = `${key}.${inner}`;
  return dotted in value ? value[dotted] : undefined;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return null;
}

function integer(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  return null;
}

const DAY_MS = 86_400_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * The same text as `new Date(millis).toISOString()` for years 0000-9999, computed with integer
 * arithmetic (days to civil date, as in Howard Hinnant's date algorithms): the profile of the consumer
 * showed Date construction and formatting as its single largest cost, three timestamps per event.
 */
export function isoFromMillis(millis: number): string {
  const days = Math.floor(millis / DAY_MS);
  const msOfDay = millis - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(millis).toISOString();
  const hours = Math.floor(msOfDay / 3_600_000);
  const minutes = Math.floor((msOfDay % 3_600_000) / 60_000);
  const seconds = Math.floor((msOfDay % 60_000) / 1000);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(msOfDay % 1000, 3)}Z`;
}

/** The largest time a Date holds (±100,000,000 days around 1970). */
const MAX_DATE_MS = 8.64e15;

/** Epoch millis (the base schema), a Date, or text a TimestampConverter produced -> ISO-8601 UTC. */
export function toIsoTimestamp(value: unknown): string | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && Math.abs(value) <= MAX_DATE_MS ? isoFromMillis(Math.trunc(value)) : null;
  }
  let millis: number | undefined;
  if (value instanceof Date) millis = value.getTime();
  else if (typeof value === 'bigint') millis = Number(value);
  else if (typeof value === 'string') {
    const trimmed = value.trim();
    millis = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  }
  if (millis === undefined || !Number.isFinite(millis)) return null;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** JSON text that survives Avro's bytes (Buffer) and long-as-bigint values. */
export function toJson(value: unknown): string {
  return JSON.stringify(jsonSafe(value));
}

function jsonOrNull(value: unknown, convert: boolean): Cell {
  if (value === undefined || value === null) return null;
  return (convert ? jsonSafe(value) : value) as Cell;
}

function domainOf(address: string | null): string | null {
  if (address === null) return null;
  const bare = /<([^>]*)>/.exec(address)?.[1] ?? address;
  const at = bare.lastIndexOf('@');
  if (at < 0 || at === bare.length - 1) return null;
  return bare
    .slice(at + 1)
    .trim()
    .toLowerCase();
}

function subjectOf(value: Obj): string | null {
  const common = text(lookup(value, 'mail', 'commonHeaders', 'subject'));
  if (common !== null) return common;
  const headers = at(value, 'mail', 'headers');
  if (!Array.isArray(headers)) return null;
  const header = headers.find(
    (item) => isObject(item) && typeof item.name === 'string' && item.name.toLowerCase() === 'subject',
  ) as Obj | undefined;
  return header ? text(header.value) : null;
}

function campaignOf(value: Obj, lowerKeys: readonly string[]): string | null {
  const sources = [at(value, 'metadata', 'attributes'), at(value, 'mail', 'tags')];
  for (const source of sources) {
    if (!isObject(source)) continue;
    let best: string | null = null;
    let bestRank = lowerKeys.length;
    for (const name of Object.keys(source)) {
      const rank = lowerKeys.indexOf(name.toLowerCase());
      if (rank < 0 || rank >= bestRank) continue;
      const found = source[name];
      const campaign = text(Array.isArray(found) ? found[0] : found);
      if (campaign !== null && campaign !== '') {
        best = campaign;
        bestRank = rank;
      }
    }
    if (best !== null) return best;
  }
  return null;
}

const lowerKeysCache = new WeakMap<readonly string[], readonly string[]>();
function lowerCased(keys: readonly string[]): readonly string[] {
  let lower = lowerKeysCache.get(keys);
  if (lower === undefined) {
    lower = keys.map((key) => key.toLowerCase());
    lowerKeysCache.set(keys, lower);
  }
  return lower;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text).filter((item): item is string => item !== null) : [];
}

interface RecipientDetail {
  address: string;
  status?: unknown;
  action?: unknown;
  diagnosticCode?: unknown;
}

function detailed(list: unknown): RecipientDetail[] {
  if (!Array.isArray(list)) return [];
  const out: RecipientDetail[] = [];
  for (const item of list) {
    const address = isObject(item) ? text(item.emailAddress) : text(item);
    if (address === null) continue;
    out.push(
      isObject(item)
        ? { address, status: item.status, action: item.action, diagnosticCode: item.diagnosticCode }
        : { address },
    );
  }
  return out;
}

function recipientsOf(value: Obj, eventId: string, eventType: string | null): RecipientRow[] {
  const destination = strings(at(value, 'mail', 'destination')).map((address) => ({ address }));
  let role: string | undefined;
  let list: RecipientDetail[] = [];
  let source = 'detail';
  if (isObject(at(value, 'bounce'))) {
    role = 'bounced';
    list = detailed(at(value, 'bounce', 'bouncedRecipients'));
  } else if (isObject(at(value, 'complaint'))) {
    role = 'complained';
    list = detailed(at(value, 'complaint', 'complainedRecipients'));
  } else if (isObject(at(value, 'deliveryDelay'))) {
    role = 'delayed';
    list = detailed(at(value, 'deliveryDelay', 'delayedRecipients'));
  } else if (isObject(at(value, 'delivery')) || eventType === 'Delivery') {
    role = 'delivered';
    list = detailed(at(value, 'delivery', 'recipients'));
    if (list.length === 0) {
      list = destination;
      source = 'destination';
    }
  } else if (eventType === 'Send') {
    role = 'sent';
    list = destination;
    source = 'destination';
  }
  if (role === undefined) return [];
  const rows = new Map<string, RecipientRow>();
  for (const recipient of list) {
    rows.set(recipient.address, {
      event_id: eventId,
      recipient: recipient.address,
      recipient_domain: domainOf(recipient.address),
      role,
      recipient_source: source,
      status: text(recipient.status),
      action: text(recipient.action),
      diagnostic_code: text(recipient.diagnosticCode),
    });
  }
  return [...rows.values()];
}

/** The producer keeps SES fields its schema does not name as one JSON object in text; parsed here. */
function unknownFields(value: unknown): Cell {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed === null ? null : (parsed as Cell);
  } catch {
    // Not JSON after all: kept as a JSON string rather than lost.
    return value;
  }
}

function utcDay(iso: string | null): string | null {
  return iso === null ? null : iso.slice(0, 10);
}

/** Maps one decoded record value to its event row and recipient rows. */
export function toWarehouseEvent(
  value: unknown,
  origin: RecordOrigin,
  options: RowMappingOptions = {},
): MappingResult {
  if (!isObject(value)) {
    return { ok: false, code: 'WAREHOUSE_NOT_A_RECORD', message: 'decoded value is not an Avro record' };
  }
  const eventId = text(at(value, 'eventId'));
  if (eventId === null || eventId === '') {
    return {
      ok: false,
      code: 'WAREHOUSE_MISSING_EVENT_ID',
      message:
        'decoded record has no eventId field, so it cannot be upserted; keep eventId in the transform chain (ReplaceField exclude/include)',
    };
  }
  // Without the schema, the value may hold Buffers (Avro bytes) that JSON would render as byte arrays.
  const convert = options.schema?.hasBinary ?? true;
  const eventType = text(at(value, 'eventType'));
  const eventTime = toIsoTimestamp(at(value, 'eventTime'));
  const sourceAddress = text(at(value, 'mail', 'sourceAddress')) ?? text(at(value, 'mail', 'source'));
  const destination = at(value, 'mail', 'destination');
  const mailTimestamp = toIsoTimestamp(at(value, 'mail', 'timestamp'));
  const event: EventRow = {
    event_id: eventId,
    event_type: eventType,
    event_time: eventTime,
    event_day: utcDay(eventTime),
    format: text(at(value, 'format')),
    message_id: text(at(value, 'mail', 'messageId')),
    mail_timestamp: mailTimestamp,
    mail_day: utcDay(mailTimestamp),
    source_address: sourceAddress,
    sending_account_id: text(at(value, 'mail', 'sendingAccountId')),
    subject: subjectOf(value),
    destination_count: Array.isArray(destination) ? destination.length : null,
    tags: jsonOrNull(at(value, 'mail', 'tags'), convert),
    metadata_status: text(at(value, 'metadata', 'status')),
    metadata_source: text(at(value, 'metadata', 'source')),
    metadata_reason: text(at(value, 'metadata', 'reason')),
    metadata_attributes: jsonOrNull(at(value, 'metadata', 'attributes'), convert),
    campaign: campaignOf(value, lowerCased(options.campaignKeys ?? DEFAULT_CAMPAIGN_KEYS)),
    bounce_type: text(at(value, 'bounce', 'bounceType')),
    bounce_sub_type: text(at(value, 'bounce', 'bounceSubType')),
    complaint_feedback_type: text(at(value, 'complaint', 'complaintFeedbackType')),
    complaint_sub_type: text(at(value, 'complaint', 'complaintSubType')),
    delay_type: text(at(value, 'deliveryDelay', 'delayType')),
    reject_reason: text(at(value, 'reject', 'reason')),
    click_link: text(at(value, 'click', 'link')),
    user_agent: text(at(value, 'open', 'userAgent')) ?? text(at(value, 'click', 'userAgent')),
    processing_time_millis: integer(at(value, 'delivery', 'processingTimeMillis')),
    smtp_response: text(at(value, 'delivery', 'smtpResponse')),
    envelope: text(at(value, 'source', 'envelope')),
    processed_at: toIsoTimestamp(at(value, 'source', 'processedAt')),
    producer_version: text(at(value, 'source', 'producerVersion')),
    kafka_topic: origin.topic,
    kafka_partition: origin.partition,
    kafka_offset: origin.offset,
    wire_format: origin.wireFormat ?? null,
    schema_id: origin.schemaId ?? null,
    ingested_at: options.ingestedAt ?? (options.now?.() ?? new Date()).toISOString(),
    unknown_fields: unknownFields(at(value, 'unknownFieldsJson')),
    raw_value: convert ? (jsonSafe(value) as Cell) : value,
  };
  for (const extra of options.schema?.fields ?? []) event[extra.column.name] = extra.read(value);
  return { ok: true, row: { event, recipients: recipientsOf(value, eventId, eventType) } };
}

/** The row kept for a record that could not be decoded or mapped. */
export function decodeErrorRow(
  origin: RecordOrigin,
  record: { key?: Buffer | null; value: Buffer | null },
  error: { code: string; message: string },
  now: Date = new Date(),
): DecodeErrorRow {
  return {
    kafka_topic: origin.topic,
    kafka_partition: origin.partition,
    kafka_offset: origin.offset,
    message_key: record.key == null ? null : record.key.toString('utf8'),
    error_code: error.code,
    error_message: error.message,
    value_size: record.value === null ? null : record.value.length,
    value_base64: record.value === null ? null : record.value.toString('base64'),
    recorded_at: now.toISOString(),
  };
}
