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
  const headers: Record<string, string> = {
    [EVENT_HEADERS.eventType]: values.eventType,
    [EVENT_HEADERS.schemaId]: String(values.schemaId),
  };
  if (values.schemaVersion !== undefined) headers[EVENT_HEADERS.schemaVersion] = String(values.schemaVersion);
  return headers;
}
