/**
 * Replay: archived SES events through the same pipeline as the Lambda, streamed. Objects are read one
 * after another, split into records (top-level JSON values) and gathered into batches; each batch is
 * prepared (parsed, enriched, transformed, encoded; in this thread or on worker threads, preparers.ts)
 * as soon as it has room in the window, while earlier batches are still with Kafka, and batches are
 * handed to Kafka strictly in input order, one after the
 * other, so events with the same key keep their order. A batch gives its room back once Kafka has
 * answered for it, which is what makes reading wait for a slow broker.
 *
 * Every input ends produced, filtered, dead-lettered, or not written; the last are handed back through
 * `--failed-out` (or listed), never dropped. The checkpoint only ever moves past inputs that are settled
 * that way, in order: nothing is recorded as done before Kafka acknowledged it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, PipelineError } from '../errors.ts';
import { type Disposition, needsRedelivery, type Pipeline, type PipelineResult } from '../pipeline.ts';
import type { KafkaRecord } from '../record.ts';
import { type ArchiveObject, objectText } from './archive.ts';
import { type Checkpoint, type CheckpointPosition, saveCheckpoint } from './checkpoint.ts';
import type { FailedOutWriter } from './failed-out.ts';
import { JsonValueSplitter, type JsonValueText } from './json-values.ts';
import { type BatchPreparer, InThreadPreparer, type PreparedRecords } from './preparers.ts';
import { type ArchiveRecord, recordInputs } from './record-inputs.ts';
import { InFlightWindow, type WindowLimits } from './window.ts';

export interface ReplayCounts {
  /** Records (top-level JSON values: an NDJSON line, a Firehose record, a file's one document) read. */
  records: number;
  inputs: number;
  produced: number;
  filtered: number;
  deadLettered: number;
  /** Inputs that were not written and must be replayed again (retriable or failed). */
  notWritten: number;
}

export interface NotWrittenInput {
  id: string;
  code: string;
  message: string;
}

/** Not-written inputs of one error code: how many, and the first few to show. */
export interface NotWrittenGroup {
  count: number;
  examples: NotWrittenInput[];
}

export interface ReplayReport {
  /** This run's counts (a resumed backfill's earlier runs are in the checkpoint). */
  counts: ReplayCounts;
  notWritten: Map<string, NotWrittenGroup>;
  /** Objects that could not be read (missing file, S3 error after retries). */
  unreadable: Array<{ label: string; message: string }>;
  /** Reading stopped early: interrupted (a signal) or at an unreadable object (with a checkpoint). */
  stopped?: { reason: 'interrupted' | 'unreadable'; at?: string };
  /**
   * The checkpoint could not move past an input that was not written, because there is no
   * `--failed-out` to hand it back through; the position says where a resumed run starts again.
   */
  checkpointHeldAt?: CheckpointPosition | null;
}

export interface ReplayProgress {
  counts: ReplayCounts;
  /** Stored bytes read so far (compressed bytes for gzip objects). */
  bytesRead: number;
  objectsStarted: number;
}

export interface ReplayOptions {
  /** Records (top-level JSON values) per pipeline batch. */
  batchSize: number;
  /** Who prepares batches for Kafka; in this thread with `pipeline` by default. */
  preparer?: BatchPreparer;
  /** How much may be in the pipeline at once. */
  window: WindowLimits;
  /** Run the stages before serialization only, and hand each would-be record to `onRecord`. */
  dryRun?: boolean;
  onRecord?: (record: KafkaRecord, id: string) => void;
  onProgress?: (progress: ReplayProgress) => void;
  /** How long Kafka may take per batch, from the moment it is handed over. */
  batchTimeoutMs?: number;
  failedOut?: FailedOutWriter;
  checkpoint?: {
    file: string;
    state: Checkpoint;
    /** Save at most this often (and at the end); the at-least-once window grows with it. */
    saveEveryMs: number;
  };
  /** Where a resumed run starts: objects before this one are skipped, and this many records of it. */
  resumeFrom?: CheckpointPosition | null;
  /** Stop at the first object that cannot be read, rather than report it and go on (checkpointed runs). */
  stopOnUnreadable?: boolean;
  /** Reads of one object before it counts as unreadable (each retry starts over and skips what was read). */
  readAttempts?: number;
  retryDelayMs?: number;
  signal?: AbortSignal;
}

/** How many not-written inputs of each error code are kept to be shown. */
export const NOT_WRITTEN_EXAMPLES = 5;

function emptyCounts(): ReplayCounts {
  return { records: 0, inputs: 0, produced: 0, filtered: 0, deadLettered: 0, notWritten: 0 };
}

interface Batch {
  records: ArchiveRecord[];
  bytes: number;
  /** The position once every input of this batch (and before) is settled. */
  frontier: CheckpointPosition | null;
}

function newBatch(): Batch {
  return { records: [], bytes: 0, frontier: null };
}

/**
 * The records of one object, from the first not yet handed out. A failed read is retried from the
 * start of the object (a gzip stream cannot be entered in the middle), skipping the records already
 * handed out, until `attempts` reads have failed.
 */
