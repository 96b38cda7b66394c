import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** A DynamoDB number kept as its exact decimal text. */
class DecimalText {
  constructor(readonly text: string) {}
}

/**
 * Renders a DynamoDB item as the string map the Avro `metadata.attributes` field holds. Strings pass
 * through; numbers keep their exact decimal text (no float rounding); booleans become "true"/"false";
 * NULL becomes "null"; binary becomes base64; sets, lists and maps become JSON.
 */
export function stringifyItem(item: Record<string, AttributeValue>): Record<string, string> {
  const plain = unmarshall(item, { wrapNumbers: (text: string) => new DecimalText(text) });
  const attributes: Record<string, string> = {};
  for (const name of Object.keys(plain).sort()) {
    attributes[name] = stringifyValue(plain[name]);
  }
  return attributes;
}

function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof DecimalText) return value.text;
  if (typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(toJson(value));
}

/** JSON.stringify alone would turn Sets into {} and exact numbers into objects. */
function toJson(value: unknown): unknown {
  if (value instanceof DecimalText) return jsonNumber(value.text);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Set) return [...value].map(toJson).sort(compareJson);
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = toJson((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Numbers a JS double cannot hold exactly stay strings, so no digit is silently lost. */
function jsonNumber(text: string): number | string {
  const parsed = Number(text);
  return Number.isFinite(parsed) && String(parsed) === text ? parsed : text;
}

/** Sets are unordered in DynamoDB; sort them so the same item always renders the same string. */
function compareJson(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
