import { javaDoubleToString, javaFloatToString } from '../java.ts';
import { type AvroSchema, connectTypeOf } from '../schema.ts';

/**
 * Our headers carry strings or bytes (that is what reaches Kafka); a typed Connect header becomes the
 * string Connect's SimpleHeaderConverter would write. Records, arrays and maps become JSON.
 */
export function headerEncoderFor(schema: AvroSchema): (value: unknown) => string | Buffer | null {
  const type = connectTypeOf(schema);
  return (value) => {
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    switch (type) {
      case 'float32':
        return javaFloatToString(value as number);
      case 'float64':
        return javaDoubleToString(value as number);
      case 'struct':
      case 'array':
      case 'map':
      case 'union':
        return JSON.stringify(value, (_key, inner) =>
          inner && typeof inner === 'object' && inner.type === 'Buffer' && Array.isArray(inner.data)
            ? Buffer.from(inner.data).toString('base64')
            : inner,
        );
      default:
        return String(value);
    }
  };
}