async function* objectRecords(
  object: ArchiveObject,
  skip: number,
  options: { attempts: number; retryDelayMs: number; onBytes: (bytes: number) => void; signal?: AbortSignal },
): AsyncGenerator<{ value: JsonValueText; ordinal: number }> {
  let handedOut = skip;
  let bytesCounted = 0;
  for (let attempt = 1; ; attempt++) {
    let seen = 0;
    let bytesThisRead = 0;
    const countBytes = (bytes: number) => {
      bytesThisRead += bytes;
      // A retry reads bytes again; progress counts each byte once.
      if (bytesThisRead > bytesCounted) {
        options.onBytes(bytesThisRead - bytesCounted);
        bytesCounted = bytesThisRead;
      }
    };
    try {
      const splitter = new JsonValueSplitter();
      const stream = await object.open();
      for await (const text of objectText(stream, countBytes)) {
        for (const value of splitter.push(text)) {
          seen++;
          if (seen > handedOut) {
            handedOut = seen;
            yield { value, ordinal: seen };
          }
        }
      }
      for (const value of splitter.end()) {
        seen++;
        if (seen > handedOut) {
          handedOut = seen;
          yield { value, ordinal: seen };
        }
      }
      return;
    } catch (error) {
      if (!object.retryable || attempt >= options.attempts || options.signal?.aborted) throw error;
      await sleep(options.retryDelayMs * 2 ** (attempt - 1));
    }
  }
}

function tally(counts: ReplayCounts, disposition: Disposition): void {
  counts.inputs++;
  const kind = disposition.kind;
  if (kind === 'produced') counts.produced++;
  else if (kind === 'filtered') counts.filtered++;
  else if (kind === 'dead-lettered') counts.deadLettered++;
  else counts.notWritten++;
}

/** A dry run's batch: what would happen to each input, decided without Kafka. */
interface Previewed {
  results: PipelineResult[];
  rawOf(index: number): string;
}

async function previewRecords(
  pipeline: Pipeline,
  records: readonly ArchiveRecord[],
  onRecord: ReplayOptions['onRecord'],
): Promise<Previewed> {
  const inputs = records.flatMap((record) => recordInputs(record.label, record.value));
  const previews = await pipeline.preview(inputs);
  const results = previews.map((preview): PipelineResult => {
    if (preview.record) onRecord?.(preview.record, preview.id);
    return {
      id: preview.id,
      disposition: preview.disposition ?? {
        kind: 'produced',
        eventId: '',
        eventType: '',
        topic: preview.record?.topic ?? '',
      },
    };
  });
  return { results, rawOf: (index) => inputs[index]?.parsed.raw ?? '' };
}

/**
 * Streams `objects` through the pipeline (see the file comment). Never throws for bad input, an
 * unreadable object or a failing service: those are in the report. It throws only when the pipeline
 * itself breaks its contract (a bug), after settling what was in flight and saving the checkpoint.
 */
