/**
 * Archives for the replay benchmark, written chunk by chunk so that a million events never sit in the
 * benchmark's own memory: the demo's realistic SES stream (src/demo/ses-event-stream.ts), each event
 * wrapped as the SNS notification an SNS-to-Firehose subscription archives. Two layouts of the same
 * records: NDJSON (one per line, as copied to disk), and Firehose's own (records back to back with no
 * separator), gzip-compressed as Firehose writes it with GZIP compression on.
 */
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { type DemoMetadataRow, generateDemoStream } from '../../src/demo/ses-event-stream.ts';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:ses-events';
/** A fixed clock, so every run of the bench builds byte-identical archives. */
const STREAM_EPOCH = Date.parse('2026-11-20T12:00:00Z');
/** Events generated per seed; each chunk is its own run of the demo stream, with its own message ids. */
const CHUNK_EVENTS = 5_000;

export type ArchiveLayout = 'ndjson' | 'firehose-gzip';

export interface ArchiveOptions {
  file: string;
  events: number;
  layout: ArchiveLayout;
  seed?: number;
  /** Called with each chunk's metadata rows, e.g. to seed DynamoDB; left out, rows are dropped. */
  onMetadataRows?: (rows: DemoMetadataRow[]) => Promise<void>;
}

export interface ArchiveInfo {
  file: string;
  events: number;
  /** Bytes on disk (compressed for gzip). */
  bytes: number;
  /** Bytes of record text, uncompressed. */
  textBytes: number;
}

function notification(message: string, index: number): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: `95df01b4-ee98-5cb9-9903-${String(index).padStart(12, '0')}`,
    TopicArn: TOPIC_ARN,
    Message: message,
    Timestamp: new Date(STREAM_EPOCH + index).toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Writes the archive and returns its size; the same options always give the same bytes. */
export async function writeReplayArchive(options: ArchiveOptions): Promise<ArchiveInfo> {
  const file = createWriteStream(options.file);
  const gzip = options.layout === 'firehose-gzip' ? createGzip({ level: 6 }) : undefined;
  if (gzip) gzip.pipe(file);
  const out: Writable = gzip ?? file;
  const separator = options.layout === 'ndjson' ? '\n' : '';
  let written = 0;
  let textBytes = 0;
  for (let chunk = 0; written < options.events; chunk++) {
    const stream = generateDemoStream({
      emails: Math.ceil(CHUNK_EVENTS / 2) + 20,
      seed: (options.seed ?? 41) * 100_003 + chunk,
      now: STREAM_EPOCH,
    });
    const messages = stream.messages.slice(0, Math.min(CHUNK_EVENTS, options.events - written));
    let text = '';
    for (const message of messages) text += `${notification(message, written++)}${separator}`;
    textBytes += Buffer.byteLength(text);
    await write(out, text);
    await options.onMetadataRows?.(stream.metadataRows);
  }
  out.end();
  await once(file, 'close');
  return { file: options.file, events: written, bytes: statSync(options.file).size, textBytes };
}
