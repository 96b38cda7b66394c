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
import { parseS3Url, type S3SourceSettings, s3ObjectLabel } from './s3-location.ts';

export type Listing =
  | { kind: 'object'; object: ArchiveObject }
  /** Not read, and said: an extension that is not an input, or no date in the key under a window. */
  | { kind: 'skipped'; label: string; reason: string }
  /** Not read, silently: its key dates it outside --since/--until. */
  | { kind: 'outside-window'; label: string };

/**
 * The S3 client for s3:// targets: its module is imported and the client created on first use, so a
 * replay of local files never loads them. `close` releases the client's sockets.
 */
export class S3Access {
  readonly #settings: S3SourceSettings;
  #loaded: Promise<{ client: S3Client; source: typeof import('./s3-source.ts') }> | undefined;

  constructor(settings: S3SourceSettings) {
    this.#settings = settings;
  }

  load(): Promise<{ client: S3Client; source: typeof import('./s3-source.ts') }> {
    this.#loaded ??= import('./s3-source.ts').then((source) => ({
      client: source.createS3Client(this.#settings),
      source,
    }));
    return this.#loaded;
  }

  async close(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = undefined;
    if (loaded) (await loaded).client.destroy();
  }
}

export interface ListOptions {
  window: TimeWindow;
  s3: S3Access;
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
    const { client, source } = await options.s3.load();
    for await (const listed of source.listS3Objects(client, location)) {
      const reason = skipReason(listed.key);
      if (reason !== undefined) {
        yield { kind: 'skipped', label: s3ObjectLabel(location.bucket, listed.key), reason };
        continue;
      }
      yield applyWindow(source.s3ArchiveObject(client, location.bucket, listed), options.window);
    }
  }
}

/** Just the objects to read. */
export async function* objectsOf(listings: AsyncIterable<Listing>): AsyncGenerator<ArchiveObject> {
  for await (const listing of listings) if (listing.kind === 'object') yield listing.object;
}