export async function replay(
  pipeline: Pipeline,
  objects: AsyncIterable<ArchiveObject> | Iterable<ArchiveObject>,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const report: ReplayReport = { counts: emptyCounts(), notWritten: new Map(), unreadable: [] };
  const preparer = options.preparer ?? new InThreadPreparer(pipeline);
  const window = new InFlightWindow(options.window);
  const checkpoint = options.checkpoint;
  const progress: ReplayProgress = { counts: report.counts, bytesRead: 0, objectsStarted: 0 };
  let lastSave = Date.now();
  // Once an input is not written and cannot be handed back, the checkpoint stays where it is.
  let held = false;
  let fatal: unknown;
  let sendChain: Promise<void> = Promise.resolve();

  const saveNow = () => {
    if (!checkpoint) return;
    options.failedOut?.sync();
    saveCheckpoint(checkpoint.file, checkpoint.state);
    lastSave = Date.now();
  };

  const settle = (batch: Batch, results: readonly PipelineResult[], rawOf: (index: number) => string) => {
    const batchCounts = emptyCounts();
    batchCounts.records = batch.records.length;
    results.forEach((result, index) => {
      tally(batchCounts, result.disposition);
      if (!needsRedelivery(result) || !('error' in result.disposition)) return;
      const error = result.disposition.error;
      let group = report.notWritten.get(error.code);
      if (group === undefined) {
        group = { count: 0, examples: [] };
        report.notWritten.set(error.code, group);
      }
      group.count++;
      if (group.examples.length < NOT_WRITTEN_EXAMPLES) {
        group.examples.push({ id: result.id, code: error.code, message: error.message });
      }
      if (options.failedOut) options.failedOut.write(rawOf(index));
      else held = true;
    });
    for (const key of Object.keys(batchCounts) as Array<keyof ReplayCounts>) {
      report.counts[key] += batchCounts[key];
    }
    if (checkpoint && !held && !options.dryRun) {
      const state = checkpoint.state;
      if (batch.frontier !== null) state.position = batch.frontier;
      const total = state.counts;
      total.records += batchCounts.records;
      total.inputs += batchCounts.inputs;
      total.produced += batchCounts.produced;
      total.filtered += batchCounts.filtered;
      total.deadLettered += batchCounts.deadLettered;
      total.notWritten += batchCounts.notWritten;
      if (Date.now() - lastSave >= checkpoint.saveEveryMs) saveNow();
    }
    options.onProgress?.(progress);
  };

  const dispatch = async (batch: Batch) => {
    const size = batch.records.length;
    if (size > 0) await window.acquire(size, batch.bytes);
    // Prepared now, alongside the batches ahead of it; sent and settled only after them.
    const prepared: Promise<PreparedRecords | Previewed> | undefined =
      size === 0 || fatal !== undefined
        ? undefined
        : options.dryRun
          ? previewRecords(pipeline, batch.records, options.onRecord)
          : preparer.prepare(batch.records);
    // A failure while preparing surfaces in the send step below, in order.
    prepared?.catch(() => undefined);
    sendChain = sendChain.then(async () => {
      try {
        if (fatal !== undefined) return;
        if (prepared === undefined) {
          settle(batch, [], () => '');
          return;
        }
        const ready = await prepared;
        const results =
          'results' in ready
            ? ready.results
            : await pipeline.send(ready.batch, Date.now() + (options.batchTimeoutMs ?? 60_000));
        settle(batch, results, ready.rawOf);
      } catch (error) {
        fatal ??= error;
      } finally {
        if (size > 0) window.release(size, batch.bytes);
      }
    });
  };

  let pending = newBatch();
  const flush = async () => {
    const batch = pending;
    pending = newBatch();
    if (batch.records.length > 0 || batch.frontier !== null) await dispatch(batch);
  };

  const resume = options.resumeFrom ?? null;
  let reachedResumePoint = resume === null;

  const interrupted = () => options.signal?.aborted === true;
  const readAll = async (): Promise<void> => {
    for await (const object of objects) {
      if (interrupted() || fatal !== undefined) return;
      let skip = 0;
      if (!reachedResumePoint) {
        if (object.label !== resume?.object) continue;
        reachedResumePoint = true;
        if (resume.objectDone) continue;
        skip = resume.records;
      }
      progress.objectsStarted++;
      let lastOrdinal = skip;
      try {
        for await (const { value, ordinal } of objectRecords(object, skip, {
          attempts: object.retryable ? (options.readAttempts ?? 4) : 1,
          retryDelayMs: options.retryDelayMs ?? 500,
          onBytes: (bytes) => {
            progress.bytesRead += bytes;
          },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })) {
          pending.records.push({ label: object.label, value });
          pending.bytes += value.text.length;
          pending.frontier = { object: object.label, records: ordinal, objectDone: false };
          lastOrdinal = ordinal;
          if (pending.records.length >= options.batchSize) await flush();
          if (interrupted()) {
            report.stopped = { reason: 'interrupted', at: object.label };
            return;
          }
          if (fatal !== undefined) return;
        }
        // The object is done once the batch holding its last record is settled.
        pending.frontier = { object: object.label, records: lastOrdinal, objectDone: true };
      } catch (error) {
        report.unreadable.push({ label: object.label, message: describeError(error) });
        if (options.stopOnUnreadable) {
          report.stopped = { reason: 'unreadable', at: object.label };
          return;
        }
        pending.frontier = { object: object.label, records: lastOrdinal, objectDone: true };
      }
    }
    if (!reachedResumePoint && resume !== null) {
      report.unreadable.push({
        label: resume.object,
        message:
          'the checkpoint names this object, but it is no longer among the inputs; nothing was replayed',
      });
    }
  };

  try {
    await readAll();
  } catch (error) {
    // The listing itself failed (S3 down in the middle of a prefix): what was read is still settled.
    report.unreadable.push({ label: 'the input listing', message: describeError(error) });
    report.stopped = { reason: 'unreadable', at: 'the input listing' };
  }
  if (interrupted() && report.stopped === undefined) report.stopped = { reason: 'interrupted' };
  // Records gathered but not yet handed to the pipeline when reading stopped early are dropped; the
  // checkpoint never counted them.
  if (report.stopped !== undefined || fatal !== undefined) pending = newBatch();
  await flush();
  await sendChain;
  if (checkpoint && !options.dryRun) {
    checkpoint.state.complete =
      report.stopped === undefined && report.unreadable.length === 0 && fatal === undefined && !held;
    saveNow();
  }
  if (held) report.checkpointHeldAt = checkpoint?.state.position ?? null;
  options.failedOut?.close();
  if (fatal !== undefined) {
    throw fatal instanceof PipelineError
      ? fatal
      : new Error(`replay stopped: the pipeline failed unexpectedly: ${describeError(fatal)}`, {
          cause: fatal,
        });
  }
  return report;
}

/** JSON for a record as the transform CLI prints it: bytes as base64, everything else as is. */
export function recordToJson(record: KafkaRecord): string {
  return JSON.stringify(record, (_key, value: unknown) => {
    if (
      value &&
      typeof value === 'object' &&
      (value as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((value as { data?: unknown }).data)
    ) {
      return Buffer.from((value as { data: number[] }).data).toString('base64');
    }
    return typeof value === 'bigint' ? value.toString() : value;
  });
}
