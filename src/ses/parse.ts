/**
 * Every way an SES event reaches us, down to the canonical SesEvent: a Lambda SNS event, a Lambda SQS
 * event (body = SNS notification, the SES JSON itself with raw message delivery, or an EventBridge
 * event), an EventBridge event (a rule invoking the function, or an archive replay), an SNS HTTP
 * notification body, a bare SES event, an array or NDJSON of any of those. Wherever SES JSON is expected,
 * an EventBridge event around it is accepted too (a rule can also target an SNS topic).
 *
 * Nothing here throws for bad input: each input record yields its own ParseOutcome, so one bad record
 * never costs the others.
 */
import { describeError, PipelineError } from '../errors.ts';
import { redactEmail } from '../observability/logger.ts';
import {
  type EventBridgeInfo,
  isEventBridgeShape,
  type ServiceEvent,
  unwrapEventBridge,
} from './eventbridge.ts';
import { describeType } from './issues.ts';
import type { SesEvent } from './model.ts';
import { invalidSes, parseSesMessage } from './ses-message.ts';

/**
 * The door an event came through. `eventbridge`: an EventBridge rule invoking the function, or an
 * EventBridge event read from a file; `sqs-eventbridge`: a rule delivering to an SQS queue.
 */
export type EnvelopeKind =
  | 'sns-lambda'
  | 'sqs-sns'
  | 'sqs-raw'
  | 'sns-http'
  | 'bare'
  | 'eventbridge'
  | 'sqs-eventbridge';

/** Code of the outcome for an SES service event (not about an email): filtered, never dead-lettered. */
export const SERVICE_EVENT_CODE = 'SES_SERVICE_EVENT';

/** Where the event came from; written into the record's `source` block. */
export interface EnvelopeInfo extends EventBridgeInfo {
  kind: EnvelopeKind;
  snsMessageId?: string;
  topicArn?: string;
  /** The SNS publish time, ISO-8601. */
  snsTimestamp?: string;
  sqsMessageId?: string;
}

interface OutcomeBase {
  /**
   * The input record as received (JSON text), for a dead-letter queue: parseAnyInput accepts it back,
   * whatever its envelope.
   */
  raw: string;
  /** Where in the input the record was, e.g. `line 3`, `Records[1]`; absent for a single record. */
  location?: string;
}

export type ParseOutcome =
  | (OutcomeBase & { ok: true; event: SesEvent; envelope: EnvelopeInfo })
  | (OutcomeBase & {
      ok: false;
      error: PipelineError;
      envelope: Partial<EnvelopeInfo>;
      /** Set when error.code is SERVICE_EVENT_CODE: the event, for a service-events topic. */
      serviceEvent?: ServiceEvent;
    });

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringField(record: Json, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * `raw` is the whole record as JSON, which costs as much to build as parsing did and is read only when
 * an input is dead-lettered or handed back; so it is built on first read.
 */
/** What the inner parse functions put in `raw`; withLazyRaw replaces it on the outcome it returns. */
const LAZY_RAW = '';

function withLazyRaw(source: unknown, parse: () => ParseOutcome): ParseOutcome {
  const outcome = parse();
  let raw: string | undefined;
  Object.defineProperty(outcome, 'raw', {
    enumerable: true,
    configurable: true,
    // Method syntax: named by the language, so no per-outcome naming call is compiled in (esbuild keepNames).
    get() {
      raw ??= safeStringify(source);
      return raw;
    },
  });
  return outcome;
}

function joinLocation(outer: string | undefined, inner: string | undefined): string | undefined {
  if (outer === undefined) return inner;
  if (inner === undefined) return outer;
  return inner.startsWith('[') ? `${outer}${inner}` : `${outer} ${inner}`;
}

/** JSON.parse messages quote a slice of the input, which may hold an address. */
function notJson(where: string, error: unknown): PipelineError {
  return invalidSes(`${where}: not JSON (${redactEmail(describeError(error))})`, 'SES_NOT_JSON');
}

function failure(
  error: PipelineError,
  envelope: Partial<EnvelopeInfo>,
  raw: string,
  location?: string,
): ParseOutcome {
  return location === undefined
    ? { ok: false, error, envelope, raw }
    : { ok: false, error, envelope, raw, location };
}

/** Parses the SES JSON text carried inside an envelope. `where` names that text for error messages. */
function fromSesText(text: string, where: string, envelope: EnvelopeInfo, raw: string): ParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure(notJson(where, error), envelope, raw);
  }
  return fromSesValue(value, envelope, raw);
}

