/**
 * Prints a fuzz case as TypeScript source, so a shrunk difference can be pasted into
 * test/conformance/fuzz/regressions.ts as a named regression case (BigInt, Buffer, -0, NaN included).
 */
export function toSource(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '-0';
    if (Number.isNaN(value)) return 'Number.NaN';
    if (value === Number.POSITIVE_INFINITY) return 'Number.POSITIVE_INFINITY';
    if (value === Number.NEGATIVE_INFINITY) return 'Number.NEGATIVE_INFINITY';
    return String(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Buffer.isBuffer(value)) return `Buffer.from(${JSON.stringify(value.toString('base64'))}, 'base64')`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${toSource(item, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${toSource(item, inner)},`).join('\n')}\n${indent}}`;
}
