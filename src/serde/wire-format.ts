import { PipelineError } from '../errors.ts';

/**
 * The two framings a registry-backed Avro record can carry on Kafka. Both put a small header in front
 * of the plain Avro binary body; the first byte tells them apart.
 *
 * Confluent: 0x00, then the schema id as a 4-byte big-endian unsigned int.
 * Glue:      0x03 (header version), a compression byte (0 none, 5 zlib), then the 16 bytes of the
 *            schema-version UUID in textual order (Java writes most- then least-significant long).
 */
export const CONFLUENT_MAGIC_BYTE = 0x00;
export const CONFLUENT_HEADER_LENGTH = 5;

export const GLUE_HEADER_VERSION = 0x03;
export const GLUE_COMPRESSION_NONE = 0x00;
export const GLUE_COMPRESSION_ZLIB = 0x05;
export const GLUE_HEADER_LENGTH = 18;

export type WireFormat = 'confluent' | 'glue';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function malformed(message: string): PipelineError {
  return new PipelineError('serialize', 'SERDE_MALFORMED_FRAME', message);
}

export function detectWireFormat(bytes: Uint8Array): WireFormat {
  if (bytes.length === 0) throw malformed('cannot decode an empty message: no wire-format header');
  const first = bytes[0];
  if (first === CONFLUENT_MAGIC_BYTE) return 'confluent';
  if (first === GLUE_HEADER_VERSION) return 'glue';
  throw new PipelineError(
    'serialize',
    'SERDE_UNKNOWN_FORMAT',
    `unknown wire format: first byte is 0x${first?.toString(16).padStart(2, '0')}; expected 0x00 (Confluent) or 0x03 (AWS Glue)`,
  );
}

export function frameConfluent(schemaId: number, body: Buffer): Buffer {
  return Buffer.concat([confluentHeader(schemaId), body]);
}

/** The 5 bytes in front of every body written against `schemaId`. */
export function confluentHeader(schemaId: number): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw malformed(`Confluent schema id must be an unsigned 32-bit integer, got ${schemaId}`);
  }
  const header = Buffer.alloc(CONFLUENT_HEADER_LENGTH);
  header.writeUInt8(CONFLUENT_MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return header;
}

export interface ConfluentFrame {
  schemaId: number;
  body: Buffer;
}

export function parseConfluentFrame(bytes: Buffer): ConfluentFrame {
  if (bytes.length < CONFLUENT_HEADER_LENGTH) {
    throw malformed(`Confluent frame too short: ${bytes.length} bytes, the header alone is 5`);
  }
  if (bytes[0] !== CONFLUENT_MAGIC_BYTE) throw malformed('not a Confluent frame: first byte is not 0x00');
  return { schemaId: bytes.readUInt32BE(1), body: bytes.subarray(CONFLUENT_HEADER_LENGTH) };
}

export function uuidToBytes(uuid: string): Buffer {
  if (!UUID_PATTERN.test(uuid)) throw malformed(`schema version id "${uuid}" is not a UUID`);
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw malformed(`a UUID is 16 bytes, got ${bytes.length}`);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type GlueCompression = 'none' | 'zlib';

/** `body` must already be compressed when `compression` is zlib; framing never transforms the body. */
export function frameGlue(schemaVersionId: string, compression: GlueCompression, body: Buffer): Buffer {
  return Buffer.concat([glueHeader(schemaVersionId, compression), body]);
}

/** The 18 bytes in front of every body written against `schemaVersionId`. */
export function glueHeader(schemaVersionId: string, compression: GlueCompression): Buffer {
  const header = Buffer.alloc(2);
  header.writeUInt8(GLUE_HEADER_VERSION, 0);
  header.writeUInt8(compression === 'zlib' ? GLUE_COMPRESSION_ZLIB : GLUE_COMPRESSION_NONE, 1);
  return Buffer.concat([header, uuidToBytes(schemaVersionId)]);
}

export interface GlueFrame {
  schemaVersionId: string;
  compression: GlueCompression;
  /** Still compressed when `compression` is zlib. */
  body: Buffer;
}

export function parseGlueFrame(bytes: Buffer): GlueFrame {
  if (bytes.length < GLUE_HEADER_LENGTH) {
    throw malformed(`AWS Glue frame too short: ${bytes.length} bytes, the header alone is 18`);
  }
  if (bytes[0] !== GLUE_HEADER_VERSION) throw malformed('not an AWS Glue frame: first byte is not 0x03');
  const compressionByte = bytes[1];
  let compression: GlueCompression;
  if (compressionByte === GLUE_COMPRESSION_NONE) compression = 'none';
  else if (compressionByte === GLUE_COMPRESSION_ZLIB) compression = 'zlib';
  else {
    throw malformed(
      `AWS Glue frame has unknown compression byte 0x${compressionByte?.toString(16).padStart(2, '0')}; expected 0x00 (none) or 0x05 (zlib)`,
    );
  }
  return {
    schemaVersionId: bytesToUuid(bytes.subarray(2, GLUE_HEADER_LENGTH)),
    compression,
    body: bytes.subarray(GLUE_HEADER_LENGTH),
  };
}