function fromSesValue(value: unknown, envelope: EnvelopeInfo, raw: string): ParseOutcome {
  if (isRecord(value) && isEventBridgeShape(value)) return fromEventBridge(value, envelope, raw);
  const result = parseSesMessage(value);
  if (result.ok) return { ok: true, event: result.event, envelope, raw };
  return failure(result.error, envelope, raw);
}

/** Where the EventBridge event was found decides the door: inside SNS, the SNS door stays the door. */
const EVENTBRIDGE_KIND: Partial<Record<EnvelopeKind, EnvelopeKind>> = {
  bare: 'eventbridge',
  'sqs-raw': 'sqs-eventbridge',
};

/** An EventBridge event: `detail` becomes the canonical event; service events are set apart. */
function fromEventBridge(event: Json, outer: EnvelopeInfo, raw: string): ParseOutcome {
  const unwrapped = unwrapEventBridge(event);
  const envelope: EnvelopeInfo = {
    ...outer,
    kind: EVENTBRIDGE_KIND[outer.kind] ?? outer.kind,
    ...unwrapped.info,
  };
  switch (unwrapped.kind) {
    case 'email': {
      const result = parseSesMessage(unwrapped.detail, { at: 'detail' });
      if (result.ok) return { ok: true, event: result.event, envelope, raw };
      return failure(result.error, envelope, raw);
    }
    case 'service':
      return {
        ok: false,
        error: invalidSes(unwrapped.reason, SERVICE_EVENT_CODE),
        envelope,
        raw,
        serviceEvent: unwrapped.serviceEvent,
      };
    case 'invalid':
      return failure(unwrapped.error, envelope, raw);
  }
}

/**
 * The event an EventBridge rule hands to a Lambda target (one per invocation), or one read from a file.
 */
export function parseEventBridgeEvent(event: unknown): ParseOutcome {
  return withLazyRaw(event, () => {
    if (!isRecord(event) || !isEventBridgeShape(event)) {
      const problem = isRecord(event)
        ? `${'detail-type' in event ? 'detail' : 'detail-type'}: required field missing (expected an EventBridge event: version, id, detail-type, source, detail)`
        : `(root): expected an EventBridge event object, got ${describeType(event)}`;
      return failure(invalidSes(problem, 'SES_UNRECOGNIZED_ENVELOPE'), { kind: 'eventbridge' }, LAZY_RAW);
    }
    return fromEventBridge(event, { kind: 'eventbridge' }, LAZY_RAW);
  });
}

function isSnsNotificationShape(value: Json): boolean {
  return typeof value.Type === 'string' && ('TopicArn' in value || 'Message' in value);
}

function isSesShape(value: Json): boolean {
  return 'mail' in value || 'eventType' in value || 'notificationType' in value;
}

/** An SNS notification object: the `Sns` of a Lambda record, an HTTP delivery body, or a non-raw SQS body. */
function fromSnsNotification(
  sns: Json,
  kind: EnvelopeKind,
  prefix: string,
  extra: Partial<EnvelopeInfo>,
  raw: string,
): ParseOutcome {
  const envelope: EnvelopeInfo = { kind, ...extra };
  const snsMessageId = stringField(sns, 'MessageId');
  const topicArn = stringField(sns, 'TopicArn');
  const snsTimestamp = stringField(sns, 'Timestamp');
  if (snsMessageId !== undefined) envelope.snsMessageId = snsMessageId;
  if (topicArn !== undefined) envelope.topicArn = topicArn;
  if (snsTimestamp !== undefined) envelope.snsTimestamp = snsTimestamp;

  const type = sns.Type;
  if (type !== undefined && type !== 'Notification') {
    return failure(
      invalidSes(
        `${prefix}Type: SNS ${describeValue(type)} message carries no SES event (a SubscriptionConfirmation is confirmed by visiting its SubscribeURL)`,
        'SES_CONTROL_MESSAGE',
      ),
      envelope,
      raw,
    );
  }
  const message = sns.Message;
  if (typeof message !== 'string') {
    const problem =
      message === undefined ? 'required string missing' : `expected string, got ${describeType(message)}`;
    return failure(invalidSes(`${prefix}Message: ${problem}`), envelope, raw);
  }
  return fromSesText(message, `${prefix}Message`, envelope, raw);
}

