/** Header names on every event record, so consumers can route and decode without parsing the value. */
export const EVENT_HEADERS = {
  eventType: 'ses.eventType',
  /** Registry id of the writer schema: Confluent's integer id or Glue's schema version UUID. */
  schemaId: 'schema.id',
  schemaVersion: 'schema.version',
} as const;

export interface EventHeaderValues {
  eventType: string;
  schemaId: string | number;
  schemaVersion?: string | number;
}

export function eventHeaders(values: EventHeaderValues): Record<string, string> {
  return addEventHeaders({}, values);
}

/** Writes the event headers into `headers` (replacing any of the same name) and returns it. */
export function addEventHeaders<T extends Record<string, unknown>>(
  headers: T,
  values: EventHeaderValues,
): T & Record<string, string> {
  const target = headers as Record<string, unknown>;
  target[EVENT_HEADERS.eventType] = values.eventType;
  target[EVENT_HEADERS.schemaId] = String(values.schemaId);
  if (values.schemaVersion !== undefined) target[EVENT_HEADERS.schemaVersion] = String(values.schemaVersion);
  return headers as T & Record<string, string>;
}
