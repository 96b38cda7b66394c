/**
 * Replay's inputs, in the order they are read: each command-line target in turn (a file, a folder, `-`
 * for stdin, or `s3://bucket/prefix`), objects within a target in name order, `--since/--until` applied
 * to the date in each object's key. The listing is produced lazily, so a prefix of a hundred thousand
 * objects is walked page by page; it can be walked twice (once to size the progress bar), as long as
 * stdin is not among the targets.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type ArchiveObject, skipReason } from './archive.ts';
import { keySpan, overlaps, type TimeWindow } from './key-date.ts';
import { listLocalTarget } from './local-source.ts';
import { listS3Objects, parseS3Url, s3ArchiveObject } from './s3-source.ts';

export type Listing =
  | { kind: 'object'; object: ArchiveObject }
  /** Not read, and said: an extension that is not an input, or no date in the key under a window. */
  | { kind: 'skipped'; label: string; reason: string }
  /** Not read, silently: its key dates it outside --since/--until. */
  | { kind: 'outside-window'; label: string };

export interface ListOptions {
  window: TimeWindow;
  /** The S3 client, created on first use so that local replays never load the SDK's S3 client. */
  s3: () => S3Client;
}

export function hasWindow(window: TimeWindow): boolean {
  return window.since !== undefined || window.until !== undefined;
}

function applyWindow(object: ArchiveObject, window: TimeWindow): Listing {
  if (!hasWindow(window)) return { kind: 'object', object };
  const span = keySpan(object.label);
  if (span === undefined) {
    return {
      kind: 'skipped',
      label: object.label,
      reason:
        'no date in its key, so --since/--until cannot place it (expected …/YYYY/MM/DD/HH/… as Firehose writes)',
    };
  }
  return overlaps(span, window)
    ? { kind: 'object', object }
    : { kind: 'outside-window', label: object.label };
}

export async function* listInputs(targets: readonly string[], options: ListOptions): AsyncGenerator<Listing> {
  for (const target of targets) {
    const location = parseS3Url(target);
    if (location === undefined) {
      for (const listed of listLocalTarget(target)) {
        yield listed.kind === 'skipped' ? listed : applyWindow(listed.object, options.window);
      }
      continue;
    }
    const client = options.s3();
    for await (const listed of listS3Objects(client, location)) {
      const reason = skipReason(listed.key);
      if (reason !== undefined) {
        yield { kind: 'skipped', label: `s3://${location.bucket}/${listed.key}`, reason };
        continue;
      }
      yield applyWindow(s3ArchiveObject(client, location.bucket, listed), options.window);
    }
  }
}

/** Just the objects to read. */
export async function* objectsOf(listings: AsyncIterable<Listing>): AsyncGenerator<ArchiveObject> {
  for await (const listing of listings) if (listing.kind === 'object') yield listing.object;
}
