/**
 * Archives for the replay benchmark, built part by part so that a million events never sit in the
 * benchmark's own memory: the demo's realistic SES stream (src/demo/ses-event-stream.ts: every event
 * type, multi-recipient bounces, a few malformed payloads), each event wrapped as the SNS notification an
 * SNS-to-Firehose subscription archives. The same records in two layouts: NDJSON files (one record per
 * line, as copied to disk), and Firehose objects (records back to back with no separator, gzip, under
 * `YYYY/MM/DD/HH/` keys) on S3.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateDemoStream } from '../../src/demo/ses-event-stream.ts';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:ses-events';
/** A fixed clock, so every run of the bench builds byte-identical archives. */
const STREAM_EPOCH = Date.parse('2026-11-20T12:00:00Z');
/** Events per archive part (a file, or an S3 object): about 15 MB of NDJSON, 0.7 MB gzipped. */
export const PART_EVENTS = 10_000;

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

/**
 * The archive's records, part by part (`PART_EVENTS` each, the last one shorter): each part from its
 * own seed of the demo stream, so message ids never repeat. The same arguments give the same records.
 */
export function* archiveParts(events: number, seed = 41): Generator<string[]> {
  let written = 0;
  for (let part = 0; written < events; part++) {
    const wanted = Math.min(PART_EVENTS, events - written);
    const records: string[] = [];
    for (let chunk = 0; records.length < wanted; chunk++) {
      const stream = generateDemoStream({
        emails: Math.ceil(wanted / 2) + 20,
        seed: seed * 100_003 + part * 101 + chunk,
        now: STREAM_EPOCH,
      });
      for (const message of stream.messages) {
        if (records.length === wanted) break;
        records.push(notification(message, written + records.length));
      }
    }
    written += records.length;
    yield records;
  }
}

/** The Firehose key of part `index`: one delivery per part, 5 minutes apart, hour folders. */
export function firehoseKey(prefix: string, index: number): string {
  const at = new Date(STREAM_EPOCH + index * 5 * 60_000);
  const [date, time] = at.toISOString().split('T') as [string, string];
  const [y, m, d] = date.split('-');
  const hh = time.slice(0, 2);
  const stamp = `${date}-${time.slice(0, 8).replace(/:/g, '-')}`;
  return `${prefix}${y}/${m}/${d}/${hh}/ses-events-1-${stamp}-${String(index).padStart(8, '0')}`;
}

export interface ArchiveInfo {
  events: number;
  parts: number;
  /** Bytes as stored: NDJSON on disk, gzip on S3. */
  storedBytes: number;
  /** Bytes of record text, uncompressed. */
  textBytes: number;
}

/** Writes the archive as NDJSON files `part-NNNNN.ndjson` in `folder`. */
export function writeNdjsonArchive(folder: string, events: number): ArchiveInfo {
  mkdirSync(folder, { recursive: true });
  const info: ArchiveInfo = { events: 0, parts: 0, storedBytes: 0, textBytes: 0 };
  for (const records of archiveParts(events)) {
    const text = `${records.join('\n')}\n`;
    writeFileSync(path.join(folder, `part-${String(info.parts).padStart(5, '0')}.ndjson`), text);
    info.events += records.length;
    info.parts++;
    info.textBytes += Buffer.byteLength(text);
    info.storedBytes += Buffer.byteLength(text);
  }
  return info;
}

/** Hands each part to `put` as a Firehose object: records back to back, gzip, under its Firehose key. */
export async function writeFirehoseArchive(
  prefix: string,
  events: number,
  put: (key: string, body: Buffer) => Promise<void>,
): Promise<ArchiveInfo> {
  const info: ArchiveInfo = { events: 0, parts: 0, storedBytes: 0, textBytes: 0 };
  for (const records of archiveParts(events)) {
    const text = records.join('');
    const body = gzipSync(text);
    await put(firehoseKey(prefix, info.parts), body);
    info.events += records.length;
    info.parts++;
    info.textBytes += Buffer.byteLength(text);
    info.storedBytes += body.length;
  }
  return info;
}