function describeValue(value: unknown): string {
  // Only a word is quoted back: a cut-off excerpt of anything else could hold part of an address.
  if (typeof value !== 'string') return describeType(value);
  return /^[A-Za-z]{1,40}$/.test(value) ? JSON.stringify(value) : 'a string';
}

/** One record of a Lambda SNS event (`Records[].Sns`). */
export function parseSnsRecord(record: unknown): ParseOutcome {
  return withLazyRaw(record, () => {
    if (!isRecord(record) || !isRecord(record.Sns)) {
      const problem = isRecord(record)
        ? 'Sns: required object missing'
        : `(root): expected an SNS record object, got ${describeType(record)}`;
      return failure(invalidSes(problem, 'SES_UNRECOGNIZED_ENVELOPE'), { kind: 'sns-lambda' }, LAZY_RAW);
    }
    return fromSnsNotification(record.Sns, 'sns-lambda', 'Sns.', {}, LAZY_RAW);
  });
}

/**
 * One record of a Lambda SQS event. The body is an SNS notification (the default), the SES JSON itself
 * (SNS raw message delivery), or an EventBridge event (a rule whose target is the queue).
 */
export function parseSqsRecord(record: unknown): ParseOutcome {
  return withLazyRaw(record, () => parseSqsRecordNow(record));
}

function parseSqsRecordNow(record: unknown): ParseOutcome {
  if (!isRecord(record)) {
    return failure(
      invalidSes(
        `(root): expected an SQS record object, got ${describeType(record)}`,
        'SES_UNRECOGNIZED_ENVELOPE',
      ),
      { kind: 'sqs-raw' },
      LAZY_RAW,
    );
  }
  const sqsMessageId = stringField(record, 'messageId');
  const ids: Partial<EnvelopeInfo> = sqsMessageId === undefined ? {} : { sqsMessageId };
  const body = record.body;
  if (typeof body !== 'string') {
    const problem =
      body === undefined ? 'required string missing' : `expected string, got ${describeType(body)}`;
    return failure(invalidSes(`body: ${problem}`, 'SES_UNRECOGNIZED_ENVELOPE'), ids, LAZY_RAW);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return failure(notJson('body', error), ids, LAZY_RAW);
  }
  if (isRecord(value) && isSnsNotificationShape(value)) {
    return fromSnsNotification(value, 'sqs-sns', 'body.', ids, LAZY_RAW);
  }
  return fromSesValue(value, { kind: 'sqs-raw', ...ids }, LAZY_RAW);
}

/** An SNS HTTP/HTTPS subscription delivery body (already JSON-parsed). */
export function parseSnsNotification(notification: unknown): ParseOutcome {
  return withLazyRaw(notification, () => parseSnsNotificationNow(notification));
}

function parseSnsNotificationNow(notification: unknown): ParseOutcome {
  if (!isRecord(notification)) {
    return failure(
      invalidSes(
        `(root): expected an SNS notification object, got ${describeType(notification)}`,
        'SES_UNRECOGNIZED_ENVELOPE',
      ),
      { kind: 'sns-http' },
      LAZY_RAW,
    );
  }
  return fromSnsNotification(notification, 'sns-http', '', {}, LAZY_RAW);
}

function isSqsRecord(record: Json): boolean {
  return (
    record.eventSource === 'aws:sqs' ||
    ('body' in record && ('receiptHandle' in record || 'messageId' in record))
  );
}

function isSnsRecord(record: Json): boolean {
  return record.EventSource === 'aws:sns' || 'Sns' in record;
}

/** A Lambda event from an SNS or SQS trigger: one outcome per record, in order. */
export function parseLambdaEvent(event: unknown): ParseOutcome[] {
  try {
    if (!isRecord(event) || !Array.isArray(event.Records)) {
      const problem = isRecord(event)
        ? 'Records: required array missing (expected a Lambda SNS or SQS event)'
        : `(root): expected a Lambda SNS or SQS event object, got ${describeType(event)}`;
      return [failure(invalidSes(problem, 'SES_UNRECOGNIZED_ENVELOPE'), {}, safeStringify(event))];
    }
    return event.Records.map((record, index) => withLocation(parseLambdaRecord(record), `Records[${index}]`));
  } catch (error) {
    return [internalFailure(error, safeStringify(event))];
  }
}

