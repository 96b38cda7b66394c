/**
 * Local inputs: files, folders (walked recursively) and `-` for stdin, as archive objects in a stable
 * order. Names are compared code unit by code unit, as S3 orders keys, never by locale: a checkpoint
 * must find the same order again whatever the next run's LANG is.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ArchiveObject } from './archive.ts';
import { skipReason } from './archive.ts';

export interface SkippedInput {
  label: string;
  reason: string;
}

export type LocalListing = { kind: 'object'; object: ArchiveObject } | ({ kind: 'skipped' } & SkippedInput);

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function localFileObject(file: string, size?: number): ArchiveObject {
  return {
    label: file,
    ...(size === undefined ? {} : { size }),
    retryable: false,
    open: () =>
      new Promise((resolve, reject) => {
        // Opened eagerly so that a missing or unreadable file fails here, with its own error.
        const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
        stream.once('open', () => resolve(stream));
        stream.once('error', reject);
      }),
  };
}

export function stdinObject(): ArchiveObject {
  return { label: 'stdin', retryable: false, open: async () => process.stdin };
}

function* walk(folder: string): Generator<LocalListing> {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => byCodeUnits(a.name, b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full);
      continue;
    }
    const reason = skipReason(entry.name);
    if (reason !== undefined) {
      yield { kind: 'skipped', label: full, reason };
      continue;
    }
    yield { kind: 'object', object: localFileObject(full, statSync(full, { throwIfNoEntry: false })?.size) };
  }
}

/**
 * One target: `-` is stdin; a file is always read, whatever its name; a folder contributes its files
 * with an input extension (others are reported as skipped). A target that does not exist becomes an
 * object that fails to open, so it is reported with the other unreadable inputs.
 */
export function* listLocalTarget(target: string): Generator<LocalListing> {
  if (target === '-') {
    yield { kind: 'object', object: stdinObject() };
    return;
  }
  const stat = statSync(target, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    yield* walk(target);
    return;
  }
  yield { kind: 'object', object: localFileObject(target, stat?.size) };
}
