import { redactText } from '../observability/redact.ts';

/**
 * The JSON body SNS POSTs to an HTTP(S) subscription, checked for the fields that signature verification
 * and dispatch rely on. A top-level key that SNS does not send is refused: the signature does not cover
 * it, so it can only be something added to a genuine message on the way.
 */
export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export const SNS_MESSAGE_TYPES: readonly SnsMessageType[] = [
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
];

interface SnsMessageBase {
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
}

export interface SnsNotification extends SnsMessageBase {
  Type: 'Notification';
  Subject?: string;
  UnsubscribeURL?: string;
}

export interface SnsSubscriptionMessage extends SnsMessageBase {
  Type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  Token: string;
  SubscribeURL: string;
}

export type SnsHttpMessage = SnsNotification | SnsSubscriptionMessage;

export type SnsMessageParse = { ok: true; message: SnsHttpMessage } | { ok: false; error: string };

const COMMON_FIELDS = [
  'MessageId',
  'TopicArn',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
] as const;
const SUBSCRIPTION_FIELDS = ['Token', 'SubscribeURL'] as const;

/** Every top-level key SNS sends, per type (AWS SNS developer guide, "HTTP/HTTPS ... JSON format"). */
const KNOWN_KEYS: Readonly<Record<SnsMessageType, ReadonlySet<string>>> = {
  Notification: new Set([
    'Type',
    ...COMMON_FIELDS,
    'Subject',
    'UnsubscribeURL',
    // Unsigned, and never read by us: message attributes published with the message.
    'MessageAttributes',
  ]),
  SubscriptionConfirmation: new Set(['Type', ...COMMON_FIELDS, ...SUBSCRIPTION_FIELDS]),
  UnsubscribeConfirmation: new Set(['Type', ...COMMON_FIELDS, ...SUBSCRIPTION_FIELDS]),
};

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Parses and shape-checks a request body; the error names the first bad field. */
export function parseSnsHttpMessage(body: string): SnsMessageParse {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    // JSON.parse quotes a slice of the input, which may hold an address.
    return { ok: false, error: `body: not valid JSON (${redactText((error as Error).message)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `body: expected an SNS message object, got ${describeType(value)}` };
  }
  const fields = value as Record<string, unknown>;
  const type = fields.Type;
  if (typeof type !== 'string' || !(SNS_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      // Only a word is quoted back: anything else in the Type field may be someone's address.
      error: `Type: expected one of ${SNS_MESSAGE_TYPES.join(', ')}, got ${typeof type === 'string' ? (/^[A-Za-z]{1,40}$/.test(type) ? JSON.stringify(type) : 'another string') : describeType(type)}`,
    };
  }
  const known = KNOWN_KEYS[type as SnsMessageType];
  const unknown = Object.keys(fields).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    const names = unknown.slice(0, 5).map((key) => JSON.stringify(key.slice(0, 40)));
    return {
      ok: false,
      error: `body: unexpected top-level key${unknown.length > 1 ? 's' : ''} ${names.join(', ')}; SNS does not send ${unknown.length > 1 ? 'them' : 'it'} in a ${type} and the signature does not cover ${unknown.length > 1 ? 'them' : 'it'}`,
    };
  }
  const required = type === 'Notification' ? COMMON_FIELDS : [...COMMON_FIELDS, ...SUBSCRIPTION_FIELDS];
  for (const name of required) {
    const field = fields[name];
    if (typeof field !== 'string') {
      const problem =
        field === undefined ? 'required string missing' : `expected string, got ${describeType(field)}`;
      return { ok: false, error: `${name}: ${problem}` };
    }
  }
  for (const name of ['Subject', 'UnsubscribeURL'] as const) {
    const field = fields[name];
    if (field !== undefined && typeof field !== 'string') {
      return { ok: false, error: `${name}: expected string when present, got ${describeType(field)}` };
    }
  }
  const attributes = fields.MessageAttributes;
  if (
    attributes !== undefined &&
    (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
  ) {
    return {
      ok: false,
      error: `MessageAttributes: expected an object when present, got ${describeType(attributes)}`,
    };
  }
  return { ok: true, message: fields as unknown as SnsHttpMessage };
}
