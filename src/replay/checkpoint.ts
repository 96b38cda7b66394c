/**
 * `replay --checkpoint FILE`: how far a backfill got, so a killed run continues where it stopped. The
 * position is the archive object being read and how many of its records (top-level JSON values) are
 * settled: every input before it was acknowledged by Kafka, dead-lettered, filtered, or written to
 * `--failed-out`. The file is replaced atomically (write, fsync, rename), so a kill never leaves half a
 * checkpoint. What a restart sends twice is only what Kafka acknowledged after the last save: the
 * at-least-once window, which consumers absorb by upserting on eventId.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { ReplayCounts } from './replay.ts';

export interface CheckpointPosition {
  /** The archive object's label (path or s3:// URL). */
  object: string;
  /** How many of its records, from the first, are settled. */
  records: number;
  /** Every record of the object is settled: a restart starts with the next object. */
  objectDone: boolean;
}

/**
 * A replay's counts, summed over every run of this backfill. Not-written inputs are only ever counted
 * here once they went to `--failed-out`: without it, the checkpoint cannot move past them.
 */
export type CheckpointCounts = ReplayCounts;

export interface Checkpoint {
  version: 1;
  /** The inputs as given on the command line: a checkpoint only resumes the same backfill. */
  inputs: string[];
  since: string | null;
  until: string | null;
  /** Null until the first record is settled. */
  position: CheckpointPosition | null;
  counts: CheckpointCounts;
  complete: boolean;
  updatedAt: string;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export function emptyCheckpointCounts(): CheckpointCounts {
  return { records: 0, inputs: 0, produced: 0, filtered: 0, deadLettered: 0, notWritten: 0 };
}

export function newCheckpoint(
  inputs: readonly string[],
  window: { since?: string; until?: string },
): Checkpoint {
  return {
    version: 1,
    inputs: [...inputs],
    since: window.since ?? null,
    until: window.until ?? null,
    position: null,
    counts: emptyCheckpointCounts(),
    complete: false,
    updatedAt: new Date().toISOString(),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/**
 * The checkpoint in `file`, or a new one when the file does not exist. A checkpoint of another backfill
 * (other inputs or another window) is refused: resuming it would skip the wrong records.
 */
export function loadCheckpoint(
  file: string,
  inputs: readonly string[],
  window: { since?: string; until?: string },
): { checkpoint: Checkpoint; resumed: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { checkpoint: newCheckpoint(inputs, window), resumed: false };
    }
    throw new CheckpointError(`--checkpoint ${file}: cannot read it (${(error as Error).message})`);
  }
  let parsed: Checkpoint;
  try {
    parsed = JSON.parse(text) as Checkpoint;
  } catch {
    throw new CheckpointError(
      `--checkpoint ${file}: not a checkpoint (not JSON); name another file, or delete it to start over`,
    );
  }
  if (parsed?.version !== 1 || !Array.isArray(parsed.inputs) || typeof parsed.counts !== 'object') {
    throw new CheckpointError(
      `--checkpoint ${file}: not a replay checkpoint of this version; name another file, or delete it to start over`,
    );
  }
  if (
    !sameList(parsed.inputs, inputs) ||
    parsed.since !== (window.since ?? null) ||
    parsed.until !== (window.until ?? null)
  ) {
    const was = [
      parsed.inputs.join(' '),
      parsed.since ? `--since ${parsed.since}` : '',
      parsed.until ? `--until ${parsed.until}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new CheckpointError(
      `--checkpoint ${file}: belongs to another backfill (${was}); give the same inputs and window to resume it, or use another checkpoint file`,
    );
  }
  return { checkpoint: parsed, resumed: true };
}

/** Replaces `file` with the checkpoint, durably: a crash leaves the old one or the new one, never half. */
export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  checkpoint.updatedAt = new Date().toISOString();
  const temporary = `${file}.tmp`;
  const descriptor = openSync(temporary, 'w');
  try {
    writeSync(descriptor, `${JSON.stringify(checkpoint, null, 2)}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, file);
}