function parseLambdaRecord(record: unknown): ParseOutcome {
  if (isRecord(record) && isSqsRecord(record)) return parseSqsRecord(record);
  if (isRecord(record) && isSnsRecord(record)) return parseSnsRecord(record);
  return failure(
    invalidSes(
      isRecord(record)
        ? '(record): neither Sns nor body present (expected a Lambda SNS record with Sns, or an SQS record with body)'
        : `(root): expected an SNS or SQS record object, got ${describeType(record)}`,
      'SES_UNRECOGNIZED_ENVELOPE',
    ),
    {},
    safeStringify(record),
  );
}

function withLocation(outcome: ParseOutcome, location: string | undefined): ParseOutcome {
  const combined = joinLocation(location, outcome.location);
  if (combined === undefined) return outcome;
  // Copy the property descriptors, not the values, so a lazy `raw` stays lazy.
  const located = Object.defineProperties({}, Object.getOwnPropertyDescriptors(outcome)) as ParseOutcome;
  located.location = combined;
  return located;
}

function internalFailure(error: unknown, raw: string): ParseOutcome {
  return failure(
    new PipelineError('parse', 'SES_PARSE_FAILED', `unexpected parser failure: ${describeError(error)}`, {
      cause: error,
    }),
    {},
    raw,
  );
}

/**
 * Any already-parsed JSON value: a Lambda event, an SNS/SQS record, an SNS notification, an EventBridge
 * event, SES JSON, or an array of them.
 */
export function parseJsonValue(value: unknown, raw: string = safeStringify(value)): ParseOutcome[] {
  try {
    if (Array.isArray(value)) {
      return value.flatMap((item, index) =>
        parseJsonValue(item).map((outcome) => withLocation(outcome, `[${index}]`)),
      );
    }
    if (!isRecord(value)) {
      return [
        failure(
          invalidSes(
            `(root): expected a JSON object (SES event, SNS or SQS envelope), got ${describeType(value)}`,
            'SES_UNRECOGNIZED_ENVELOPE',
          ),
          {},
          raw,
        ),
      ];
    }
    if (Array.isArray(value.Records)) return parseLambdaEvent(value);
    if (isSqsRecord(value)) return [parseSqsRecord(value)];
    if (isSnsRecord(value)) return [parseSnsRecord(value)];
    if (isSnsNotificationShape(value)) return [parseSnsNotification(value)];
    if (isEventBridgeShape(value)) return [fromEventBridge(value, { kind: 'eventbridge' }, raw)];
    if (isSesShape(value)) return [fromSesValue(value, { kind: 'bare' }, raw)];
    return [
      failure(
        invalidSes(
          '(root): not an SES event or envelope: expected a Lambda SNS/SQS event (Records), an SNS notification (Type, Message), an EventBridge event (detail-type, detail) or an SES event (eventType or notificationType, and mail)',
          'SES_UNRECOGNIZED_ENVELOPE',
        ),
        {},
        raw,
      ),
    ];
  } catch (error) {
    return [internalFailure(error, raw)];
  }
}

/**
 * Text in any envelope: one JSON document (object or array), or NDJSON with one document per line.
 * Blank input yields no outcomes.
 */
export function parseAnyInput(text: string): ParseOutcome[] {
  if (text.trim() === '') return [];
  let whole: unknown;
  let wholeError: unknown;
  try {
    whole = JSON.parse(text);
  } catch (error) {
    wholeError = error;
  }
  if (wholeError === undefined) return parseJsonValue(whole, text);

  const lines = text.split(/\r?\n/);
  const nonBlank = lines.filter((line) => line.trim() !== '');
  if (nonBlank.length <= 1) {
    return [failure(notJson('(root)', wholeError), {}, text)];
  }
  const outcomes: ParseOutcome[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const location = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      outcomes.push(failure(notJson('(root)', error), {}, line, location));
      return;
    }
    for (const outcome of parseJsonValue(value, line)) outcomes.push(withLocation(outcome, location));
  });
  return outcomes;
}
