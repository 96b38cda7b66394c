/**
 * The record that flows from "to record" through the transform chain to the serializer and producer.
 *
 * Headers are an ORDERED LIST, not a map: Kafka (and Kafka Connect's `Headers`) keep header order and
 * allow the same key more than once. `InsertHeader` and `HeaderFrom` append, `DropHeaders` removes every
 * occurrence; a map would silently lose repeats and order. Use `toKafkaJsHeaders` at the producer edge.
 *
 * Values follow the Avro schema they are written against, in avsc's plain-JS form: records are plain
 * objects, nullable unions `["null", T]` are unwrapped (`null` or the T value), maps are objects, bytes
 * are Buffers, enums are strings, and logical types are their underlying numbers (timestamp-millis is
 * epoch millis, date is days since epoch, time-millis is millis of day).
 */
export interface KafkaHeader {
  key: string;
  value: string | Buffer | null;
}

export interface KafkaRecord {
  topic: string;
  partition?: number;
  offset?: number;
  key: unknown;
  value: unknown;
  headers: KafkaHeader[];
  /** Epoch millis; Kafka always has one once produced, so it is required here. */
  timestamp: number;
}

/** kafkajs wants `{ key: value | value[] }`; repeated keys become arrays in their original order. */
export function toKafkaJsHeaders(
  headers: readonly KafkaHeader[],
): Record<string, string | Buffer | Array<string | Buffer>> {
  const out: Record<string, string | Buffer | Array<string | Buffer>> = {};
  for (const { key, value } of headers) {
    // kafkajs cannot send a null header value; an empty buffer is the closest wire equivalent.
    const wireValue = value ?? Buffer.alloc(0);
    const existing = out[key];
    if (existing === undefined) out[key] = wireValue;
    else if (Array.isArray(existing)) existing.push(wireValue);
    else out[key] = [existing, wireValue];
  }
  return out;
}

/** The inverse of `toKafkaJsHeaders`, for consumers and replays. */
export function fromKafkaJsHeaders(
  headers: Record<string, string | Buffer | Array<string | Buffer> | undefined> | undefined,
): KafkaHeader[] {
  const out: KafkaHeader[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push({ key, value: item });
  }
  return out;
}

/** The last value of a header, as Connect's `Headers.lastWithName` does. */
export function lastHeader(headers: readonly KafkaHeader[], key: string): KafkaHeader | undefined {
  for (let i = headers.length - 1; i >= 0; i--) {
    const header = headers[i];
    if (header?.key === key) return header;
  }
  return undefined;
}
