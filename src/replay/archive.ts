/**
 * What replay reads: an ordered list of archive objects (local files, stdin, S3 objects), each opened as
 * a byte stream. Gzip is recognised by its magic bytes, not by the name (Firehose writes extension-less
 * gzip objects when compression is on), and decompressed on the fly; several gzip members in one
 * object (concatenated .gz files) are read one after the other.
 */
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

export interface ArchiveObject {
  /** How the object is named in messages, ids and the checkpoint: a path, `stdin`, or `s3://bucket/key`. */
  label: string;
  /** Stored size in bytes (compressed, if it is), when known before reading. */
  size?: number;
  /** Opens the object from its first byte. Called again to retry after a failed read. */
  open(): Promise<Readable>;
  /** Whether a failed read is worth another attempt (a network read is, a missing file is not). */
  retryable: boolean;
}

/** Files in folders and S3 objects under a prefix are read when named like this; others are skipped. */
const INPUT_EXTENSIONS = new Set(['.json', '.ndjson', '.jsonl', '.gz', '']);

/** The extension that decides whether a listed object is read: `.gz` counts, whatever is before it. */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** Undefined when a listed object is read; else why it is skipped. */
export function skipReason(name: string): string | undefined {
  const extension = extensionOf(name);
  if (INPUT_EXTENSIONS.has(extension)) return undefined;
  return `"${extension}" is not an input extension (.json, .ndjson, .jsonl, .gz or none)`;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * The object's text, decoded as UTF-8 chunk by chunk, gunzipped first when it starts with the gzip
 * magic bytes. `onBytes` is told the stored (compressed) bytes as they are read, for progress.
 */
export async function* objectText(
  stored: Readable,
  onBytes: (bytes: number) => void = () => undefined,
): AsyncGenerator<string> {
  const source = stored[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  // Two bytes decide; a first chunk of one byte (possible on a pipe) waits for the next.
  while (head.length < GZIP_MAGIC.length) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    onBytes(chunk.length);
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
  }
  const gzipped = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const rest = async function* (): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      onBytes(chunk.length);
      yield chunk;
    }
  };
  let bytes: AsyncIterable<Buffer>;
  if (gzipped) {
    const gunzip = createGunzip();
    const out = new PassThrough();
    // A read error of the stored object, or a corrupt gzip stream, ends the iteration with that error.
    pipeline(rest(), gunzip, out, () => undefined);
    bytes = out;
  } else {
    bytes = rest();
  }
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of bytes) {
      const text = decoder.write(chunk);
      if (text.length > 0) yield text;
    }
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  } finally {
    stored.destroy();
  }
}
